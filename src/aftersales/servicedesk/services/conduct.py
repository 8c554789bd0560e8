"""Complaints about service staff (来电、来函、来人反应服务人员表现不良): the request names the person; the service
manager verifies the complaint (一经查实) or rejects it, with a finding; a verified one is recorded against the
person (ConductRecord), the record the penalty ledger reads. Both are steps of the request's table
(workflow.py): only the manager takes them."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput
from aftersales.core.roles import CUSTOMER, roles_of

from ..models import ConductRecord, ConductVerdict
from .common import TEXT
from .requests import act

USERNAME_LENGTH = 150


def staff_member_found(username):
    """The active staff user a complaint names; a customer's login or an unknown name is refused."""
    username = parsing.text(username, "staff_member", max_length=USERNAME_LENGTH, required=True)
    user = get_user_model().objects.filter(username=username, is_active=True, customer__isnull=True).first()
    if user is None or not roles_of(user) - {CUSTOMER}:
        raise InvalidInput(details={"staff_member": [_("No active service staff member “%(value)s”.")
                                                     % {"value": username}]})
    return user


def _finding(finding) -> str:
    return parsing.text(finding, "finding", max_length=TEXT, required=True)


@transaction.atomic
def complaint_verify(*, actor, request_id, finding=None, staff_member=None):
    """一经查实: the complaint holds; it is recorded against the person (named now if the request did not)."""
    finding = _finding(finding)
    named = staff_member_found(staff_member) if staff_member not in (None, "") else None

    def verify(ctx):
        request = ctx.record
        if named is not None:
            request.staff_member = named
        if request.staff_member_id is None:
            raise InvalidInput(details={"staff_member": [_("Name the staff member the complaint is about.")]})
        request.conduct_verdict = ConductVerdict.VERIFIED
        record = ConductRecord.objects.create(person_id=request.staff_member_id, request=request,
                                              on=timezone.localdate(), finding=finding, verified_by=actor)
        ctx.changes = {"verdict": ConductVerdict.VERIFIED, "finding": finding, "conduct_record": record.pk}

    return act(actor=actor, request_id=request_id, action="verify_complaint", handler=verify)


@transaction.atomic
def complaint_reject(*, actor, request_id, finding=None):
    """The complaint does not hold: the finding says why; nothing is recorded against the person."""
    finding = _finding(finding)

    def reject(ctx):
        ctx.record.conduct_verdict = ConductVerdict.REJECTED
        ctx.changes = {"verdict": ConductVerdict.REJECTED, "finding": finding}

    return act(actor=actor, request_id=request_id, action="reject_complaint", handler=reject)
