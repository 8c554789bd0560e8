"""Document numbers: RMA-2026-000123, SR-2026-000007, RW-2026-0001. One sequence per prefix and year, gap-free
because the number is taken inside the transaction that creates the document (a rollback gives it back)."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import DocumentSequence


def next_number(prefix: str, *, width: int) -> str:
    assert transaction.get_connection().in_atomic_block, "take a document number inside the creating transaction"
    year = timezone.localdate().year
    DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    DocumentSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    last = DocumentSequence.objects.select_for_update().values_list("last", flat=True).get(prefix=prefix, year=year)
    return f"{prefix}-{year}-{last:0{width}d}"
