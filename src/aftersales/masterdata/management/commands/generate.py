"""`aftersales generate --units N --seed S`: realistic, reproducible volumes of master data.

Into the database (bulk inserts, a batch per transaction, safe to run again), or with
--csv/--xlsx into a file the importer takes, after creating the customers and models it names.
"""

import sys
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.masterdata import generator

PROGRESS_FROM_UNITS = 20_000


class Command(BaseCommand):
    help = ("Generate customers, product models, parts and shipped units (the same seed gives the same data), "
            "into the database or, with --csv/--xlsx, into a file to import.")

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help="number of shipped units")
        parser.add_argument("--seed", type=int, required=True, help="the same seed gives the same data")
        parser.add_argument("--customers", type=int, default=200)
        parser.add_argument("--models", type=int, default=24, help="product models (heaters, motors, controllers)")
        parser.add_argument("--years", type=int, default=3, help="years of shipments, up to --until")
        parser.add_argument("--until", type=date.fromisoformat, default=None,
                            help="last shipping day, YYYY-MM-DD (default: today; give it for identical output "
                                 "on another day)")
        parser.add_argument("--without-history", action="store_true", help="write no audit history rows (faster)")
        parser.add_argument("--csv", type=Path, help="write the units to this CSV file instead of the database")
        parser.add_argument("--xlsx", type=Path, help="write the units to this XLSX file instead of the database")
        parser.add_argument("--encoding", default="gbk",
                            help="CSV encoding (default gbk, as ERPs export; or utf-8-sig)")
        parser.add_argument("--user", help="username recorded in the audit history as the author")

    def handle(self, *args, **options):
        try:
            spec = generator.VolumeSpec(
                units=options["units"], seed=options["seed"], customers=options["customers"],
                models=options["models"], years=options["years"], until=options["until"] or timezone.localdate(),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if spec.until > timezone.localdate():
            raise CommandError("--until is in the future: the importer would refuse those shipping dates.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user named {options['user']!r}.")
        show_progress = options["verbosity"] > 0 and spec.units >= PROGRESS_FROM_UNITS
        with_history = not options["without_history"]

        def progress(done: int, total: int) -> None:
            if show_progress:
                sys.stderr.write(f"\rgenerating units: {done:,}/{total:,}")
                if done >= total:
                    sys.stderr.write("\n")
                sys.stderr.flush()

        csv_path, xlsx_path = options["csv"], options["xlsx"]
        if csv_path or xlsx_path:
            try:
                "".join(generator.FILE_HEADERS).encode(options["encoding"])
            except LookupError:
                raise CommandError(f"Unknown encoding {options['encoding']!r}.") from None
            for path in (csv_path, xlsx_path):
                if path is not None and not path.parent.is_dir():
                    raise CommandError(f"No folder {path.parent} to write {path.name} into.")
            result = generator.files_generate(actor=actor, spec=spec, csv_path=csv_path, xlsx_path=xlsx_path,
                                              encoding=options["encoding"], with_history=with_history,
                                              progress=progress)
            written = " and ".join(str(p) for p in (csv_path, xlsx_path) if p is not None)
            self.stdout.write(f"wrote {result.rows_written:,} units to {written}")
        else:
            result = generator.units_generate(actor=actor, spec=spec, with_history=with_history, progress=progress)
            self.stdout.write(f"units: {result.units_created:,} created, {result.units_skipped:,} already there")
        self.stdout.write(
            f"customers: {result.customers_created} created, models: {result.models_created} created, "
            f"parts: {result.parts_created} created (existing codes reused)"
        )
