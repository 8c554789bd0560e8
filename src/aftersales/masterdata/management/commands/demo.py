from django.core.management.base import BaseCommand

from aftersales.core.registry import DEMO_BUILDERS
from aftersales.masterdata.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = ("Load the demo data: users per role, customers, models, parts, units, then what each area adds "
            "(three months of return cases and repairs). Running it again changes nothing.")

    def handle(self, *args, **options):
        created = load_demo_data()
        for _order, _name, build in sorted(DEMO_BUILDERS, key=lambda item: item[0]):
            created.update(build())
        summary = ", ".join(f"{count} {name}" for name, count in created.items())
        self.stdout.write(f"Demo data ready (created now: {summary}).")
        self.stdout.write(f"Demo users: one per role (service, warehouse, ..., manager, customer), password {DEMO_PASSWORD!r}.")
