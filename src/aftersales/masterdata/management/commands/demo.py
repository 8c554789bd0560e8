from django.core.management.base import BaseCommand

from aftersales.masterdata.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = "Load the demo data (users per role, customers, models, parts, units). Running it again changes nothing."

    def handle(self, *args, **options):
        created = load_demo_data()
        summary = ", ".join(f"{count} {name}" for name, count in created.items())
        self.stdout.write(f"Demo data ready (created now: {summary}).")
        self.stdout.write(f"Demo users: one per role (service, warehouse, ..., manager, customer), password {DEMO_PASSWORD!r}.")
