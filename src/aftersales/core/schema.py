"""The OpenAPI schema tells the truth about errors too: one error component, and for each operation
the error statuses it can answer, beside its typed 2xx answer.

Every operation may answer 400 (a NUL character in the path or query is refused before any view);
authenticated ones 403; those with a path parameter, paginated lists (a page past the last) and the
staff-only ones (a customer gets 404) 404; a POST that honours `Idempotency-Key` 422. A conflict
with the record's state (409) is declared where it happens, with its codes: `conflicts(...)`.
The tests check that every answer the suite produces is one the schema documents (tests/api_schema.py).
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ErrorSerializer(serializers.Serializer):
    """Every error of the API (core/api_errors.py)."""

    code = serializers.CharField(help_text="Stable, for machines: `invalid`, `not_found`, `invalid_state`, ...")
    message = serializers.CharField(help_text="For people, in the request's language.")
    details = serializers.DictField(child=serializers.JSONField(), help_text=(
        "Structured data of the error: for `invalid`, each field's messages; otherwise what the code says "
        "(docs/api.md, Errors)."))

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "`invalid` (`details` maps each field to its messages), `parse_error`, `null_character`, "
         "`value_out_of_range`, or an upload's limit (`file_too_large`, ...).",
    403: "`not_authenticated` or `permission_denied`: the user's roles do not allow this.",
    404: "`not_found`: no such record, or not one this user may see (another customer's; staff-only for "
         "customer users), or a page past the last.",
    409: "A conflict with the record's state.",
    422: "`idempotency_key_reused`: the same `Idempotency-Key` was sent with another body.",
    429: "`too_many_login_attempts`: `details.retry_after_seconds`.",
}


def error_response(status: int, codes=()) -> OpenApiResponse:
    description = ERROR_DESCRIPTIONS[status]
    if codes:
        description = f"{description} Codes: " + ", ".join(f"`{code}`" for code in codes) + "."
    return OpenApiResponse(ErrorSerializer, description=description)


def conflicts(*codes: str) -> dict:
    """`responses={200: Output, **conflicts("invalid_state", ...)}`: the 409 codes an operation may answer."""
    return {409: error_response(409, codes)}


IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER,
    description="A retry with the same key and body gets the first answer again (`Idempotent-Replay: true`).")


def honours_idempotency_key(view_class):
    """Mark a view whose POST runs through core/idempotency.idempotent (the header and its 422 are documented)."""
    view_class.idempotent_methods = {"POST"}
    return view_class


class AutoSchema(openapi.AutoSchema):
    def _idempotent(self) -> bool:
        if self.method in getattr(self.view, "idempotent_methods", ()):
            return True
        handler = getattr(self.view, getattr(self.view, "action", None) or "", None)
        return self.method in getattr(handler, "idempotent_methods", ())

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._idempotent() and not any(getattr(p, "name", None) == IDEMPOTENCY_HEADER for p in parameters):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _error_statuses(self) -> set[int]:
        statuses = {400}
        if not all(issubclass(permission, AllowAny) for permission in self.view.permission_classes):
            statuses.add(403)
        if "{" in self.path or getattr(self.view, "staff_only", False) or (
                self.method == "GET" and self._is_list_view() and self._get_paginator() is not None):
            statuses.add(404)
        if self._idempotent() or any(getattr(p, "name", None) == IDEMPOTENCY_HEADER
                                     for p in self.get_override_parameters()):
            statuses.add(422)
        statuses |= set(getattr(self.view, "error_statuses", ()))
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(self._error_statuses()):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(error_response(status), str(status),
                                                                     direction=direction)
        return responses
