"""The complaint file (投诉履历台账): each complaint's cause classified on the cause tree (master data), and the
improvement measure recorded for a frequent cause (总结投诉频率高的原因,并提出改进措施)."""

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput, NotFound
from aftersales.core.roles import require_roles

from ..models import ComplaintCause
from .common import TEXT
from .requests import act


def _cause(code) -> ComplaintCause:
    code = parsing.text(code, "cause", max_length=40, required=True)
    cause = ComplaintCause.objects.filter(code=code, is_active=True).first()
    if cause is None:
        raise InvalidInput(details={"cause": [_("Unknown cause “%(value)s”.") % {"value": code}]})
    return cause


@transaction.atomic
def request_classify(*, actor, request_id, cause=None) -> object:
    """The request's cause on the cause tree, kept in its timeline (any state: a closed complaint is filed)."""
    found = _cause(cause)

    def classify(ctx):
        ctx.changes = {"cause": found.code, "was": ctx.record.cause.code if ctx.record.cause_id else ""}
        ctx.record.cause = found

    return act(actor=actor, request_id=request_id, action="classify", handler=classify)


@transaction.atomic
def cause_improvement_set(*, actor, cause_id, improvement=None) -> ComplaintCause:
    """The improvement measure for a cause (quality or the manager)."""
    require_roles(actor, "quality", "manager")
    improvement = parsing.text(improvement, "improvement", max_length=TEXT, required=True)
    cause = ComplaintCause.objects.select_for_update().filter(pk=parsing.id_or_none(cause_id) or 0).first()
    if cause is None:
        raise NotFound()
    cause.improvement = improvement
    cause.save(update_fields=["improvement"])
    return cause
