#!/usr/bin/env bash
# Serve the application: the task worker and the scheduler in the background, gunicorn in front.
# Ctrl-C (or the end of gunicorn) stops all three. Environment as for `aftersales` (SECRET_KEY, ...).
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

"$BIN/aftersales" db_worker --no-reload --no-startup-delay &
worker=$!
"$BIN/aftersales" scheduler &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null; wait $worker $scheduler 2>/dev/null || true' EXIT INT TERM

"$BIN/gunicorn" aftersales.config.wsgi --bind "$HOST:$PORT" --workers 2 --access-logfile -
