"""Photos and documents on a case (defect photos, return notes, inspection pictures)."""

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.errors import InvalidInput, PermissionDenied

from ..models import Attachment, CaseState
from .actions import case_for_update
from .events import event_append

ALLOWED_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".pdf", ".xlsx", ".xls", ".csv", ".docx"}
MAX_BYTES = 10 * 1024 * 1024
CUSTOMER_STATES = {CaseState.DRAFT, CaseState.SUBMITTED}


@transaction.atomic
def attachment_add(*, actor, case_id: int, upload, description: str = "", line_no: int | None = None,
                   unit_id: int | None = None) -> Attachment:
    case = case_for_update(actor=actor, case_id=case_id)
    if actor.customer_id is not None and case.state not in CUSTOMER_STATES:
        raise PermissionDenied(_("Customers add files while the application is a draft or submitted."))
    if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
        raise InvalidInput(details={"file": [_("Allowed files: photos (JPG, PNG, ...), PDF and spreadsheets.")]})
    if upload.size > MAX_BYTES:
        raise InvalidInput(details={"file": [_("The file is larger than 10 MB.")]})
    line = case.lines.filter(line_no=line_no).first() if line_no is not None else None
    if line_no is not None and line is None:
        raise InvalidInput(details={"line": [_("No such line on this case.")]})
    unit = case.units.filter(pk=unit_id).first() if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise InvalidInput(details={"unit": [_("No such unit on this case.")]})
    attachment = Attachment.objects.create(return_case=case, line=line, unit=unit, file=upload,
                                           description=description[:200], uploaded_by=actor)
    event_append(case=case, actor=actor, action="attach", from_state=case.state, to_state=case.state,
                 changes={"file": Path(attachment.file.name).name, "line": line_no, "unit": unit_id})
    return attachment
