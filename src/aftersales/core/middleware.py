"""Input no view should ever see, refused at the door with a 400 instead of a server error.

- A NUL character in the path, the query string, a form field or a JSON body: PostgreSQL text cannot
  hold one and no person types one (a search for "abc\\x00" must not become a 500 on one database only).
- A value past what a column holds that slipped through a view's own checks: the database's refusal
  (DataError, OverflowError on SQLite) is answered as bad input, after the transaction rolled back.
"""

import logging

from django.db import DataError
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .api_errors import error_body

logger = logging.getLogger(__name__)
JSON_TYPES = ("application/json", "application/merge-patch+json")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _bad_request(request, code: str, message) -> object:
    if _is_api(request):
        return JsonResponse(error_body(code, message), status=400)
    return HttpResponseBadRequest(str(message), content_type="text/plain; charset=utf-8")


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.content_type or ""
        if content_type in JSON_TYPES:
            body = request.body
            return b"\x00" in body or b"\\u0000" in body.lower()
        if content_type == "application/x-www-form-urlencoded":  # multipart waits for the view's permission check
            return any("\x00" in key or any("\x00" in value for value in values)
                       for key, values in request.POST.lists())
    return False


class RefuseBadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return _bad_request(request, "null_character", _("Null characters are not allowed in what is sent."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (DataError, OverflowError)):
            logger.warning("Refused input the database could not hold: %s %s: %s", request.method, request.path,
                           exception)
            return _bad_request(request, "value_out_of_range",
                                _("A value sent is out of range (too large or too long)."))
        return None
