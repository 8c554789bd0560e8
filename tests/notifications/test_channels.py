"""Notification channels: WeCom and DingTalk group robots, an SMS gateway and a shared mailbox, each for
a staff role or a customer, delivered by the outbox worker once per channel, retried with backoff,
against a fake HTTP server on 127.0.0.1 (never the internet); managers configure them through the API
with secrets named, never shown."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from aftersales.notifications import rules
from aftersales.notifications.delivery import (
    BACKOFF_SECONDS,
    LEASE,
    MAX_ATTEMPTS,
    claim_channel_deliveries,
    deliver_pending,
)
from aftersales.notifications.models import ChannelDelivery, NotificationChannel
from aftersales.notifications.services import notify, recipients

KEY = "abcd1234-robot-key-5678"
SIGNING = "SECdeadbeef0123456789signing"
TOKEN = "gateway-token-0042"
REFUND = {"notice": "refund", "case": "RMA-2026-000001", "content": {"amount": "99.00"}}
NONE = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}


class FakeRemote:
    """What the robots and the gateway received; the answers it gives next (status, JSON, delay)."""

    def __init__(self):
        self.received, self.answers, self.lock = [], [], threading.Lock()
        self.default = (200, {"errcode": 0, "errmsg": "ok"}, 0)
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urllib.parse.urlsplit(self.path)
                with remote.lock:
                    remote.received.append({"path": parts.path, "query": dict(urllib.parse.parse_qsl(parts.query)),
                                            "headers": dict(self.headers), "body": body})
                    status, answer, delay = remote.answers.pop(0) if remote.answers else remote.default
                if delay:
                    time.sleep(delay)
                raw = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:
                    pass  # the client gave up waiting (the timeout test)

            def log_message(self, *args):
                pass

        return Handler

    def json(self, index=-1) -> dict:
        return json.loads(self.received[index]["body"])


@pytest.fixture
def remote():
    fake = FakeRemote()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def secrets(monkeypatch, remote, settings):
    settings.AFTERSALES_SITE_URL = "https://aftersales.example.cn"
    settings.AFTERSALES_CHANNEL_SECRETS_FILE = ""
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_WECOM_QUALITY", f"{remote.url}/cgi-bin/webhook/send?key={KEY}")
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_DING_SERVICE", f"{remote.url}/robot/send?access_token={KEY}")
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_DING_SIGN", SIGNING)
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_SMS_TOKEN", TOKEN)


def channel(**fields) -> NotificationChannel:
    return NotificationChannel.objects.create(**{"name": fields.get("kind", "wecom") + str(
        NotificationChannel.objects.count()), **fields})


def wecom(**fields):
    return channel(**{"kind": "wecom", "role": "quality", "secret_name": "WECOM_QUALITY", **fields})


def sms(remote, **fields):
    template = json.dumps({"mobile": "{phone}", "content": "{text}", "sign": "华东售后"}, ensure_ascii=False)
    defaults = {"kind": "sms", "role": "quality", "url": f"{remote.url}/sms/send", "secret_name": "SMS_TOKEN",
                "addresses": "13800138000, 13900139000", "body_template": template, "auth_header": "Authorization",
                "auth_scheme": "Bearer"}
    return channel(**{**defaults, **fields})


def tell_quality(case_id=7):
    return notify(recipients(role="quality"), "customer_notice", REFUND, subject_type="return_case", subject_id=case_id)


# --- the robots' markdown, the signature, the SMS body ---

@pytest.mark.django_db
def test_a_wecom_robot_gets_the_message_as_markdown_in_chinese_with_its_link(users, remote, secrets):
    wecom()
    tell_quality()
    assert deliver_pending() == {**NONE, "sent": 1}
    request = remote.received[0]
    assert (request["path"], request["query"]) == ("/cgi-bin/webhook/send", {"key": KEY})
    assert request["headers"]["Content-Type"].startswith("application/json")
    payload = remote.json()
    assert payload["msgtype"] == "markdown" and set(payload["markdown"]) == {"content"}
    content = payload["markdown"]["content"]
    first, *rest = content.splitlines()
    assert first.startswith("**") and first.endswith("**") and "RMA-2026-000001" in first and "退款" in first
    assert "已登记退款 99.00 元" in content  # the body, in Chinese
    assert rest[-1] == "[打开返品单](https://aftersales.example.cn/cases/7/)"
    row = ChannelDelivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")


@pytest.mark.django_db
def test_an_english_channel_reads_in_english_and_no_link_without_the_site_address(users, remote, secrets, settings):
    settings.AFTERSALES_SITE_URL = ""
    wecom(language="en")
    tell_quality()
    deliver_pending()
    content = remote.json()["markdown"]["content"]
    assert content.splitlines()[0] == "**Aftersales: Refund for case RMA-2026-000001**"
    assert "](" not in content


@pytest.mark.django_db
def test_a_dingtalk_robot_gets_title_and_text_signed_by_its_secret(users, remote, secrets):
    channel(kind="dingtalk", role="service", secret_name="DING_SERVICE", signing_secret_name="DING_SIGN")
    before = round(time.time() * 1000)
    notify(recipients(role="service"), "customer_notice", REFUND, subject_type="return_case", subject_id=7)
    assert deliver_pending()["sent"] == 1
    query = remote.received[0]["query"]
    assert set(query) == {"access_token", "timestamp", "sign"} and query["access_token"] == KEY
    assert before <= int(query["timestamp"]) <= round(time.time() * 1000)
    expected = base64.b64encode(hmac.new(SIGNING.encode(), f"{query['timestamp']}\n{SIGNING}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == expected  # parse_qsl decoded the URL-encoding DingTalk asks for
    payload = remote.json()
    assert payload["msgtype"] == "markdown"
    title, text = payload["markdown"]["title"], payload["markdown"]["text"]
    assert "RMA-2026-000001" in title and text.startswith(f"#### {title}\n\n")
    assert text.endswith("[打开返品单](https://aftersales.example.cn/cases/7/)")


@pytest.mark.django_db
def test_a_dingtalk_robot_without_signing_gets_no_signature(users, remote, secrets):
    channel(kind="dingtalk", role="service", secret_name="DING_SERVICE")
    notify(recipients(role="service"), "customer_notice", REFUND)
    deliver_pending()
    assert remote.received[0]["query"] == {"access_token": KEY}


def test_the_signature_is_dingtalks_documented_one():
    signed = rules.dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=T", "SECxyz", 1700000000000)
    digest = hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    assert signed == ("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign="
                      + urllib.parse.quote_plus(base64.b64encode(digest)))


@pytest.mark.django_db
def test_an_sms_gateway_gets_each_number_by_the_body_template_with_the_token(users, remote, secrets):
    remote.default = (200, {"result": {"code": "0"}}, 0)
    sms(remote, success_field="result.code", success_value="0")
    tell_quality()
    assert deliver_pending() == {**NONE, "sent": 2}  # one delivery per number
    bodies = sorted((json.loads(r["body"]) for r in remote.received), key=lambda body: body["mobile"])
    assert [body["mobile"] for body in bodies] == ["13800138000", "13900139000"]
    assert all(body["sign"] == "华东售后" and "RMA-2026-000001" in body["content"] and "99.00" in body["content"]
               for body in bodies)
    assert bodies[0]["content"].endswith("https://aftersales.example.cn/cases/7/")
    assert {r["headers"]["Authorization"] for r in remote.received} == {f"Bearer {TOKEN}"}
    assert {r["path"] for r in remote.received} == {"/sms/send"}


@pytest.mark.django_db
def test_an_sms_gateway_by_form_with_the_token_in_the_body(users, remote, secrets):
    remote.default = (200, {"ok": True}, 0)
    sms(remote, body_format="form", addresses="13800138000", auth_header="", auth_scheme="",
        body_template='{"to": "{phone}", "msg": "{text}", "apikey": "{token}"}', success_field="ok",
        success_value="true")
    tell_quality()
    assert deliver_pending()["sent"] == 1
    request = remote.received[0]
    assert request["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")
    form = dict(urllib.parse.parse_qsl(request["body"].decode()))
    assert (form["to"], form["apikey"]) == ("13800138000", TOKEN) and "RMA-2026-000001" in form["msg"]
    assert "Authorization" not in request["headers"]


def test_the_sms_template_keeps_quotes_in_the_text_as_json():
    body = rules.sms_body('{"m": "{phone}", "c": {"t": ["{text}"]}, "n": 1}', phone="1", text='say "hi"\n', token="")
    assert body == {"m": "1", "c": {"t": ['say "hi"\n']}, "n": 1}


@pytest.mark.django_db
def test_a_shared_mailbox_gets_an_e_mail_with_the_same_message_id_at_every_attempt(users, secrets):
    channel(kind="email", customer=users["alice"].customer, addresses="售后@example.com, qa@example.com".replace(
        "售后", "aftersales"))
    notify(recipients(customer_id=users["alice"].customer_id), "customer_notice", REFUND,
           subject_type="return_case", subject_id=7)
    assert deliver_pending()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["aftersales@example.com", "qa@example.com"]
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {f"<channel-delivery-{pk}@aftersales.localhost>" for pk in ChannelDelivery.objects.values_list(
        "pk", flat=True)}
    assert "https://aftersales.example.cn/cases/7/" in mail.outbox[0].body


@pytest.mark.django_db
def test_channels_get_the_text_as_written_not_html_escaped(users, remote, secrets):
    wecom()
    channel(kind="dingtalk", role="quality", secret_name="DING_SERVICE")
    channel(kind="email", role="quality", addresses="qa@example.com")
    text = "A&B ‹测试> <b>"
    notify(recipients(role="quality"), "service_request_notice",
           {"notice": "reply", "request": "SR-2026-000001", "content": text})
    assert deliver_pending()["sent"] == 3
    markdowns = [json.loads(request["body"])["markdown"] for request in remote.received]
    texts = [markdown.get("content") or markdown["text"] for markdown in markdowns]
    assert len(texts) == 2 and all(text in each and "&amp;" not in each for each in texts)
    assert mail.outbox[-1].body.strip() == text


# --- failures: retried with backoff, never crashing the worker, never naming the secret ---

@pytest.mark.django_db
@pytest.mark.parametrize("answer, error", [
    ((500, {"errmsg": "boom"}, 0), "HTTP 500"),
    ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}, 0), "errcode 93000: invalid webhook url"),
    ((200, {"errmsg": "?"}, 0), "no errcode"),
])
def test_a_refused_message_is_retried_after_the_backoff(users, remote, secrets, answer, error):
    wecom()
    tell_quality()
    remote.answers.append(answer)
    now = timezone.now()
    assert deliver_pending(at=now) == {**NONE, "retry": 1}
    row = ChannelDelivery.objects.get()
    assert (row.status, row.attempts) == ("pending", 1) and error in row.last_error and KEY not in row.last_error
    assert row.next_attempt_at == now + dt.timedelta(seconds=BACKOFF_SECONDS[0])
    assert deliver_pending(at=now + dt.timedelta(seconds=30)) == NONE  # not yet
    assert deliver_pending(at=row.next_attempt_at) == {**NONE, "sent": 1}
    assert len(remote.received) == 2
    assert ChannelDelivery.objects.get().status == "sent"


@pytest.mark.django_db
def test_a_remote_that_does_not_answer_in_time_is_retried(users, remote, secrets, settings):
    settings.AFTERSALES_CHANNEL_TIMEOUT = 1
    wecom()
    tell_quality()
    remote.answers.append((200, {"errcode": 0}, 2.5))
    started = time.monotonic()
    assert deliver_pending(at=timezone.now()) == {**NONE, "retry": 1}
    assert time.monotonic() - started < 2.4
    assert "no answer within 1 s" in ChannelDelivery.objects.get().last_error


@pytest.mark.django_db
def test_a_remote_that_is_down_is_retried_then_given_up_and_the_others_still_go(users, remote, secrets, monkeypatch):
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_WECOM_DOWN", "http://127.0.0.1:9/cgi-bin/webhook/send?key=zzzzzzzzzz")
    channel(kind="wecom", role="quality", secret_name="WECOM_DOWN")
    wecom()
    tell_quality()
    assert deliver_pending(at=timezone.now()) == {**NONE, "sent": 1, "retry": 1}
    for _attempt in range(MAX_ATTEMPTS - 1):
        down = ChannelDelivery.objects.get(channel__secret_name="WECOM_DOWN")
        deliver_pending(at=down.next_attempt_at)
    down = ChannelDelivery.objects.get(channel__secret_name="WECOM_DOWN")
    assert (down.status, down.attempts) == ("failed", MAX_ATTEMPTS)
    assert "connection failed" in down.last_error and "zzzzzzzzzz" not in down.last_error
    assert len(remote.received) == 1


# --- once only ---

@pytest.mark.django_db
def test_delivered_once_per_channel_across_runs_and_leases(users, remote, secrets):
    wecom()
    channel(kind="dingtalk", role="quality", secret_name="DING_SERVICE")
    tell_quality()
    now = timezone.now()
    assert deliver_pending(at=now) == {**NONE, "sent": 2}
    assert deliver_pending(at=now + dt.timedelta(hours=1)) == NONE
    assert len(remote.received) == 2 and {r["path"] for r in remote.received} == {"/cgi-bin/webhook/send",
                                                                                   "/robot/send"}
    tell_quality()
    now = timezone.now()
    assert len(claim_channel_deliveries(worker="A", at=now, limit=10)) == 2  # A claims them, then dies
    assert deliver_pending(worker="B", at=now + dt.timedelta(seconds=10)) == NONE
    assert deliver_pending(worker="B", at=now + LEASE + dt.timedelta(seconds=1))["sent"] == 2
    assert len(remote.received) == 4


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="two workers at once need row locks (SQLite serialises whole transactions)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_never_send_the_same_channel_delivery(users, remote, secrets):
    wecom()
    for number in range(60):
        notify(recipients(role="quality"), "customer_notice", {**REFUND, "case": f"RMA-2026-{number:06d}"})
    barrier = threading.Barrier(3)

    def work(index):
        try:
            barrier.wait(timeout=30)
            return deliver_pending(worker=f"worker-{index}", limit=5)["sent"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert sum(pool.map(work, range(3))) == 60
    cases = [remote.json(index)["markdown"]["content"].split("RMA-2026-")[1][:6] for index in range(60)]
    assert len(set(cases)) == 60


# --- routing: per role, per customer ---

@pytest.mark.django_db
def test_a_customers_channel_hears_only_of_that_customers_notices(users, remote, secrets, monkeypatch):
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_ALICE", f"{remote.url}/alice?key={KEY}")
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_BOB", f"{remote.url}/bob?key={KEY}")
    alice = channel(kind="wecom", customer=users["alice"].customer, secret_name="ALICE")
    channel(kind="wecom", customer=users["bob"].customer, secret_name="BOB")
    wecom()
    notify(recipients(customer_id=users["alice"].customer_id), "customer_notice", REFUND)
    notify(recipients(role="service"), "customer_notice", REFUND)  # no channel of service's
    assert list(ChannelDelivery.objects.values_list("channel", flat=True)) == [alice.pk]
    deliver_pending()
    assert [r["path"] for r in remote.received] == ["/alice"]


@pytest.mark.django_db
def test_a_roles_channel_is_told_even_when_the_role_has_no_user(users, remote, secrets):
    wecom()
    users["quality"].groups.clear()
    assert tell_quality() == 0  # no user to tell
    assert deliver_pending()["sent"] == 1


@pytest.mark.django_db
def test_a_plain_list_of_users_reaches_the_users_only(users, secrets):
    wecom()
    notify([{"id": users["quality"].pk, "email": ""}], "customer_notice", REFUND)
    assert not ChannelDelivery.objects.exists()


@pytest.mark.django_db
def test_the_sweeps_digests_reach_the_customers_channel(new_case, flow, clock, registry, remote, secrets, users,
                                                        monkeypatch):
    from aftersales.deadlines.services import deadlines_sweep
    from tests.conftest import at

    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_ALICE", f"{remote.url}/alice?key={KEY}")
    channel(kind="wecom", customer=users["alice"].customer, secret_name="ALICE")
    channel(kind="wecom", customer=users["bob"].customer, secret_name="ALICE")
    wecom(name="service", role="service")
    clock("2026-11-02T09:00")
    flow("service", "submit", new_case())
    ChannelDelivery.objects.all().delete()
    deadlines_sweep(at=at("2026-11-03T06:00"))
    told = list(ChannelDelivery.objects.values_list("channel__role", "kind"))
    assert told == [("service", "deadline_alert")]


@pytest.mark.django_db
def test_a_switched_off_channel_is_not_told_and_its_waiting_messages_are_skipped(users, remote, secrets):
    robot = wecom()
    tell_quality()
    NotificationChannel.objects.filter(pk=robot.pk).update(is_active=False)
    tell_quality()
    assert ChannelDelivery.objects.count() == 1
    assert deliver_pending() == {**NONE, "skipped": 1}
    assert remote.received == [] and ChannelDelivery.objects.get().status == "none"


# --- configuration errors ---

@pytest.mark.django_db
def test_a_missing_secret_is_reported_by_name_and_retried_until_it_is_set(users, remote, secrets, monkeypatch, client):
    channel(kind="wecom", role="quality", secret_name="WECOM_LATER", name="质量部群")
    tell_quality()
    now = timezone.now()
    assert deliver_pending(at=now) == {**NONE, "retry": 1}
    row = ChannelDelivery.objects.get()
    assert row.last_error == ("质量部群: secret WECOM_LATER is not set (environment variable "
                              "AFTERSALES_CHANNEL_SECRET_WECOM_LATER or the secrets file)")
    warnings = client.get("/healthz").json()["warnings"]
    assert "notification channel 质量部群: secret WECOM_LATER is not set" in warnings
    monkeypatch.setenv("AFTERSALES_CHANNEL_SECRET_WECOM_LATER", "ftp://nope")
    assert deliver_pending(at=row.next_attempt_at) == {**NONE, "retry": 1}
    assert "secret WECOM_LATER is not a webhook address" in ChannelDelivery.objects.get().last_error


@pytest.mark.django_db
def test_secrets_are_read_from_the_secrets_file(users, remote, secrets, settings, tmp_path):
    path = tmp_path / "channel-secrets.json"
    path.write_text(json.dumps({"WECOM_FILE": f"{remote.url}/cgi-bin/webhook/send?key={KEY}"}), encoding="utf-8")
    settings.AFTERSALES_CHANNEL_SECRETS_FILE = str(path)
    channel(kind="wecom", role="quality", secret_name="WECOM_FILE")
    tell_quality()
    assert deliver_pending()["sent"] == 1


def test_configuration_rules_name_every_wrong_field():
    staff, languages = ["quality", "service"], ["zh-hans", "en"]

    def problems(**config):
        return rules.channel_problems({"language": "zh-hans", "body_format": "json", **config}, staff_roles=staff,
                                      languages=languages)

    assert problems(kind="wecom", role="quality", secret_name="WECOM_QUALITY") == {}
    assert set(problems(kind="fax", role="quality")) == {"kind"}
    assert set(problems(kind="wecom", role="quality", customer_id=1, secret_name="A")) == {"role"}
    assert set(problems(kind="wecom", secret_name="A")) == {"role"}
    assert set(problems(kind="wecom", role="customer", secret_name="A")) == {"role"}  # every customer: never
    assert set(problems(kind="wecom", role="quality")) == {"secret_name"}
    assert set(problems(kind="wecom", role="quality", secret_name="lower-case")) == {"secret_name"}
    assert set(problems(kind="wecom", role="quality", secret_name="A", signing_secret_name="B")) == {
        "signing_secret_name"}
    assert set(problems(kind="email", role="quality", addresses="not-an-address")) == {"addresses"}
    assert set(problems(kind="sms", role="quality", addresses="12ab", url="ftp://x",
                        body_template='{"content": "{text}"}', auth_header="Bad Header")) == {
        "addresses", "url", "body_template", "auth_header", "secret_name"}
    assert problems(kind="sms", role="quality", addresses="13800138000；+86-139-0013-9000", url="https://sms.example.cn",
                    body_template='{"m": "{phone}", "c": "{text}"}') == {}


# --- the API for managers ---

def _robot_body(**more):
    return {"name": "质量部企业微信群", "kind": "wecom", "role": "quality", "secret_name": "WECOM_QUALITY", **more}


@pytest.mark.django_db
def test_managers_configure_channels_and_secrets_are_never_shown(api, users, secrets, customers):
    made = api("manager").post("/api/v1/notification-channels/", _robot_body(), format="json")
    assert made.status_code == 201, made.json()
    answer = made.json()
    assert (answer["name"], answer["kind"], answer["role"], answer["customer"], answer["language"],
            answer["secret_name"], answer["secrets_missing"]) == ("质量部企业微信群", "wecom", "quality", None, "zh-hans",
                                                                "WECOM_QUALITY", [])
    listed = api("manager").get("/api/v1/notification-channels/")
    assert listed.json()["count"] == 1
    sms_made = api("manager").post("/api/v1/notification-channels/", {
        "name": "客户短信", "kind": "sms", "customer": "C-ALICE", "url": "https://sms.example.cn/send",
        "addresses": "13800138000", "body_template": '{"m": "{phone}", "c": "{text}"}',
        "auth_header": "X-Token", "secret_name": "SMS_MISSING"}, format="json")
    assert sms_made.status_code == 201 and sms_made.json()["secrets_missing"] == ["SMS_MISSING"]
    changed = api("manager").patch(f"/api/v1/notification-channels/{answer['id']}/", {"is_active": False},
                                   format="json")
    assert changed.json()["is_active"] is False
    for response in (made, listed, sms_made, changed):
        assert KEY not in response.content.decode() and TOKEN not in response.content.decode()
    history = NotificationChannel.objects.get(pk=answer["id"]).history.all()
    assert [(entry.history_type, entry.history_user.username, entry.is_active) for entry in history] == [
        ("~", "manager", False), ("+", "manager", True)]


@pytest.mark.django_db
def test_a_wrong_configuration_is_refused_whole_with_its_code(api, users, secrets):
    refused = api("manager").post("/api/v1/notification-channels/", _robot_body(role="customer", secret_name=""),
                                  format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    error = refused.json()
    assert error["code"] == "channel_config_invalid" and set(error["details"]) == {"role", "secret_name"}
    assert "Not a staff role" in error["details"]["role"][0]
    zh = api("manager").post("/api/v1/notification-channels/", _robot_body(customer="NOPE", role=""), format="json")
    assert zh.json()["code"] == "channel_config_invalid" and set(zh.json()["details"]) == {"customer"}
    assert not NotificationChannel.objects.exists()
    made = api("manager").post("/api/v1/notification-channels/", _robot_body(), format="json").json()
    again = api("manager").post("/api/v1/notification-channels/", _robot_body(), format="json")
    assert again.json()["code"] == "channel_config_invalid" and set(again.json()["details"]) == {"name"}
    patched = api("manager").patch(f"/api/v1/notification-channels/{made['id']}/",
                                   {"kind": "sms", "secret_value": "x"}, format="json")
    assert patched.status_code == 400 and patched.json()["code"] == "channel_config_invalid"
    assert NotificationChannel.objects.get().kind == "wecom"
    too_long = api("manager").post("/api/v1/notification-channels/", _robot_body(name="名" * 101), format="json")
    assert too_long.json()["code"] == "channel_config_invalid" and set(too_long.json()["details"]) == {"name"}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["service", "quality", "alice"])
def test_only_managers_see_or_change_channels(api, users, persona, secrets):
    robot = wecom()
    assert api(persona).get("/api/v1/notification-channels/").json()["code"] == "permission_denied"
    assert api(persona).get(f"/api/v1/notification-channels/{robot.pk}/").status_code == 403
    refused = api(persona).post("/api/v1/notification-channels/", _robot_body(name="x"), format="json")
    assert refused.json()["code"] == "permission_denied"
    assert api(persona).patch(f"/api/v1/notification-channels/{robot.pk}/", {"is_active": False},
                              format="json").status_code == 403
    assert NotificationChannel.objects.get().is_active and NotificationChannel.objects.count() == 1
    assert api(None).get("/api/v1/notification-channels/").status_code in (401, 403)
    assert api("manager").get("/api/v1/notification-channels/999999/").json()["code"] == "not_found"


# --- the admin ---

@pytest.mark.django_db
def test_the_admin_checks_a_channel_as_the_api_does_and_shows_secrets_by_name(client, users, secrets):
    from django.urls import reverse

    from aftersales.accounts.models import User

    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "x"))
    add = reverse("admin:notifications_notificationchannel_add")
    form = {"name": "质量部群", "kind": "wecom", "role": "customer", "language": "zh-hans", "is_active": "on",
            "secret_name": "WECOM_QUALITY", "body_format": "json"}
    refused = client.post(add, form)
    assert refused.status_code == 200 and "不是员工角色" in refused.content.decode()
    assert not NotificationChannel.objects.exists()
    assert client.post(add, {**form, "role": "quality"}).status_code == 302
    robot = NotificationChannel.objects.get()
    page = client.get(reverse("admin:notifications_notificationchannel_change", args=[robot.pk])).content.decode()
    assert "WECOM_QUALITY" in page and KEY not in page
    listing = client.get(reverse("admin:notifications_notificationchannel_changelist")).content.decode()
    assert KEY not in listing


@pytest.mark.django_db
def test_a_manager_sends_a_test_message_and_hears_why_it_did_not_arrive(api, users, remote, secrets):
    robot = wecom(name="质量部群")
    tested = api("manager").post(f"/api/v1/notification-channels/{robot.pk}/test/")
    assert tested.json() == {"results": [{"address": "", "delivered": True, "error": ""}]}
    content = remote.json()["markdown"]["content"]
    assert "质量部群" in content and "测试" in content and "质量" in content
    remote.answers.append((200, {"errcode": 310000, "errmsg": f"keywords not in content, key={KEY}"}, 0))
    refused = api("manager").post(f"/api/v1/notification-channels/{robot.pk}/test/").json()["results"][0]
    assert refused["delivered"] is False and "errcode 310000" in refused["error"] and KEY not in refused["error"]
    unset = channel(kind="dingtalk", role="service", secret_name="DING_UNSET")
    missing = api("manager").post(f"/api/v1/notification-channels/{unset.pk}/test/").json()["results"][0]
    assert missing["error"].startswith("secret DING_UNSET is not set")
    assert api("quality").post(f"/api/v1/notification-channels/{robot.pk}/test/").status_code == 403
    assert not ChannelDelivery.objects.exists()


def test_a_long_message_is_cut_to_what_the_robot_takes_keeping_its_link():
    link = {"url": "https://aftersales.example.cn/cases/7/", "label": "打开[返品单]"}
    body = "\n".join(f"- RMA-2026-{n:06d} 最终检验（到期 2026-11-03 09:00）" for n in range(400))
    content = rules.wecom_payload("Aftersales：逾期：400 个步骤", body, link)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= rules.WECOM_MAX_BYTES
    assert content.endswith("\n[打开(返品单)](https://aftersales.example.cn/cases/7/)") and "…" in content
    text = rules.dingtalk_payload("标题", body, link)["markdown"]["text"]
    assert len(text.encode("utf-8")) <= rules.DINGTALK_MAX_BYTES and text.endswith("/cases/7/)")
    assert "  \n- RMA-2026-000001" in text  # DingTalk's line breaks
    assert len(rules.sms_text("标题", body, link)) == rules.SMS_MAX_CHARS
