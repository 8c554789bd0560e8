"""Idempotency-Key for POSTs: a retried request gets the first answer instead of acting twice.

The key is claimed (a row inserted) in the same transaction as the action, so two copies of
the same request racing each other cannot both act: the second waits on the unique key,
finds it taken when the first commits, and replays the stored answer.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .errors import AppError, InvalidInput
from .renderers import LocalTimeJSONEncoder
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"


MAX_KEY = 200


class IdempotencyKeyReused(AppError):
    code = "idempotency_key_reused"
    status = 422


def _fingerprint(request) -> str:
    """The request's method, path, fields and the content of any uploaded files."""
    data = request.data
    fields = {key: value for key, value in data.items() if key not in request.FILES} if isinstance(data, dict) else data
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(json.dumps(fields, sort_keys=True, cls=JSONEncoder, default=str).encode())
    for name in sorted(request.FILES):
        upload = request.FILES[name]
        digest.update(f"\n{name}:{upload.name}:".encode())
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
    return digest.hexdigest()


def _replay(user, key: str, fingerprint: str) -> Response | None:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for a different request."))
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replay"] = "true"
    return response


def idempotent(request, act) -> Response:
    """Run `act()` (which returns a Response) at most once per user and Idempotency-Key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return act()
    if len(key) > MAX_KEY:
        raise InvalidInput(details={HEADER: [_("At most %(maximum)s characters.") % {"maximum": MAX_KEY}]})
    fingerprint = _fingerprint(request)
    replay = _replay(request.user, key, fingerprint)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=request.user, key=key, fingerprint=fingerprint)
            response = act()
            record.response_status = response.status_code
            record.response_body = json.loads(json.dumps(response.data, cls=LocalTimeJSONEncoder))
            record.save(update_fields=["response_status", "response_body"])
    except IntegrityError:
        replay = _replay(request.user, key, fingerprint)
        if replay is None:
            raise
        return replay
    return response
