from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import CaseNumberSequence


def next_case_number(prefix: str = "RMA") -> str:
    """RMA-2026-000123: gap-free per year, because the number is taken inside the transaction
    that creates the case (a rollback gives the number back)."""
    assert transaction.get_connection().in_atomic_block, "take a case number inside the creating transaction"
    year = timezone.localdate().year
    CaseNumberSequence.objects.get_or_create(year=year)
    CaseNumberSequence.objects.filter(year=year).update(last=F("last") + 1)
    last = CaseNumberSequence.objects.select_for_update().values_list("last", flat=True).get(year=year)
    return f"{prefix}-{year}-{last:06d}"
