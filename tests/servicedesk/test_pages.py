"""The service desk's pages in Chinese first: the inbox, the quick registration serial first (the lookup and
its repeat-repair warning), the request page with its decision buttons, the customer's portal pages, the
survey through its signed link on a phone (no login), and the printed forms with embedded Chinese fonts."""

import pytest

from aftersales.servicedesk.models import ServiceRequest, Survey
from aftersales.servicedesk.services import survey_token
from tests.flows import IN_WARRANTY
from tests.printing import COMPANY, embedded_fonts

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
HX = {"HTTP_HX_REQUEST": "true"}
PHONE = {**ZH, "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"}


@pytest.fixture
def registered(browser_as, registry):
    def make(role="service", **fields):
        body = {"channel": "phone", "serial": IN_WARRANTY.format(1), "category": "repair", "description": "不加热",
                **fields}
        response = browser_as(role).post("/service-desk/new/", body, **ZH)
        assert response.status_code == 302, response.content.decode()[:2000]
        return ServiceRequest.objects.order_by("-id").first()

    return make


def test_quick_registration_looks_up_the_serial_and_warns_of_a_repeat_repair(browser_as, registered):
    desk = browser_as("service")
    page = desk.get("/service-desk/new/", {"serial": IN_WARRANTY.format(1)}, **ZH).content.decode()
    assert "新建售后服务单" in page and "保内" in page
    first = registered()
    lookup = desk.get("/service-desk/new/", {"serial": IN_WARRANTY.format(1), "category": "repair"}, **ZH, **HX)
    body = lookup.content.decode()
    assert 'id="lookup"' in body and "重复维修" in body and first.number in body
    history = body[body.index(first.number):]
    assert "报修 · 已登记" in history and "repair" not in history and "registered" not in history
    second = registered()
    assert second.repeat_of == first
    assert "重复维修" in desk.get(f"/service-desk/{second.pk}/", **ZH).content.decode()


def test_a_refused_registration_says_why_beside_the_field(browser_as, registry):
    response = browser_as("service").post("/service-desk/new/", {"channel": "phone", "category": "repair",
                                                                 "customer": "C-ALICE", "description": ""}, **ZH)
    assert response.status_code == 200 and "此字段为必填项" in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_inbox_lists_the_queues_and_the_request_page_takes_each_step(browser_as, registered, users):
    request = registered()
    desk = browser_as("service")
    inbox = desk.get("/service-desk/", **ZH).content.decode()
    assert request.number in inbox and "未答复" in inbox and "已登记" in inbox
    page = desk.get(f"/service-desk/{request.pk}/", **ZH).content.decode()
    assert "首次答复" in page and "沟通记录" in page and "处理履历" in page
    assert desk.post(f"/service-desk/{request.pk}/reply/", {"content": "已收到", "channel": "phone"}).status_code == 302
    refused = desk.post(f"/service-desk/{request.pk}/decide/", {"kind": "remote"}, **ZH)
    assert refused.status_code == 400 and "此字段为必填项" in refused.content.decode()
    assert desk.post(f"/service-desk/{request.pk}/decide/", {"kind": "remote", "solution": "复位"}).status_code == 302
    assert desk.post(f"/service-desk/{request.pk}/resolve/", {"result": "已解决"}).status_code == 302
    assert desk.post(f"/service-desk/{request.pk}/close/").status_code == 302
    request.refresh_from_db()
    assert request.state == "closed" and request.surveys.count() == 1
    again = desk.post(f"/service-desk/{request.pk}/close/", **ZH)
    assert again.status_code == 409
    assert desk.post(f"/service-desk/{request.pk}/bogus/").status_code == 404
    assert browser_as("warehouse").get("/service-desk/").status_code == 404


def test_the_customer_submits_and_follows_in_the_portal_and_answers_the_survey(browser_as, registered):
    mine = registered(role="alice")
    assert mine.channel == "portal" and mine.customer.code == "C-ALICE"
    alice = browser_as("alice")
    assert mine.number in alice.get("/service-desk/mine/", **PHONE).content.decode()
    assert "沟通记录" not in alice.get(f"/service-desk/{mine.pk}/", **PHONE).content.decode()
    assert browser_as("bob").get(f"/service-desk/{mine.pk}/").status_code == 404
    desk = browser_as("service")
    desk.post(f"/service-desk/{mine.pk}/reply/", {"content": "收到"})
    desk.post(f"/service-desk/{mine.pk}/decide/", {"kind": "remote", "solution": "复位"})
    desk.post(f"/service-desk/{mine.pk}/resolve/", {"result": "已解决"})
    desk.post(f"/service-desk/{mine.pk}/close/")
    survey = Survey.objects.get(request=mine)
    assert "填写满意度调查" in alice.get(f"/service-desk/{mine.pk}/", **PHONE).content.decode()
    assert browser_as("bob").get(f"/service-surveys/{survey.pk}/").status_code == 404
    answered = alice.post(f"/service-surveys/{survey.pk}/", {"response": 5, "attitude": 5, "fix_quality": 5,
                                                             "overall": 5}, **PHONE)
    assert answered.status_code == 200 and "谢谢" in answered.content.decode()


def test_the_survey_link_works_without_login_on_a_phone(client, browser_as, registered):
    request = registered()
    desk = browser_as("service")
    for step, body in (("reply", {"content": "收到"}), ("decide", {"kind": "remote", "solution": "复位"}),
                       ("resolve", {"result": "已解决"}), ("close", {})):
        desk.post(f"/service-desk/{request.pk}/{step}/", body)
    token = survey_token(Survey.objects.get(request=request))
    page = client.get(f"/survey/{token}/", **PHONE)
    assert page.status_code == 200 and "满意度调查表" in page.content.decode() and 'name="overall"' in page.content.decode()
    low = client.post(f"/survey/{token}/", {"response": 1, "attitude": 2, "fix_quality": 1, "overall": 1,
                                            "comment": "没修好", "followup": "reopen"}, **PHONE)
    assert "再次处理" in low.content.decode()
    request.refresh_from_db()
    assert request.state == "reopened"
    assert client.get(f"/survey/{token}x/", **PHONE).status_code == 404


@pytest.fixture
def _company(settings):
    settings.COMPANY_NAME = COMPANY


@pytest.mark.parametrize("form", ["service_order", "survey"])
def test_printed_forms_embed_chinese_fonts(browser_as, registered, form, tmp_path, _company):
    request = registered()
    page = browser_as("service").get(f"/service-desk/{request.pk}/print/{form}/", **ZH)
    assert page.status_code == 200 and COMPANY in page.content.decode()
    assert {"service_order": "售后服务单", "survey": "满意度调查表"}[form] in page.content.decode()
    pdf = browser_as("service").get(f"/service-desk/{request.pk}/print/{form}/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    fonts = embedded_fonts(pdf.content, tmp_path)
    cjk = {name: embedded for name, embedded in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk and all(cjk.values()), fonts
    assert browser_as("alice").get(f"/service-desk/{request.pk}/print/{form}/").status_code == 404


def test_the_pages_name_priority_warranty_decision_and_channel_in_words(browser_as, registered):
    request = registered(priority="high")
    desk = browser_as("service")
    inbox = desk.get("/service-desk/", **ZH).content.decode().split("<main")[1]
    assert "<td>高</td>" in inbox and ">high<" not in inbox
    desk.post(f"/service-desk/{request.pk}/reply/", {"content": "已收到", "channel": "phone"})
    desk.post(f"/service-desk/{request.pk}/decide/", {"kind": "remote", "solution": "复位温控器"})
    page = desk.get(f"/service-desk/{request.pk}/", **ZH).content.decode().split("<main")[1]
    assert "报修 · 高" in page and "(保内)" in page and "(in)" not in page
    assert "处理方式" in page and "远程答复解决: 复位温控器" in page and "审批结果" not in page
    assert "电话: 已收到" in page and "phone:" not in page
