"""Creating and editing a return case while it is a draft; an application as the pages take it."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import AppError, Conflict, InvalidInput, PermissionDenied
from aftersales.core.roles import require_roles
from aftersales.masterdata.models import Customer, ProductModel

from ..models import CaseState, Outcome, Reason, ReturnCase, ReturnLine
from .actions import apply_action, case_for_update
from .attachments import attachment_add
from .events import event_append
from .numbering import next_case_number
from .windows import case_windows_refresh

CASE_FIELDS = ("channel", "customer_reference", "delivered_date", "is_quality_incident", "notes")


def _customer_for(actor, customer: Customer | None) -> Customer:
    if actor.customer_id is not None:
        if customer is not None and customer.pk != actor.customer_id:
            raise PermissionDenied(_("A customer user applies for its own customer only."))
        return actor.customer
    if customer is None:
        raise InvalidInput(details={"customer": [_("This field is required.")]})
    return customer


def _clean_lines(lines: list[dict]) -> list[dict]:
    """Check lines as typed; completeness of the return note is checked at receiving, not here."""
    errors, cleaned = {}, []
    for index, line in enumerate(lines):
        line_errors = {}
        serials = [str(s).strip() for s in line.get("serials") or [] if str(s).strip()]
        if len(set(serials)) != len(serials):
            line_errors["serials"] = [_("The same serial is listed twice.")]
        quantity = line.get("quantity")
        if serials:
            if quantity not in (None, 0, len(serials)):
                line_errors["quantity"] = [_("The quantity must equal the number of serials.")]
            quantity = len(serials)
        if quantity is None or quantity < 0:
            line_errors["quantity"] = [_("Must be 0 or more.")]
        if line.get("requested_outcome", Outcome.REPAIR) not in Outcome.values:
            line_errors["requested_outcome"] = [_("Unknown outcome.")]
        if line.get("reason", Reason.QUALITY) not in Reason.values:
            line_errors["reason"] = [_("Unknown reason.")]
        if line_errors:
            errors[str(index)] = line_errors
            continue
        cleaned.append({**line, "serials": serials, "quantity": quantity or 0})
    if errors:
        raise InvalidInput(details={"lines": errors})
    return cleaned


def _write_lines(case: ReturnCase, lines: list[dict]) -> None:
    case.lines.all().delete()
    ReturnLine.objects.bulk_create([
        ReturnLine(
            return_case=case, line_no=number, product_model=line.get("product_model"),
            item_name=line.get("item_name") or (line["product_model"].name if line.get("product_model") else ""),
            quantity=line["quantity"], production_lot=line.get("production_lot", ""),
            requested_outcome=line.get("requested_outcome", Outcome.REPAIR),
            reason=line.get("reason", Reason.QUALITY), defect_description=line.get("defect_description", ""),
            serials=line["serials"], unit_price=line.get("unit_price") or Decimal("0"),
        )
        for number, line in enumerate(lines, start=1)
    ])


FIELD_LENGTHS = {"customer_reference": 80, "notes": 5000}


def _bounded(fields: dict) -> dict:
    """Text fields refused when too long (never cut)."""
    return {**fields, **parsing.texts(fields, FIELD_LENGTHS)}


@transaction.atomic
def case_create(*, actor, customer: Customer | None = None, lines: list[dict], **fields) -> ReturnCase:
    customer = _customer_for(actor, customer)
    fields = _bounded(fields)
    cleaned = _clean_lines(lines)
    case = ReturnCase.objects.create(
        number=next_case_number(), customer=customer, created_by=actor,
        **{name: fields[name] for name in CASE_FIELDS if name in fields},
    )
    _write_lines(case, cleaned)
    case_windows_refresh(case)
    event_append(case=case, actor=actor, action="create", from_state="", to_state=case.state,
                 changes={"lines": len(cleaned)})
    return case


@transaction.atomic
def case_update_draft(*, actor, case_id: int, version: int | None = None, lines: list[dict] | None = None,
                      **fields) -> ReturnCase:
    case = case_for_update(actor=actor, case_id=case_id, version=version)
    if case.state != CaseState.DRAFT:
        raise Conflict(_("Only a draft can be edited."), code="invalid_state")
    require_roles(actor, "service", "customer")
    fields = _bounded(fields)
    changes = {}
    for name in CASE_FIELDS:
        if name in fields and getattr(case, name) != fields[name]:
            changes[name] = {"old": str(getattr(case, name)), "new": str(fields[name])}
            setattr(case, name, fields[name])
    if lines is not None:
        _write_lines(case, _clean_lines(lines))
        changes["lines"] = len(lines)
    if lines is not None or "delivered_date" in changes or "channel" in changes:
        case_windows_refresh(case)
    case.version += 1
    case.save()
    event_append(case=case, actor=actor, action="edit", from_state=case.state, to_state=case.state, changes=changes)
    return case


def lines_from_codes(lines: list[dict]) -> list[dict]:
    """Lines as the API sends them (model by code) to lines with ProductModel objects."""
    codes = {line.get("product_model") for line in lines if line.get("product_model")}
    models = {m.code: m for m in ProductModel.objects.filter(code__in=codes)}
    unknown = {str(i): {"product_model": [_("Unknown product model “%(value)s”.") % {"value": line["product_model"]}]}
               for i, line in enumerate(lines) if line.get("product_model") and line["product_model"] not in models}
    if unknown:
        raise InvalidInput(details={"lines": unknown})
    return [{**line, "product_model": models.get(line.get("product_model"))} for line in lines]


@transaction.atomic
def application_create(*, actor, customer: Customer | None = None, lines: list[dict], photos=(),
                       submit: bool = False, **fields) -> ReturnCase:
    """A return application as typed on a page: the case with its lines (product models by code), its
    photos, and its submission when asked, all or nothing: a refused photo or submission saves nothing.
    A refused photo's error names the file, under `photos`."""
    case = case_create(actor=actor, customer=customer, lines=lines_from_codes(lines), **fields)
    for upload in photos:
        try:
            attachment_add(actor=actor, case_id=case.pk, upload=upload, description=upload.name[:200])
        except AppError as error:
            error.details = {"photos": [f"{upload.name}: {error.message}"]}
            raise
    if submit:
        apply_action(actor=actor, case_id=case.pk, action="submit")
    return case
