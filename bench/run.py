"""Run the benchmarks and write docs/benchmarks.md.

    .venv/bin/python bench/run.py            # the real volumes (what `make bench` runs)
    .venv/bin/python bench/run.py --quick    # a smoke run with small volumes, marked as such
    .venv/bin/python bench/run.py --only import_units

Everything happens in a new SQLite database under bench/.data/ (gitignored), with production
settings (DEBUG off). A suite is a module in this folder with TITLE and `run(ctx) -> Section`;
add one (return cases, queues, ...) by writing it and naming it in SUITES.
"""

import argparse
import importlib
import os
import secrets
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
REPORT = ROOT / "docs" / "benchmarks.md"
SEED = 20260612

SUITES = ["import_units", "units_api", "returns_bulk", "receiving_scans", "deadlines", "web_pages", "repairs_close", "hostile_uploads"]


def configure(database: Path) -> None:
    """Production-like settings on a throwaway database; set before Django reads them."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DEBUG"] = "false"
    os.environ["AFTERSALES_HTTPS"] = "false"
    os.environ["AFTERSALES_PLAIN_STATIC"] = "true"
    os.environ["AFTERSALES_VAR_DIR"] = str(DATA_DIR)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["LOG_LEVEL"] = "WARNING"


def fresh_database() -> Path:
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)  # STATIC_ROOT, so whitenoise does not warn
    database = DATA_DIR / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small volumes: a smoke run, marked as such")
    parser.add_argument("--only", action="append", choices=SUITES, help="run this suite only (repeatable)")
    parser.add_argument("--output", type=Path, default=REPORT, help=f"report file (default {REPORT.relative_to(ROOT)})")
    args = parser.parse_args(argv)

    database = fresh_database()
    configure(database)
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    import harness

    started_wall, started, load_at_start = timezone.localtime(), time.perf_counter(), harness.load_average()
    harness.log(f"migrating a new database at {database.relative_to(ROOT)}")
    call_command("migrate", verbosity=0, interactive=False)
    from aftersales.config.runtime import tune_for_serving

    tune_for_serving()  # garbage collection as the WSGI server sets it (config/wsgi.py)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA synchronous")
        synchronous = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
    database_label = f"SQLite file (journal_mode={journal}, synchronous={synchronous}), `{database.relative_to(ROOT)}`"

    ctx = harness.Context(quick=args.quick, data_dir=DATA_DIR, seed=SEED, until=timezone.localdate(),
                          actor=_bench_user())
    sections = []
    for name in args.only or SUITES:
        suite = importlib.import_module(name)
        harness.log(f"== {suite.TITLE}")
        sections.append(suite.run(ctx))

    command = " ".join(["python bench/run.py", *(["--quick"] if args.quick else []),
                        *(f"--only {name}" for name in args.only or [])])
    report = harness.render(sections=sections, machine=harness.machine_info(database_label),
                            started=started_wall, seconds=time.perf_counter() - started, quick=args.quick,
                            command=command, load=(load_at_start, harness.load_average()))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    harness.log(f"wrote {args.output}")
    failed = [f"{s.title}: {f.name}" for s in sections for f in s.figures if f.verdict == "FAIL"]
    for line in failed:
        harness.log(f"FAIL {line}")
    return 0


def _bench_user():
    """A service-desk user: imports and generated rows are attributed to it; the API is called as it."""
    from aftersales.accounts.services import user_create

    return user_create(username="bench", password=None, role_codes={"service"}, first_name="Bench")


if __name__ == "__main__":
    sys.exit(main())
