"""The `aftersales` console command: Django's management commands with our settings.

Run by hand where `make run` set things up, it works as `make run`'s own commands do: without
SECRET_KEY it reads the secret `make run` generated ($AFTERSALES_VAR_DIR/secret_key), and a
command that needs the application's tables says in one line what to run when the database is
missing or not migrated, instead of a traceback.
"""

import os
import sys

# Commands that create or inspect the schema, or never read the application's tables.
SCHEMA_FREE = frozenset({
    "check", "collectstatic", "compile_catalogues", "compilemessages", "createcachetable", "dbshell",
    "diffsettings", "findstatic", "generateschema", "help", "inspectdb", "makemessages", "makemigrations",
    "migrate", "optimizemigration", "sendtestemail", "shell", "showmigrations", "spectacular", "sqlflush",
    "sqlmigrate", "sqlsequencereset", "squashmigrations", "startapp", "startproject", "test", "testserver",
    "version", "workflow_doc",
})
# Django answers these without settings; they stay as Django has them.
HELP = frozenset({"help", "version", "--help", "-h", "--version"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    subcommand = sys.argv[1] if len(sys.argv) > 1 else "help"
    if subcommand not in HELP:
        _prepare(subcommand)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def _prepare(subcommand: str) -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured

    _apply_default_options(sys.argv)
    _secret_from_var_dir()
    try:
        django.setup()
    except ImproperlyConfigured as error:
        _fail(str(error))
    if subcommand not in SCHEMA_FREE and not {"--help", "-h"} & set(sys.argv[2:]):
        problem = _database_problem()
        if problem:
            _fail(problem)


def _apply_default_options(argv: list[str]) -> None:
    """--settings and --pythonpath, read before the settings are loaded, as Django itself does."""
    from django.core.management.base import CommandError, CommandParser, handle_default_options

    parser = CommandParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    try:
        options, _rest = parser.parse_known_args(argv[2:])
    except CommandError:
        return  # a malformed option: the command's own parser reports it
    handle_default_options(options)


def _secret_from_var_dir() -> None:
    """Without SECRET_KEY, the secret `make run` generated, if there is one."""
    from aftersales.config.env import var_dir

    if os.environ.get("SECRET_KEY"):
        return
    path = var_dir() / "secret_key"
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return
    except OSError as error:
        _fail(f"Cannot read the secret key in {path}: {error.strerror}.")
    if secret:
        os.environ["SECRET_KEY"] = secret


def _database_problem() -> str | None:
    """What keeps a command from the application's tables, in one line, or None."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = _database_name(connection.settings_dict)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f'The database at {where} cannot be opened ({reason}): check DATABASE_URL, then run "aftersales migrate".'
    if not pending:
        return None
    if not executor.loader.applied_migrations:
        return f'The database at {where} is not migrated: run "aftersales migrate" (or "make run").'
    return f'The database at {where} has {len(pending)} migration(s) not applied: run "aftersales migrate".'


def _database_name(database: dict) -> str:
    """The database as people find it: the SQLite file, or host, port and name (never the password)."""
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{host}{port}/{database['NAME']}"


def _fail(message: str) -> None:
    sys.stderr.write(f"aftersales: {message}\n")
    sys.exit(1)


if __name__ == "__main__":
    main()
