"""One JSON error shape for the whole API: {"code", "message", "details"}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import AppError


def error_body(code: str, message, details=None) -> dict:
    return {"code": code, "message": str(message), "details": details if details is not None else {}}


def _validation_details(detail):
    if isinstance(detail, dict):
        return {key: _validation_details(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_validation_details(item) for item in detail]
    return str(detail)


def api_exception_handler(exc, context):
    if isinstance(exc, AppError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", _("The data sent is not valid."), _validation_details(detail))
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if not isinstance(code, str):
            code = getattr(exc, "default_code", "error")
        details = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retry_after_seconds": int(exc.wait)}
        response.data = error_body(code, exc.detail, details)
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def json_404(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=status.HTTP_404_NOT_FOUND)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def json_500(request):
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", _("An unexpected error occurred; it has been logged.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    from django.views.defaults import server_error

    return server_error(request)
