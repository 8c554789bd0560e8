"""What the repair services share: document numbers, parts lists, bounded inputs."""

from decimal import Decimal

from django.utils.translation import gettext as _

from aftersales.core import numbering, parsing
from aftersales.core.errors import InvalidInput
from aftersales.masterdata.models import Part

CENT = Decimal("0.01")
MAX_QUANTITY = 1_000_000  # one line of parts; far above any real one, far below the database's integers
TEXT = 5000  # the length of a free-text field (method, findings, fault, cause, action, notes)
NOTE = 2000


def next_number(prefix: str) -> str:
    """RW-2026-0001 and the like (rework orders, material requests, scrap applications, refurbishing orders)."""
    return numbering.next_number(prefix, width=4)


def text(value, field: str, *, max_length: int = TEXT, required: bool = False) -> str:
    """Free text of a repair document: refused when too long, never cut."""
    return parsing.text(value, field, max_length=max_length, required=required)


def parts_by_code(lists) -> dict:
    codes = {str(line.get("part", "")) for lines in lists if isinstance(lines, list)
             for line in lines if isinstance(line, dict)}
    return {p.code: p for p in Part.objects.filter(code__in=codes, is_active=True)}


def parts_list(lines, field: str = "parts", found: dict | None = None) -> list[tuple[Part, int]]:
    """[{"part": code, "quantity": n}] → [(Part, n)], every bad line reported. `found` (code → Part)
    spares the query when many lists are read at once."""
    if not isinstance(lines, list):
        raise InvalidInput(details={field: [_("A list of parts and quantities is expected.")]})
    if found is None:
        found = parts_by_code([lines])
    errors, parsed = {}, []
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            errors[str(index)] = [_("A part and a quantity are expected.")]
            continue
        part = found.get(str(line.get("part", "")))
        quantity = line.get("quantity")
        if part is None:
            errors[str(index)] = [_("Unknown part “%(value)s”.") % {"value": line.get("part", "")}]
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_QUANTITY:
            errors[str(index)] = [_("The quantity must be a whole number from 1 to %(maximum)s.")
                                  % {"maximum": MAX_QUANTITY}]
        else:
            parsed.append((part, quantity))
    if errors:
        raise InvalidInput(details={field: errors})
    return parsed
