"""`aftersales import units FILE`: bulk import from CSV or XLSX, all or nothing."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from aftersales.core.errors import AppError, ImportRejected
from aftersales.core.uploads import path_read
from aftersales.lib.tabular import MAX_FILE_BYTES
from aftersales.masterdata import importing


class Command(BaseCommand):
    help = "Import customers, models, parts or units from a CSV or XLSX file. Any bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(importing.KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="username recorded in the audit history as the importer")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args, kind, file, user, dry_run, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user named {user!r}.")
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        show_progress = options["verbosity"] > 0

        def progress(done: int, total: int) -> None:
            if show_progress and total >= 5000:
                sys.stderr.write(f"\rreading rows: {done:,}/{total:,}")
                if done == total:
                    sys.stderr.write("\n")

        try:
            result = importing.import_file(actor=actor, kind=kind, raw=path_read(file, max_bytes=MAX_FILE_BYTES),
                                           filename=file.name, progress=progress, dry_run=dry_run)
        except ImportRejected as exc:
            errors = exc.details.get("errors", [])
            for error in errors:
                where = f"row {error['row']}, column {error['column']}: " if error.get("row") else ""
                self.stderr.write(f"{where}{error['message']}")
            raise CommandError(f"{exc.message} ({len(errors)} error(s); nothing was imported)") from None
        except AppError as exc:  # a file past a limit (size, rows, columns, cells): one line, nothing imported
            raise CommandError(f"{exc.message} ({exc.code}; nothing was imported)") from None
        verb = "would import" if dry_run else "imported"
        self.stdout.write(
            f"{verb} {result.rows} {kind}: {result.created} new, {result.updated} updated, {result.unchanged} unchanged"
        )
