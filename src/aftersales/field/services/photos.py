"""Photos of field work: before and after on the service report (the technician, on site), receipts on an expense
claim (the technician, while it is a draft). Checked as the service desk's photos are (servicedesk/services/
photos.py: size, then content, every photo of a sending judged before anything is written, the files written
after the transaction commits)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.core import parsing
from aftersales.core.errors import Conflict, InvalidInput, NotFound
from aftersales.core.roles import require_roles
from aftersales.core.uploads import store_on_commit
from aftersales.servicedesk.services.photos import photos_checked

from ..models import ClaimState, ExpenseClaim, FieldOrder, FieldPhoto, PhotoKind, photo_path
from ..models import OrderState as S
from .common import order_event_append

MAX_PHOTOS = 12  # per order, and per claim


def _keep(actor, checked, **record) -> list[FieldPhoto]:
    kept = []
    for photo in checked:
        row = FieldPhoto(original_name=photo.name, content_type=photo.verified.kind.content_type, uploaded_by=actor,
                         **record)
        row.file.name = photo_path(row, f"photo{photo.verified.kind.extension}")
        row.save()
        store_on_commit(row, photo.verified.content)
        kept.append(row)
    return kept


def _refuse_more(already: int, adding: int) -> None:
    if already + adding > MAX_PHOTOS:
        raise InvalidInput(details={"photos": [ngettext("At most %(limit)d photo.", "At most %(limit)d photos.",
                                                        MAX_PHOTOS) % {"limit": MAX_PHOTOS}]})


@transaction.atomic
def order_photos_add(*, actor, order_id, kind=None, uploads=()) -> list[FieldPhoto]:
    """Photos before or after the work, by the order's technician while on site (or with the report)."""
    require_roles(actor, "technician")
    if kind not in (PhotoKind.BEFORE, PhotoKind.AFTER):
        raise InvalidInput(details={"kind": [_("Choose one of: %(kinds)s.") % {"kinds": "before, after"}]})
    if not uploads:
        raise InvalidInput(details={"photos": [_("No file was submitted.")]})
    order = FieldOrder.objects.select_for_update().filter(pk=parsing.id_or_none(order_id) or 0).first()
    if order is None:
        raise NotFound()
    if order.technician_id != actor.pk:
        raise Conflict(code="not_your_order")
    if order.state not in (S.ACCEPTED, S.ON_SITE, S.REPORTED):
        raise Conflict(_("Photos of the work are added on site."), code="invalid_state", details={"state": order.state})
    _refuse_more(order.photos.count(), len(uploads))
    kept = _keep(actor, photos_checked(uploads), order=order, kind=kind)
    order_event_append(order=order, actor=actor, action="photos", changes={"kind": kind, "photos": len(kept)})
    return kept


@transaction.atomic
def claim_receipts_add(*, actor, claim_id, uploads=()) -> list[FieldPhoto]:
    """The receipts' photos on the technician's own claim while it is a draft."""
    require_roles(actor, "technician")
    if not uploads:
        raise InvalidInput(details={"photos": [_("No file was submitted.")]})
    claim = ExpenseClaim.objects.select_for_update().filter(pk=parsing.id_or_none(claim_id) or 0,
                                                            technician=actor).first()
    if claim is None:
        raise NotFound()
    if claim.state != ClaimState.DRAFT:
        raise Conflict(_("Receipts are added while the claim is a draft."), code="invalid_state",
                       details={"state": claim.state})
    _refuse_more(claim.receipts.count(), len(uploads))
    return _keep(actor, photos_checked(uploads), claim=claim, kind=PhotoKind.RECEIPT)
