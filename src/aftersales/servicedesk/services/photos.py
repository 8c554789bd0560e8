"""Photos of the problem on a service request: sent with the registration (the desk's quick form, the portal
on a phone, a gateway through the API) or added later while the request is open.

Checked in this order, as the return case's attachments are (returns/services/attachments.py): who may add
them (the caller), each file's size before it is read, then its content (lib/file_kinds.py: a photo decodes
and is re-encoded, which drops its metadata; anything else is refused). Every photo of a sending is judged
before anything is written; the rows are written in the transaction and the files after it commits, under
unguessable names, so a refused photo or a rolled-back registration leaves nothing behind.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.core.errors import AppError, FileNotAllowed, InvalidInput
from aftersales.core.uploads import kind_refusal, store_on_commit, upload_read
from aftersales.lib import file_kinds

from ..models import RequestPhoto, photo_path
from .common import event_append

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 10  # per request: a problem is shown in a few pictures, not an album


@dataclass(frozen=True)
class CheckedPhoto:
    name: str
    verified: file_kinds.Verified


def _allowed() -> str:
    return _("Only photos are accepted here (JPG, PNG, WebP, GIF), whose content is what their name says.")


def _checked(upload) -> CheckedPhoto:
    raw = upload_read(upload, max_bytes=MAX_PHOTO_BYTES)
    try:
        verified = file_kinds.verify(raw, upload.name)
    except file_kinds.Refused as refused:
        raise kind_refusal(refused, allowed=_allowed()) from None
    if not verified.kind.inline:  # a document, however genuine, is not a photo
        raise FileNotAllowed(_allowed(), details={"file": [_allowed()], "reason": "not_allowed"})
    return CheckedPhoto(name=PurePath(upload.name or "").name[:255], verified=verified)


def photos_checked(uploads, *, already: int = 0) -> list[CheckedPhoto]:
    """Each upload read under the size limit and judged by its content; a refused one names its file under
    `photos` and nothing of the sending is kept."""
    uploads = list(uploads or ())
    if already + len(uploads) > MAX_PHOTOS:
        raise InvalidInput(details={"photos": [ngettext("At most %(limit)d photo per request.",
                                                        "At most %(limit)d photos per request.", MAX_PHOTOS)
                                               % {"limit": MAX_PHOTOS}]})
    checked = []
    for upload in uploads:
        try:
            checked.append(_checked(upload))
        except AppError as error:
            error.details = {**error.details, "photos": [f"{PurePath(upload.name or '').name}: {error.message}"]}
            raise
    return checked


def photos_keep(*, actor, request, checked: list[CheckedPhoto]) -> list[RequestPhoto]:
    """The rows now (in the caller's transaction), the files when it commits."""
    assert transaction.get_connection().in_atomic_block, "photos are kept inside the writing transaction"
    kept = []
    for photo in checked:
        row = RequestPhoto(request=request, original_name=photo.name, content_type=photo.verified.kind.content_type,
                           uploaded_by=actor)
        row.file.name = photo_path(row, f"photo{photo.verified.kind.extension}")
        row.save()
        store_on_commit(row, photo.verified.content)
        kept.append(row)
    if kept:
        event_append(request=request, actor=actor, action="photos", changes={"photos": [p.name for p in checked]})
    return kept


@transaction.atomic
def photos_add(*, actor, request_id, uploads) -> list[RequestPhoto]:
    """Photos added to an open request by the desk or the request's own customer (another customer's: 404)."""
    from .requests import request_for_photos

    if not uploads:
        raise InvalidInput(details={"photos": [_("No file was submitted.")]})
    request = request_for_photos(actor=actor, request_id=request_id, locked=False)
    checked = photos_checked(uploads, already=request.photos.count())
    request = request_for_photos(actor=actor, request_id=request_id, locked=True)
    photos_checked([], already=request.photos.count() + len(checked))  # counted again under the lock
    return photos_keep(actor=actor, request=request, checked=checked)
