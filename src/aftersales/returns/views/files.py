"""Attachment files, served to whoever may see their case, never from /media/.

One address for the pages and the API (`/attachments/<id>/`): a signed-in session, or an API
token in the `Authorization: Token …` header. Another customer's attachment, an unknown or
impossible id, a missing file: 404. The response carries the verified content type, `nosniff`,
a sandboxing Content-Security-Policy, and is shown inline only for re-encoded photos; anything
else is a download under its original name (RFC 5987 for Chinese names).
"""

from pathlib import PurePath

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_safe
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from aftersales.core.api_errors import error_body
from aftersales.lib.file_kinds import INLINE_CONTENT_TYPES
from .. import selectors

SANDBOX = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _requester(request):
    """The session's user, or the API token's; None when neither was given."""
    if request.user.is_authenticated:
        return request.user
    if not get_authorization_header(request):
        return None
    found = TokenAuthentication().authenticate(request)  # AuthenticationFailed on a bad token
    return found[0] if found else None


def verified_file(request, find):
    """The answer for a stored file judged by its content: `find(user)` gives (file, content_type, name) of what
    the user may see, or None (404). Also for the files of later apps (a service request's photos)."""
    try:
        user = _requester(request)
    except AuthenticationFailed as exc:
        return JsonResponse(error_body("authentication_failed", exc.detail), status=401,
                            headers={"WWW-Authenticate": "Token"})
    if user is None:
        return redirect_to_login(request.get_full_path())
    found = find(user)
    if found is None:
        raise Http404
    stored, content_type, name = found
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=content_type not in INLINE_CONTENT_TYPES,
                            filename=name or PurePath(stored.name).name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["Vary"] = "Cookie, Authorization"
    return response


@require_safe
def attachment(request, pk: int):
    def find(user):
        found = selectors.attachment_get(user=user, pk=pk)  # an id past the column's range finds nothing
        return (found.file, found.content_type, found.original_name) if found is not None else None

    return verified_file(request, find)
