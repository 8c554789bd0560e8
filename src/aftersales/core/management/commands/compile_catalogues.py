"""Compile the translation catalogues (.po -> .mo) without needing GNU gettext installed."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every django.po under LOCALE_PATHS into django.mo (only when the .po is newer)."

    def handle(self, *args, **options):
        compiled = 0
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        if options["verbosity"] > 1 or compiled:
            self.stdout.write(f"Compiled {compiled} catalogue(s).")
