"""Notifications: written with the event that causes them, delivered by the worker once, retried
after a failed delivery, never sent by two workers; digests of due and overdue steps."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.notifications.delivery import LEASE, MAX_ATTEMPTS, claim, deliver_pending
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify, render
from tests.conftest import at
from tests.flows import FUNCTION_FAULT, OUT_OF_WARRANTY, items_for, line

DOWN = "tests.notifications.backends.DownBackend"


@pytest.fixture
def emails(users):
    for name in ("alice", "bob", "service", "manager", "quality", "warehouse"):
        User.objects.filter(username=name).update(email=f"{name}@example.com")


@pytest.fixture
def received_case(new_case, flow, detail, registry, emails):
    def make(lines=None):
        lines = lines or [line(serials=["HT26090001"])]
        case = new_case(lines=lines)
        flow("service", "submit", case)
        flow("service", "approve", case)
        flow("warehouse", "start_receiving", case)
        flow("warehouse", "receive", case, items=items_for(lines))
        flow("warehouse", "close_receipt", case)
        return case

    return make


@pytest.mark.django_db
def test_a_customer_notice_is_written_with_its_event_for_the_customer_only(received_case):
    case = received_case()
    rows = Notification.objects.filter(kind="customer_notice").order_by("id")
    assert [(n.recipient.username, n.context["notice"]) for n in rows] == [("alice", "decision"),
                                                                           ("alice", "receipt")]
    receipt = rows.last()
    assert (receipt.email_status, receipt.subject_id, receipt.context["case"]) == ("pending", case["id"],
                                                                                   case["number"])
    subject, body = render(receipt, "en")
    assert subject == f"Aftersales: Receipt notice for case {case['number']}"
    assert "1 unit(s)" in body and "Line 1: 1 on the note, 1 arrived." in body
    subject, body = render(receipt, "zh-hans")
    assert case["number"] in subject and "收货通知" in subject and "已收到" in body


@pytest.mark.django_db
def test_the_charge_notice_names_the_amount_and_the_expected_return_date(received_case, flow, detail):
    case = received_case([line(serials=[OUT_OF_WARRANTY.format(1)], production_lot="250110-1")])
    unit_id = detail(case)["units"][0]["id"]
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="380.00", expected_return_date="2026-12-10")
    charge = Notification.objects.filter(kind="customer_notice", context__notice="charge").get()
    subject, body = render(charge, "en")
    assert "380.00 yuan" in body and "Expected return date: 2026-12-10." in body


@pytest.mark.django_db
def test_no_e_mail_for_a_user_without_an_address(users, emails):
    notify([{"id": users["quality"].pk, "email": ""}], "customer_notice", {})
    assert Notification.objects.get().email_status == "none"
    notify([{"id": users["alice"].pk, "email": "alice@example.com"}], "customer_notice", {})
    User.objects.filter(username="alice").update(email="")  # removed before the worker came
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0, "skipped": 1}
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"none"}


@pytest.mark.django_db
def test_delivered_once_by_the_worker(received_case, django_capture_on_commit_callbacks, db_worker):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        received_case()
    # One delivery task per transaction that wrote notifications with an address: the test runs every
    # request inside its one transaction, so the decision and the receipt share one task.
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_notifications").count() == 1
    db_worker()
    assert len(mail.outbox) == 2 and {m.to[0] for m in mail.outbox} == {"alice@example.com"}
    ids = {message.extra_headers["Message-ID"] for message in mail.outbox}
    assert ids == {f"<notification-{n.pk}@aftersales.localhost>" for n in Notification.objects.all()}
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
    assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_failed_delivery_is_retried_later_and_given_up_in_the_end(users, settings, emails):
    notify([{"id": users["alice"].pk, "email": "alice@example.com"}], "customer_notice",
           {"notice": "refund", "case": "RMA-2026-000001", "content": {"amount": "99.00"}})
    settings.EMAIL_BACKEND = DOWN
    now = timezone.now()
    assert deliver_pending(at=now) == {"sent": 0, "retry": 1, "failed": 0, "skipped": 0}
    row = Notification.objects.get()
    assert (row.email_status, row.attempts) == ("pending", 1) and "Connection unexpectedly closed" in row.last_error
    assert row.next_attempt_at == now + dt.timedelta(minutes=1)
    assert deliver_pending(at=now + dt.timedelta(seconds=30)) == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}  # not yet
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_pending(at=row.next_attempt_at) == {"sent": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert Notification.objects.get().email_status == "sent" and len(mail.outbox) == 1

    notify([{"id": users["bob"].pk, "email": "bob@example.com"}], "customer_notice",
           {"notice": "refund", "case": "RMA-2026-000002", "content": {"amount": "1.00"}})
    settings.EMAIL_BACKEND = DOWN
    for _attempt in range(MAX_ATTEMPTS):
        row = Notification.objects.get(recipient=users["bob"])
        deliver_pending(at=row.next_attempt_at)
    row = Notification.objects.get(recipient=users["bob"])
    assert (row.email_status, row.attempts) == ("failed", MAX_ATTEMPTS)


@pytest.mark.django_db
def test_a_worker_that_died_mid_send_leaves_the_row_to_another_after_the_lease(users, emails):
    notify([{"id": users["alice"].pk, "email": "alice@example.com"}], "customer_notice",
           {"notice": "refund", "case": "RMA-2026-000001", "content": {"amount": "99.00"}})
    now = timezone.now()
    assert len(claim(worker="A", at=now, limit=10)) == 1  # A claims it, then dies
    assert deliver_pending(worker="B", at=now + dt.timedelta(seconds=10))["sent"] == 0
    assert deliver_pending(worker="B", at=now + LEASE + dt.timedelta(seconds=1))["sent"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="two workers at once need row locks (SQLite serialises whole transactions)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as tests/returns/test_concurrency.py
def test_two_workers_never_send_the_same_notification(users, emails):
    recipients = [{"id": users["alice"].pk, "email": "alice@example.com"}]
    for number in range(150):
        notify(recipients, "customer_notice", {"notice": "refund", "case": f"RMA-2026-{number:06d}",
                                               "content": {"amount": "1.00"}})
    barrier = threading.Barrier(3)

    def work(index):
        try:
            barrier.wait(timeout=30)
            return deliver_pending(worker=f"worker-{index}", limit=10)["sent"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        sent = list(pool.map(work, range(3)))
    assert sum(sent) == 150
    message_ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert len(message_ids) == len(set(message_ids)) == 150
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


# --- reminders and escalations ---

@pytest.mark.django_db
def test_sweep_reminds_the_role_then_escalates_to_its_manager_once_each(new_case, flow, clock, registry, emails):
    from aftersales.deadlines.services import deadlines_sweep

    clock("2026-11-02T09:00")  # Monday; approval and first reply due Tue 09:00, escalation Wed 09:00
    cases = [new_case() for _ in range(2)]
    for case in cases:
        flow("service", "submit", case)
    Notification.objects.all().delete()
    assert deadlines_sweep(at=at("2026-11-02T12:00")) == {}
    assert deadlines_sweep(at=at("2026-11-03T06:00")) == {"approaching": 4}
    digest = Notification.objects.get()
    assert (digest.recipient.username, digest.kind, digest.context["count"]) == ("service", "deadline_alert", 4)
    subject, body = render(digest, "en")
    assert subject == "Aftersales: Approaching: 4 steps" and cases[0]["number"] in body
    assert deadlines_sweep(at=at("2026-11-03T06:30")) == {}  # told once
    assert deadlines_sweep(at=at("2026-11-03T10:00")) == {"overdue": 4}
    assert deadlines_sweep(at=at("2026-11-04T10:00")) == {"escalated": 4}
    told = list(Notification.objects.order_by("id").values_list("recipient__username", "context__level"))
    assert told == [("service", 1), ("service", 2), ("manager", 3)]
    assert "manager" in render(Notification.objects.order_by("id").last(), "en")[1]
    # The complaint cycles (due 16 Nov) are found past their grace at once: straight to the manager.
    assert deadlines_sweep(at=at("2026-11-20T10:00")) == {"escalated": 2}
    assert deadlines_sweep(at=at("2026-11-20T10:00")) == {}
    # A step met before its alert is never swept.
    flow("service", "approve", cases[0])
    assert deadlines_sweep(at=at("2026-11-20T10:00")) == {}


@pytest.mark.django_db
def test_a_digest_marks_the_steps_due_in_an_unconfirmed_year(new_case, flow, clock, registry, emails):
    from aftersales.deadlines.services import deadlines_sweep

    clock("2026-12-31T09:00")  # Thursday; 1–3 January off: one working day later is Monday 4 January 2027
    flow("service", "submit", new_case())
    Notification.objects.all().delete()
    assert deadlines_sweep(at=at("2027-01-04T06:00")) == {"approaching": 2}
    digest = Notification.objects.get()
    body = render(digest, "en")[1]
    assert body.count("(due 2027-01-04 09:00; provisional: the official holiday schedule of 2027 is not confirmed)") == 2
    assert "暂定：2027 年国家节假日安排尚未确认" in render(digest, "zh-hans")[1]


@pytest.mark.django_db
def test_customer_answer_overdue_tells_that_customer_then_service(received_case, flow, detail, clock, emails):
    clock("2026-11-02T09:00")
    case = received_case([line(serials=[OUT_OF_WARRANTY.format(1)], production_lot="250110-1")])
    unit_id = detail(case)["units"][0]["id"]
    flow("quality", "inspect", case, unit_ids=[unit_id], result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=[unit_id], disposition="repair")
    flow("service", "quote_charge", case, unit_ids=[unit_id], amount="100.00")
    Notification.objects.all().delete()
    from aftersales.deadlines.services import deadlines_sweep

    deadlines_sweep(at=at("2026-11-09T12:00"))  # customer's answer was due Mon 9 Nov 09:00
    told = {(n.recipient.username, n.context["level"]) for n in Notification.objects.filter(context__role="customer")}
    assert told == {("alice", 2)}
    deadlines_sweep(at=at("2026-11-10T09:00"))  # and the grace of 24 hours on working days is over
    escalated = Notification.objects.filter(context__level=3, context__items__0__kind="customer_answer")
    assert {n.recipient.username for n in escalated} == {"service"}


@pytest.mark.django_db
def test_api_lists_my_notifications_in_my_language_and_marks_them_read(received_case, api):
    case = received_case()
    mine = api("alice").get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [n["subject"] for n in mine["results"]][0] == f"Aftersales: Receipt notice for case {case['number']}"
    assert api("bob").get("/api/v1/notifications/").json()["count"] == 0
    first = mine["results"][0]["id"]
    assert api("bob").post(f"/api/v1/notifications/{first}/read/").status_code == 404
    assert api("alice").post(f"/api/v1/notifications/{first}/read/").json()["read_at"] is not None
    assert api("alice").get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 1
    assert api("alice").post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert api(None).get("/api/v1/notifications/").status_code in (401, 403)


@pytest.mark.django_db
def test_plain_text_is_not_html_escaped_and_the_page_escapes_it_once(users, emails, client):
    text = "A&B ‹测试> <script>x</script>"
    notify([{"id": users["alice"].pk, "email": "alice@example.com"}], "service_request_notice",
           {"notice": "reply", "request": "SR-2026-000001", "content": text})
    subject, body = render(Notification.objects.get(), "en")
    assert body == text and "&amp;" not in subject
    assert deliver_pending()["sent"] == 1
    assert mail.outbox[-1].body == text
    client.force_login(users["alice"])
    page = client.get("/notifications/").content.decode()
    assert "A&amp;B ‹测试&gt; &lt;script&gt;x&lt;/script&gt;" in page and "&amp;lt;" not in page
