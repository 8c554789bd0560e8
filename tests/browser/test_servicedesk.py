"""The service desk in a real browser: a phone request registered serial first with its repeat-repair warning;
a customer answering the satisfaction survey on a phone through the signed link (no login); the complaint
ledger's Pareto chart and the satisfaction chart drawn by the vendored ECharts, without console errors; axe-core
on each page."""

import re

import pytest
from playwright.sync_api import expect

from aftersales.servicedesk.models import ServiceRequest, Survey
from aftersales.servicedesk.services import (
    request_classify,
    request_close,
    request_decide,
    request_register,
    request_reply,
    request_resolve,
    survey_answer,
    survey_token,
)

from .conftest import axe_violations, browser_test, log_in, watched, zh

pytestmark = browser_test



def test_a_phone_request_registered_serial_first_warns_of_a_repeat_repair(context_for, base_url, users, registry,
                                                                           shoot):
    earlier = request_register(actor=users["service"], channel="phone", serial="HT26090001", category="repair",
                               description="不加热")
    page = log_in(context_for().new_page(), base_url, "service")
    errors = watched(page)
    page.goto("/service-desk/new/")
    page.select_option("#id_category", "repair")
    page.locator("#id_serial").press_sequentially("HT26090001", delay=10)
    page.locator("#id_serial").press("Enter")  # a scanner's Enter looks the serial up (htmx), submits nothing
    lookup = page.locator("#lookup")
    warning = lookup.locator(".repeat-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(earlier.number)
    expect(lookup).to_contain_text("HT-2000")
    expect(lookup).to_contain_text(zh("In warranty"))
    expect(lookup.locator(f"a[href='/service-desk/{earlier.pk}/']")).to_have_count(1)  # the unit's history
    page.select_option("#id_channel", "phone")
    page.fill("#id_contact_name", "王先生")
    page.fill("#id_contact_phone", "13800000001")
    page.fill("#id_description", "又不加热了")
    shoot(page, "servicedesk-register-repeat-warning")
    assert "?" not in page.url  # nothing typed went into the address
    assert axe_violations(page) == []
    page.locator("#id_contact_phone").press("Enter")  # Enter in a field registers (a POST), as the button does
    expect(page).to_have_url(re.compile(r"/service-desk/\d+/$"))
    made = ServiceRequest.objects.get(pk=int(re.search(r"/service-desk/(\d+)/", page.url).group(1)))
    assert (made.serial, made.customer.code, made.channel, made.repeat_of_id) == (
        "HT26090001", "C-ALICE", "phone", earlier.pk)
    expect(page.locator("h1")).to_contain_text(made.number)
    assert errors == []


@pytest.fixture
def closed_request(users, registry):
    request = request_register(actor=users["service"], channel="phone", serial="HT26090002", category="repair",
                               description="不加热")
    request_reply(actor=users["service"], request_id=request.pk, content="已收到")
    request_decide(actor=users["service"], request_id=request.pk, kind="remote",
                   solution="请复位温控器")
    request_resolve(actor=users["service"], request_id=request.pk, result="已恢复")
    return request_close(actor=users["service"], request_id=request.pk)


def test_a_customer_answers_the_survey_on_a_phone_through_the_signed_link(context_for, closed_request, shoot):
    survey = Survey.objects.get(request=closed_request)
    page = context_for(phone=True).new_page()  # signed in to nothing
    errors = watched(page)
    page.goto(f"/survey/{survey_token(survey)}/")
    expect(page.locator("h1")).to_contain_text(closed_request.number)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # fits the phone: nothing to scroll sideways
    shoot(page, "servicedesk-survey-phone")
    assert axe_violations(page) == []
    for name, score in (("response", 5), ("attitude", 4), ("fix_quality", 5), ("overall", 5)):
        page.locator(f"label[for='{name}-{score}']").tap()
    page.fill("#s-comment", "师傅很专业")
    page.locator("form.survey button[type=submit]").tap()
    expect(page.locator(".alert-success")).to_contain_text(zh("Thank you: your answer is recorded."))
    expect(page.locator("form.survey")).to_have_count(0)  # answered once: no form again
    shoot(page, "servicedesk-survey-phone-answered")
    survey.refresh_from_db()
    assert (survey.response, survey.attitude, survey.fix_quality, survey.overall) == (5, 4, 5, 5)
    assert (survey.comment, survey.followup) == ("师傅很专业", "none")
    page.reload()
    expect(page.locator("form.survey")).to_have_count(0)
    assert errors == []


def test_the_ledgers_pareto_chart_and_the_satisfaction_chart_are_drawn(context_for, base_url, users, registry,
                                                                       closed_request, shoot):
    for serial, cause in (("HT26090003", "transport"), ("HT26090004", "transport"), ("HT26090005", "usage")):
        made = request_register(actor=users["service"], channel="phone", serial=serial, category="product_complaint",
                                description="漏水")
        request_classify(actor=users["quality"], request_id=made.pk, cause=cause)
    survey_answer(actor=None, survey_id=Survey.objects.get(request=closed_request).pk, response=4, attitude=5,
                  fix_quality=4, overall=4, comment="满意")

    page = log_in(context_for().new_page(), base_url, "manager")
    errors = watched(page)
    page.goto("/service-desk/complaints/?by=cause")
    chart = page.locator("#pareto-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas, svg").first).to_be_visible()
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 200, box
    shoot(page, "servicedesk-complaint-pareto")
    assert axe_violations(page) == []
    page.select_option("#f-by", "month")
    page.locator("main form.filters button[type=submit].btn-primary").click()
    expect(page).to_have_url(re.compile(r"by=month"))
    expect(page.locator("#pareto-chart")).to_have_attribute("data-rendered", "true")

    page.goto("/service-desk/satisfaction/")
    expect(page.locator("#summary [data-measure='count']")).to_have_text("1")
    months = page.locator("#satisfaction-chart")
    expect(months).to_have_attribute("data-rendered", "true")
    expect(months.locator("canvas, svg").first).to_be_visible()
    shoot(page, "servicedesk-satisfaction")
    assert axe_violations(page) == []
    assert errors == []
