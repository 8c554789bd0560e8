from pathlib import Path

from django.core.management.base import BaseCommand

from aftersales.returns.docs import workflow_markdown


class Command(BaseCommand):
    help = "Write docs/workflow.md from the workflow table."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path("docs/workflow.md"))

    def handle(self, *args, output, **options):
        output.write_text(workflow_markdown(), encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
