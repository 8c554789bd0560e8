"""Document numbers: one sequence table per prefix and year, each number with its width."""

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales.core.numbering import next_number


@pytest.mark.django_db
def test_numbers_are_per_prefix_and_year_with_their_width():
    year = timezone.localdate().year
    with transaction.atomic():
        assert next_number("RMA", width=6) == f"RMA-{year}-000001"
        assert next_number("RW", width=4) == f"RW-{year}-0001"
        assert next_number("RMA", width=6) == f"RMA-{year}-000002"
