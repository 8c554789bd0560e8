"""Application errors: a stable code machines read, a message people read, details, a status.

Services raise these; one handler (api_errors.py) renders them as
`{"code": ..., "message": ..., "details": ...}` in the request's language.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class AppError(Exception):
    code = "error"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message: Any = None, *, details: Any = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        self.details = details if details is not None else {}
        if code is not None:
            self.code = code
        super().__init__(str(self.message))


class InvalidInput(AppError):
    code = "invalid"
    default_message = _("The data sent is not valid.")


class NotFound(AppError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(AppError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(AppError):
    code = "conflict"
    status = 409
    default_message = _("Someone else changed this at the same time; reload and try again.")


class TooManyLoginAttempts(AppError):
    code = "too_many_login_attempts"
    status = 429
    default_message = _("Too many failed login attempts. Try again later.")


class ImportRejected(AppError):
    """A file with any bad row imports nothing; `details.errors` lists every bad row."""

    code = "import_rejected"
    default_message = _("The file was not imported: fix the rows listed and upload it again.")


class TooLarge(AppError):
    """An upload past what the server reads: its size, or a spreadsheet's rows, columns or cells.
    The code names the limit (file_too_large, too_many_rows, ...); details give it and what the file has."""

    code = "file_too_large"
    default_message = _("The file is too large.")


class FileNotAllowed(AppError):
    """A file whose content is not one of the kinds accepted (or not what its name says)."""

    code = "file_not_allowed"
    default_message = _("This kind of file is not accepted.")
