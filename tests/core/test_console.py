"""The real `aftersales` console command, in a subprocess, as a person runs it after `make run`:
DEBUG unset, no SECRET_KEY in the environment, the data directory `make run` made."""

import os
import subprocess
import sys

import pytest

SECRET = "a-secret-generated-by-make-run-0123456789-abcdefghijklmnopqrstuvwxyz"


def aftersales(*args, var_dir, **env) -> subprocess.CompletedProcess:
    # A clean environment: the suite's own SECRET_KEY, settings module and database must not leak in.
    environment = {"PATH": os.environ["PATH"], "AFTERSALES_VAR_DIR": str(var_dir), **env}
    return subprocess.run([sys.executable, "-m", "aftersales", *args], cwd=var_dir, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def made_by_make_run(tmp_path):
    """A data directory holding the secret `make run` writes, and no database yet."""
    (tmp_path / "secret_key").write_text(SECRET + "\n", encoding="utf-8")
    return tmp_path


def one_line(text: str) -> str:
    assert "Traceback" not in text and text.count("\n") == 1, text
    return text.strip()


def test_on_a_database_not_migrated_a_command_says_what_to_run_then_works_after_it(made_by_make_run):
    refused = aftersales("calendar", "is-workday", "2026-10-10", var_dir=made_by_make_run)
    database = made_by_make_run / "aftersales.sqlite3"
    assert refused.returncode == 1 and refused.stdout == ""
    assert one_line(refused.stderr) == (
        f'aftersales: The database at {database} is not migrated: run "aftersales migrate" (or "make run").')
    # Commands that create or inspect the schema run on it all the same.
    assert aftersales("showmigrations", "core", var_dir=made_by_make_run).returncode == 0
    migrated = aftersales("migrate", "--noinput", "-v", "0", var_dir=made_by_make_run)
    assert migrated.returncode == 0, migrated.stderr
    answer = aftersales("calendar", "is-workday", "2026-10-10", var_dir=made_by_make_run)
    assert (answer.returncode, answer.stdout, answer.stderr) == (0, "yes (调休上班日)\n", "")
    # A migration not applied (an upgrade not migrated yet) is named too.
    assert aftersales("migrate", "jobs", "zero", "--noinput", "-v", "0", var_dir=made_by_make_run).returncode == 0
    behind = aftersales("calendar", "status", var_dir=made_by_make_run)
    assert behind.returncode == 1 and one_line(behind.stderr) == (
        f'aftersales: The database at {database} has 1 migration(s) not applied: run "aftersales migrate".')


def test_migrating_one_app_first_then_the_rest_works(made_by_make_run):
    # Roles and policies are synced only once the tables they go into exist.
    first = aftersales("migrate", "core", "--noinput", "-v", "0", var_dir=made_by_make_run)
    assert first.returncode == 0 and "Traceback" not in first.stderr, first.stderr
    rest = aftersales("migrate", "--noinput", "-v", "0", var_dir=made_by_make_run)
    assert rest.returncode == 0, rest.stderr
    answer = aftersales("calendar", "is-workday", "2026-10-10", var_dir=made_by_make_run)
    assert answer.returncode == 0, answer.stderr


def test_a_database_that_cannot_be_reached_is_one_line(made_by_make_run):
    refused = aftersales("calendar", "status", var_dir=made_by_make_run,
                         DATABASE_URL="postgres://nobody@127.0.0.1:1/aftersales")
    assert refused.returncode == 1
    assert one_line(refused.stderr).startswith("aftersales: The database at 127.0.0.1:1/aftersales cannot be opened")


def test_without_a_secret_anywhere_the_command_refuses_in_one_line(tmp_path):
    refused = aftersales("calendar", "status", var_dir=tmp_path)
    assert refused.returncode == 1
    assert one_line(refused.stderr).startswith("aftersales: SECRET_KEY must be set when DEBUG is off")
    assert aftersales("help", var_dir=tmp_path).returncode == 0  # help needs no settings


def test_the_secret_from_the_environment_wins_and_a_server_does_not_read_the_file(made_by_make_run):
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    shell = aftersales("shell", "--no-imports", "-c", script, var_dir=made_by_make_run)
    assert shell.stdout == SECRET + "\n"
    assert aftersales("shell", "--no-imports", "-c", script, var_dir=made_by_make_run, SECRET_KEY="from-env").stdout == "from-env\n"
    # The WSGI application (gunicorn) takes the environment only: no secret, no start.
    server = subprocess.run([sys.executable, "-c", "import aftersales.config.wsgi"], cwd=made_by_make_run,
                            env={"PATH": os.environ["PATH"], "AFTERSALES_VAR_DIR": str(made_by_make_run)},
                            capture_output=True, text=True, timeout=120)
    assert server.returncode != 0 and "SECRET_KEY must be set" in server.stderr
