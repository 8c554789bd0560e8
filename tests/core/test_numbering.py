"""Document numbers: one sequence table per prefix and year, and the numbers given before it existed carried
over by the migration, so no number is given twice."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from aftersales.core.numbering import next_number

OLD = [("returns", "0007_c_scrapped_notice"), ("repairs", "0003_b_teardown_qc_need_by"),
       ("servicedesk", "0002_complaint_causes"), ("core", "0004_job")]
NEW = [("returns", "0009_numbers_in_core"), ("repairs", "0006_numbers_in_core"),
       ("servicedesk", "0007_numbers_in_core")]


@pytest.mark.django_db
def test_numbers_are_per_prefix_and_year_with_their_width():
    year = timezone.localdate().year
    with transaction.atomic():
        assert next_number("RMA", width=6) == f"RMA-{year}-000001"
        assert next_number("RW", width=4) == f"RW-{year}-0001"
        assert next_number("RMA", width=6) == f"RMA-{year}-000002"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_taken_inside_the_creating_transaction_only():
    with pytest.raises(AssertionError):
        next_number("RMA", width=6)


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_the_numbers_already_given():
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    old = executor.loader.project_state(OLD).apps
    old.get_model("returns", "CaseNumberSequence").objects.create(year=2026, last=41)
    old.get_model("repairs", "NumberSequence").objects.create(prefix="RW", year=2026, last=7)
    old.get_model("servicedesk", "RequestNumberSequence").objects.create(prefix="SR", year=2026, last=12)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(NEW)
    new = MigrationExecutor(connection).loader.project_state(NEW).apps
    carried = dict(((row.prefix, row.year), row.last)
                   for row in new.get_model("core", "DocumentSequence").objects.all())
    assert carried == {("RMA", 2026): 41, ("RW", 2026): 7, ("SR", 2026): 12}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
