"""Photos and documents on a case (defect photos, return notes, inspection pictures).

Checked in this order, and nothing of the file is read before the first three: that the actor
may see cases, this case, and add files to it now; the file's size; then its content
(lib/file_kinds.py: photos decoded and re-encoded, documents by their signature). The row is
written in the transaction and the file after it commits, under an unguessable name, so a
refused file or a rolled-back application leaves nothing on disk.
"""

from pathlib import PurePath

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import AppError, InvalidInput, NotFound, PermissionDenied
from aftersales.core.permissions import scope_to_customer
from aftersales.core.uploads import kind_refusal, store_on_commit, upload_read
from aftersales.lib import file_kinds

from ..models import Attachment, CaseState, ReturnCase, attachment_path
from .actions import case_for_update
from .events import event_append

MAX_BYTES = 10 * 1024 * 1024
CUSTOMER_STATES = {CaseState.DRAFT, CaseState.SUBMITTED}


def _allowed_message() -> str:
    return _("Allowed files: photos (JPG, PNG, WebP, GIF), PDF, Excel (XLSX, XLS), Word (DOCX) and CSV, "
             "whose content is what their name says.")


def _refusal(refused: file_kinds.Refused) -> AppError:
    return kind_refusal(refused, allowed=_allowed_message())


def _case_for_files(*, actor, case_id: int, locked: bool) -> ReturnCase:
    if locked:
        case = case_for_update(actor=actor, case_id=case_id)
    else:
        case = scope_to_customer(ReturnCase.objects.all(), actor, "customer").filter(pk=case_id).first()
        if case is None:
            raise NotFound()
    if actor.customer_id is not None and case.state not in CUSTOMER_STATES:
        raise PermissionDenied(_("Customers add files while the application is a draft or submitted."))
    return case


def attachment_add(*, actor, case_id: int, upload, description: str = "", line_no: int | None = None,
                   unit_id: int | None = None) -> Attachment:
    if not actor.has_perm("returns.view_returncase"):
        raise PermissionDenied()
    _case_for_files(actor=actor, case_id=case_id, locked=False)
    raw = upload_read(upload, max_bytes=MAX_BYTES)
    try:
        verified = file_kinds.verify(raw, upload.name)
    except file_kinds.Refused as refused:
        raise _refusal(refused) from None
    original_name = PurePath(upload.name or "").name[:255]  # kept to name the download; the file is stored by its kind
    description = parsing.text(description, "description", max_length=200)
    with transaction.atomic():
        case = _case_for_files(actor=actor, case_id=case_id, locked=True)
        line = case.lines.filter(line_no=line_no).first() if line_no is not None else None
        if line_no is not None and line is None:
            raise InvalidInput(details={"line": [_("No such line on this case.")]})
        unit = case.units.filter(pk=unit_id).first() if unit_id is not None else None
        if unit_id is not None and unit is None:
            raise InvalidInput(details={"unit": [_("No such unit on this case.")]})
        attachment = Attachment(return_case=case, line=line, unit=unit, original_name=original_name,
                                content_type=verified.kind.content_type, description=description,
                                uploaded_by=actor)
        attachment.file.name = attachment_path(attachment, f"upload{verified.kind.extension}")
        attachment.save()
        event_append(case=case, actor=actor, action="attach", from_state=case.state, to_state=case.state,
                     changes={"file": original_name, "line": line_no, "unit": unit_id})
        store_on_commit(attachment, verified.content)
    return attachment
