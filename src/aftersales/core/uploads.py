"""Uploads read under limits, and only after the permission check.

Edges check who may act first, then read an upload with `upload_read` (refused by its size
before a byte is read) and give spreadsheets to lib/tabular, whose limits `table_refusal`
turns into the API's error. `BoundedUploadHandler` stops keeping any uploaded file past
MAX_UPLOAD_BYTES while the request is parsed, so no view ever sees a bigger one.
"""

import math
import secrets
from pathlib import Path, PurePath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.lib import file_kinds
from aftersales.lib.tabular import MAX_FILE_BYTES, TableTooLarge
from aftersales.lib.workbook_extent import column_letters

from .errors import AppError, FileNotAllowed, TooLarge

MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the largest any endpoint accepts (tables; attachments take less)
MB = 1024 * 1024

# Why a file is not a table at all (lib/tabular TableError codes); no_header takes %(required)s.
TABLE_ERRORS = {
    "encoding": gettext_lazy("The file's text encoding could not be read: save it as UTF-8 or GBK CSV, or as XLSX."),
    "unreadable_workbook": gettext_lazy("The workbook could not be opened: is it a real XLSX file?"),
    "unsupported_format": gettext_lazy("Only CSV and XLSX files can be read: save an XLS or ODS file as XLSX first."),
    "no_header": gettext_lazy("No header row found: the file needs the columns %(required)s."),
}


def _megabytes(size: int) -> str:
    """In MB to one decimal, rounded up: a file one byte past 20 MB reads 20.1, not 20."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")


def size_refusal(*, size: int, limit: int) -> TooLarge:
    message = _("The file is %(size)s MB; at most %(limit)s MB can be uploaded here.") % {
        "size": _megabytes(size), "limit": _megabytes(limit)}
    return TooLarge(message, code="file_too_large", details={"file": [message], "limit": limit, "found": size})


def upload_read(upload, *, max_bytes: int) -> bytes:
    """The upload's content, refused by its size before any of it is read."""
    if upload.size is None or upload.size > max_bytes:
        raise size_refusal(size=upload.size or max_bytes + 1, limit=max_bytes)
    upload.seek(0)
    raw = upload.read(max_bytes + 1)
    if len(raw) > max_bytes:  # a file that said it was smaller
        raise size_refusal(size=len(raw), limit=max_bytes)
    return raw


def path_read(path: Path, *, max_bytes: int) -> bytes:
    """A file given to a command, refused by its size before it is read."""
    size = path.stat().st_size
    if size > max_bytes:
        raise size_refusal(size=size, limit=max_bytes)
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise size_refusal(size=len(raw), limit=max_bytes)
    return raw


def table_refusal(exc: TableTooLarge) -> TooLarge:
    """The API's error for a spreadsheet past a limit of lib/tabular."""
    limit, found = exc.params["limit"], exc.params["found"]
    values = {"limit": f"{limit:,}", "found": f"{found:,}"}
    if exc.code == "file_too_large":
        return size_refusal(size=found, limit=limit)
    if exc.code == "too_many_rows":
        message = _("The sheet reaches row %(found)s; at most %(limit)s rows are read: split the file.") % values
    elif exc.code == "too_many_columns":
        message = _("The sheet reaches column %(found)s (%(letters)s); at most %(limit)s columns are read.") % {
            **values, "letters": column_letters(found)}
    elif exc.code == "too_many_cells":
        message = _("The sheet spans %(found)s cells (rows × columns from A1); at most %(limit)s are read: "
                    "split the file or delete the empty rows and columns.") % values
    elif exc.code == "line_too_long":
        message = _("A line of the file is longer than %(limit)s characters: is it a CSV table?") % values
    elif exc.params["measure"] == "unpacked_bytes":
        message = _("Unpacked, the workbook is larger than %(limit)s MB: it cannot be read.") % {
            "limit": _megabytes(limit)}
    else:
        message = _("The workbook has too many parts to be a table (at most %(limit)s).") % values
    details = {"file": [message], "limit": limit, "found": found}
    if exc.params.get("declared"):
        details["declared"] = True  # what the sheet's <dimension> says, before any cell was read
    return TooLarge(message, code=exc.code, details=details)


def kind_refusal(refused: file_kinds.Refused, *, allowed: str) -> AppError:
    """The API's error for a file lib/file_kinds refused; `allowed` says what the endpoint takes."""
    if refused.reason == "table_too_large":
        return table_refusal(refused.params["error"])
    if refused.reason == "image_too_large":
        message = _("The photo is larger than %(limit)s megapixels: send a smaller one.") % {
            "limit": file_kinds.MAX_PIXELS // 1_000_000}
        return TooLarge(message, code="image_too_large", details={
            "file": [message], "limit": file_kinds.MAX_PIXELS, "found": refused.params["pixels"]})
    message = {
        "heic": _("HEIC photos cannot be read here: send the photo as JPEG (on an iPhone: Settings › Camera › "
                  "Formats › Most Compatible)."),
        "empty": _("The file is empty."),
        "macros": _("Files with macros are not accepted: save them without macros (XLSX, DOCX)."),
    }.get(refused.reason)
    message = f"{message} {allowed}" if message else allowed
    return FileNotAllowed(message, details={"file": [message], "reason": refused.reason})


def unguessable_name(folder: str, filename: str) -> str:
    """<folder>/2026/12/<unguessable>.jpg: a verified file's stored name, with the extension of its kind (the
    `filename` the caller makes from it), never the sender's name."""
    return f"{folder}/{timezone.localdate():%Y/%m}/{secrets.token_urlsafe(24)}{PurePath(filename).suffix.lower()}"


def store_on_commit(row, content: bytes) -> None:
    """The verified content written under the name of the row's `file` once the writing transaction commits,
    so a refused file or a rolled-back transaction leaves nothing on disk; should the storage choose another
    name, the row follows it."""

    def store():
        saved = row.file.storage.save(row.file.name, ContentFile(content))
        if saved != row.file.name:
            type(row).objects.filter(pk=row.pk).update(file=saved)
            row.file.name = saved

    transaction.on_commit(store)


class OversizedUpload(UploadedFile):
    """What a view gets for a file cut off at MAX_UPLOAD_BYTES: its name and size, no content."""

    def __init__(self, *, name: str, size: int, content_type: str | None):
        from io import BytesIO

        super().__init__(BytesIO(), name=name, content_type=content_type, size=size)


class BoundedUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes a file's data on to the others until MAX_UPLOAD_BYTES,
    then drops the rest as it arrives (neither memory nor the temporary folder fill up), and the
    view is given an OversizedUpload that `upload_read` refuses with the size limit."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return raw_data if self.received <= MAX_UPLOAD_BYTES else None

    def file_complete(self, file_size):
        if self.received > MAX_UPLOAD_BYTES:
            return OversizedUpload(name=self.file_name, size=self.received, content_type=self.content_type)
        return None
