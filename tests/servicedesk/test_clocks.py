"""The service request's clocks on China's working days: the first reply within 24 hours counted on working
days, the resolution by priority (plus on-site time), reminders and escalation through the existing sweep."""

import pytest

from aftersales.deadlines.models import AlertLevel, Deadline
from aftersales.deadlines.services import deadlines_sweep
from aftersales.notifications.models import Notification
from aftersales.servicedesk.services import request_register, request_reply
from tests.conftest import at

pytestmark = pytest.mark.django_db


def _register(users, **fields):
    return request_register(actor=users["service"], customer="C-ALICE", channel="phone", description="不加热",
                            **{"category": "repair", **fields})


def test_a_friday_evening_call_is_answered_by_monday_evening(users, clock):
    clock("2026-11-06T17:00")  # a Friday
    request = _register(users)
    clocks = {d.kind: d for d in Deadline.objects.filter(subject_type="service_request", subject_id=request.pk)}
    assert clocks["service_first_reply"].due_at == at("2026-11-09T17:00")
    assert clocks["service_resolution"].due_at == at("2026-11-13T17:00")  # normal: 5 working days
    clock("2026-11-09T10:00")
    request_reply(actor=users["service"], request_id=request.pk, content="已收到")
    clocks["service_first_reply"].refresh_from_db()
    assert clocks["service_first_reply"].state == "met" and clocks["service_first_reply"].late is False


def test_resolution_time_follows_priority_and_on_site_categories(users, clock):
    clock("2026-11-02T09:00")  # a Monday
    urgent = _register(users, priority="urgent")
    visit = _register(users, category="installation", priority="normal")
    due = {r.pk: Deadline.objects.get(subject_id=r.pk, subject_type="service_request", kind="service_resolution").due_at
           for r in (urgent, visit)}
    assert due[urgent.pk] == at("2026-11-03T09:00") and due[visit.pk] == at("2026-11-11T09:00")


def test_an_unanswered_request_is_escalated_to_the_manager_by_the_sweep(users, clock):
    clock("2026-11-02T09:00")
    request = _register(users)
    deadlines_sweep(at=at("2026-11-04T10:00"))
    reply = Deadline.objects.get(subject_id=request.pk, subject_type="service_request", kind="service_first_reply")
    assert reply.alert_level == AlertLevel.ESCALATED
    assert Notification.objects.filter(recipient=users["manager"]).exists()
