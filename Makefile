# Aftersales: `make run` serves the app with demo data; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := $(CURDIR)/var
export AFTERSALES_VAR_DIR ?= $(VAR)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run dev test bench messages clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
	DEBUG=true $(BIN)/aftersales compile_catalogues

$(VAR)/secret_key:
	mkdir -p $(VAR)
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Production-like: DEBUG off, gunicorn, static files through whitenoise; plain HTTP on loopback.
run: install $(VAR)/secret_key
	SECRET_KEY=$$(cat $(VAR)/secret_key) AFTERSALES_HTTPS=false $(BIN)/aftersales migrate --noinput
	SECRET_KEY=$$(cat $(VAR)/secret_key) AFTERSALES_HTTPS=false $(BIN)/aftersales demo
	SECRET_KEY=$$(cat $(VAR)/secret_key) AFTERSALES_HTTPS=false $(BIN)/aftersales collectstatic --noinput -v 0
	@echo "Aftersales is at http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/v1/docs/)"
	@echo "Log in as one of the demo users (service, warehouse, quality, ..., manager, customer) with password 'aftersales-demo'."
	SECRET_KEY=$$(cat $(VAR)/secret_key) AFTERSALES_HTTPS=false BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) \
		bash scripts/serve.sh

dev: install
	DEBUG=true $(BIN)/aftersales migrate --noinput
	DEBUG=true $(BIN)/aftersales demo
	DEBUG=true AFTERSALES_TASKS=immediate $(BIN)/aftersales runserver $(HOST):$(PORT)

test: install
	bash scripts/ensure-system-packages.sh
	bash scripts/ensure-redis.sh
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

# Refresh the translation catalogues from the source (needs GNU gettext's xgettext).
messages: install
	cd src/aftersales && DEBUG=true ../../$(BIN)/aftersales makemessages -l zh_Hans -l en --no-obsolete

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
