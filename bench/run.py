"""Run the benchmarks on SQLite and on PostgreSQL and write docs/benchmarks.md.

    .venv/bin/python bench/run.py                       # the real volumes on both databases (`make bench`)
    .venv/bin/python bench/run.py --quick               # a smoke run with small volumes, marked as such
    .venv/bin/python bench/run.py --only import_units   # one suite (repeatable)
    .venv/bin/python bench/run.py --database sqlite     # one database: sqlite, postgres or both (default)

Each database gets a run of its own in a child process (Django's settings are per process): a new SQLite
file under bench/.data/ (gitignored), or a new PostgreSQL database (`aftersales_bench` on 127.0.0.1:5432 as
`postgres`, or BENCH_POSTGRES_URL), dropped and created at the start and dropped at the end; production
settings (DEBUG off). The child writes its sections as JSON; this process renders the one report.

A suite is a module in this folder with TITLE and `run(ctx) -> Section`; add one (return cases, queues, ...)
by writing it and naming it in SUITES. A suite runs unchanged on both databases: what depends on the
database (a query plan, SQLite's WAL) asks `connection.vendor` or uses harness.explain.
"""

import argparse
import dataclasses
import importlib
import json
import os
import secrets
import subprocess
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
REPORT = ROOT / "docs" / "benchmarks.md"
SEED = 20260612
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432/aftersales_bench"
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}

SUITES = ["import_units", "units_api", "returns_bulk", "receiving_scans", "deadlines", "web_pages", "repairs_close",
          "hostile_uploads", "servicedesk_inbox", "servicedesk_causes", "field_dispatch"]


def configure(database_url: str) -> None:
    """Production-like settings on a throwaway database; set before Django reads them."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DEBUG"] = "false"
    os.environ["AFTERSALES_HTTPS"] = "false"
    os.environ["AFTERSALES_PLAIN_STATIC"] = "true"
    os.environ["AFTERSALES_VAR_DIR"] = str(DATA_DIR)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["LOG_LEVEL"] = "WARNING"


def fresh_database() -> Path:
    """A new SQLite file (and STATIC_ROOT, so whitenoise does not warn)."""
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
    database = DATA_DIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


def _postgres_admin(url: str):
    """A connection to the server's `postgres` database (to drop and create the bench database), and its name."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        return psycopg.connect(admin, autocommit=True, connect_timeout=10), name
    except psycopg.OperationalError:
        script = ROOT / "scripts" / "ensure-postgres.sh"
        sys.stderr.write(f"PostgreSQL does not answer at {parts.hostname}:{parts.port}; running {script}\n")
        subprocess.run(["bash", str(script)], check=True)
        return psycopg.connect(admin, autocommit=True, connect_timeout=10), name


def fresh_postgres(url: str) -> str:
    from psycopg import sql

    connection, name = _postgres_admin(url)
    with connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
            sql.Identifier(name)))
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
    return url


def drop_postgres(url: str) -> None:
    from psycopg import sql

    connection, name = _postgres_admin(url)
    with connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _describe_database() -> tuple[str, str]:
    """(version, what the report says of the database) of the connection Django uses."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
            name = Path(connection.settings_dict["NAME"])
            return version, (f"SQLite file (journal_mode={journal}, synchronous={synchronous}), "
                             f"`{name.relative_to(ROOT) if name.is_relative_to(ROOT) else name}`")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        shown = []
        for setting in ("shared_buffers", "work_mem", "synchronous_commit", "max_parallel_workers_per_gather"):
            cursor.execute(f"SHOW {setting}")
            shown.append(f"{setting}={cursor.fetchone()[0]}")
        settings = connection.settings_dict
        return version, (f"PostgreSQL server at {settings['HOST']}:{settings['PORT']}, database "
                         f"`{settings['NAME']}` made for the run and dropped after it ({', '.join(shown)}); "
                         f"psycopg {_psycopg_version()}")


def _psycopg_version() -> str:
    import psycopg

    return psycopg.__version__


def worker(database: str, results: Path, *, quick: bool, only: list[str] | None) -> int:
    """One database's run (in a child process): migrate a new database, run the suites, write JSON."""
    url = f"sqlite:///{fresh_database()}" if database == "sqlite" else fresh_postgres(POSTGRES_URL)
    configure(url)
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    import harness

    started, load_at_start = time.perf_counter(), harness.load_average()
    harness.log(f"[{database}] migrating a new database")
    call_command("migrate", verbosity=0, interactive=False)
    from aftersales.config.runtime import tune_for_serving

    tune_for_serving()  # garbage collection as the WSGI server sets it (config/wsgi.py)
    version, label = _describe_database()
    ctx = harness.Context(quick=quick, data_dir=DATA_DIR, seed=SEED, until=timezone.localdate(),
                          actor=_bench_user())
    sections, failed = [], []
    try:
        for name in only or SUITES:
            suite = importlib.import_module(name)
            harness.log(f"[{database}] == {suite.TITLE}")
            try:
                sections.append(suite.run(ctx))
            except Exception as error:  # noqa: BLE001  one broken suite: say so in the report, run the others
                harness.log(f"[{database}] {suite.TITLE} failed:\n{traceback.format_exc()}")
                failed.append(name)
                sections.append(harness.Section(key=name, title=suite.TITLE, description=(
                    f"**The suite failed on this database**: `{type(error).__name__}: {str(error)[:300]}` "
                    "(the run's output has the traceback).")))
    finally:
        connections.close_all()
        if database == "postgres":
            drop_postgres(POSTGRES_URL)
    results.write_text(json.dumps({
        "database": database, "name": DATABASES[database], "version": version, "label": label,
        "seconds": time.perf_counter() - started, "load": [load_at_start, harness.load_average()],
        "sections": [dataclasses.asdict(section) for section in sections],
    }, ensure_ascii=False), encoding="utf-8")
    return 2 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small volumes: a smoke run, marked as such")
    parser.add_argument("--only", action="append", choices=SUITES, help="run this suite only (repeatable)")
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both",
                        help="the database(s) to run on (default both)")
    parser.add_argument("--output", type=Path, default=REPORT, help=f"report file (default {REPORT.relative_to(ROOT)})")
    parser.add_argument("--render", action="store_true",
                        help="write the report from the last runs' results (bench/.data/results-*.json), running "
                             "nothing: for runs made apart, e.g. one `--database` at a time")
    parser.add_argument("--worker", choices=list(DATABASES), help=argparse.SUPPRESS)  # the child's database
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)  # where the child writes its JSON
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.results, quick=args.quick, only=args.only)

    sys.path.insert(0, str(BENCH_DIR))
    import harness

    databases = list(DATABASES) if args.database == "both" else [args.database]
    if args.render:
        return _render_saved(args, databases)
    started_wall, started = datetime.now().astimezone(), time.perf_counter()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    runs, broken, broken_suites = [], [], False
    for database in databases:
        results = DATA_DIR / f"results-{database}.json"
        results.unlink(missing_ok=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", database, "--results", str(results),
                   *(["--quick"] if args.quick else []), *(f"--only={name}" for name in args.only or [])]
        harness.log(f"running the suites on {DATABASES[database]}")
        child = subprocess.run(command, cwd=ROOT, check=False)
        if child.returncode == 2 and results.exists():  # a suite failed: its section says so
            broken_suites = True
        elif child.returncode != 0 or not results.exists():
            harness.log(f"the run on {DATABASES[database]} failed (exit status {child.returncode})")
            broken.append(DATABASES[database])
            continue
        runs.append(harness.run_from_dict(json.loads(results.read_text(encoding="utf-8"))))
    if not runs:
        return 1

    command = " ".join(["python bench/run.py", *(["--quick"] if args.quick else []),
                        *([f"--database {args.database}"] if args.database != "both" else []),
                        *(f"--only {name}" for name in args.only or [])])
    report = harness.render(runs=runs, machine=harness.machine_info(), started=started_wall,
                            seconds=time.perf_counter() - started, quick=args.quick, command=command, broken=broken)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    harness.log(f"wrote {args.output}")
    for run in runs:
        for section in run.sections:
            for figure in section.figures:
                if figure.verdict == "FAIL":
                    harness.log(f"FAIL [{run.name}] {section.title}: {figure.name}")
    return 1 if broken or broken_suites else 0


def _render_saved(args, databases: list[str]) -> int:
    """The report from the results the runs left, with when they ran (from the files' times)."""
    import harness

    runs, spans = [], []
    for database in databases:
        results = DATA_DIR / f"results-{database}.json"
        if not results.exists():
            harness.log(f"no results of a run on {DATABASES[database]} ({results.relative_to(ROOT)})")
            return 1
        run = harness.run_from_dict(json.loads(results.read_text(encoding="utf-8")))
        ended = results.stat().st_mtime
        runs.append(run)
        spans.append((ended - run.seconds, ended))
    started = min(start for start, _end in spans)
    overlapped = len(spans) > 1 and max(start for start, _end in spans) < min(end for _start, end in spans)
    command = " ".join(["python bench/run.py", *(["--quick"] if args.quick else []),
                        *(f"--only {name}" for name in args.only or [])])
    report = harness.render(runs=runs, machine=harness.machine_info(),
                            started=datetime.fromtimestamp(started).astimezone(),
                            seconds=max(end for _start, end in spans) - started, quick=args.quick, command=command,
                            note="The runs on the two databases were made at the same time (each with "
                                 "`--database`, then `--render`): each competed with the other for the CPU."
                            if overlapped else "")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    harness.log(f"wrote {args.output}")
    return 0


def _bench_user():
    """A service-desk user: imports and generated rows are attributed to it; the API is called as it."""
    from aftersales.accounts.services import user_create

    return user_create(username="bench", password=None, role_codes={"service"}, first_name="Bench")


if __name__ == "__main__":
    sys.exit(main())
