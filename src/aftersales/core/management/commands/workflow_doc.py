from pathlib import Path

from django.core.management.base import BaseCommand

from aftersales.core.workflow_doc import workflows_markdown


class Command(BaseCommand):
    help = "Write docs/workflow.md from every state machine's table."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path("docs/workflow.md"))

    def handle(self, *args, output, **options):
        output.write_text(workflows_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
