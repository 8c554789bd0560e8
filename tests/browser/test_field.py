"""Field service in a real browser: the technician's day on a phone from check-in to the signed report and
check-out, with the report kept on the phone while the connection is down and sent once when it returns; the
dispatch board assigning an order on a desktop; axe-core on each page."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from aftersales.core.models import IdempotencyRecord
from aftersales.field.models import FieldOrder, OrderEvent
from aftersales.field.services import field_order_create, order_call_confirm

from .conftest import axe_violations, browser_test, log_in, watched, zh

pytestmark = browser_test


@pytest.fixture
def dispatched(users, customers, product_models):
    with transaction.atomic():  # the creating transaction, as a service's caller gives it
        return field_order_create(actor=users["service"], customer=customers["alice"], site_address="上海市张江路 100 号",
                              contact_name="王先生", contact_phone="13800000001", product_model=product_models["HT-2000"],
                              serial="HT26090001", description="不加热", technician=users["technician"])


def test_the_technicians_day_on_a_phone_from_check_in_to_check_out(context_for, base_url, users, dispatched, shoot):
    context = context_for(phone=True)
    page = log_in(context.new_page(), base_url, "technician")
    errors = watched(page)
    page.goto("/field/day/")
    card = page.locator("article", has_text=dispatched.number)
    expect(card).to_contain_text("上海市张江路 100 号")
    expect(card.locator("a[href^='tel:']")).to_have_text("13800000001")
    assert axe_violations(page) == []
    shoot(page, "field-day-phone")
    card.get_by_role("link", name=zh("Accept or refuse")).click()
    page.get_by_role("button", name=zh("Accept the dispatch")).click()
    page.get_by_role("button", name=zh("Check in on site")).click()
    expect(page.locator("#report-form")).to_be_visible()
    assert axe_violations(page) == []
    page.fill("#r-fault_cause", "温控器触点烧蚀")
    page.fill("#r-solution", "更换温控器，试机正常")
    page.fill("#r-hours", "1.5")
    page.fill("#r-opinion", "满意")
    page.fill("#r-signed_by", "王先生")
    page.locator("#signature-pad").scroll_into_view_if_needed()
    pad = page.locator("#signature-pad").bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 20 + step * 25, pad["y"] + 40 + (step % 3) * 15)
    page.mouse.up()
    page.get_by_role("button", name=zh("Save the report")).click()
    expect(page.locator("#report-status")).to_have_text(zh("Saved."))
    # The connection drops: what is typed is kept on the phone, then sent once when it returns.
    saves = OrderEvent.objects.filter(order=dispatched, action="report_saved").count()
    context.set_offline(True)
    page.fill("#r-opinion", "满意，技术员很专业")
    page.get_by_role("button", name=zh("Save the report")).click()
    expect(page.locator("#report-status")).to_have_text(zh(
        "No connection: the report is kept on this phone and sent once the connection returns."))
    assert page.evaluate(f"localStorage.getItem('field-report-{dispatched.pk}')") is not None
    context.set_offline(False)
    expect(page.locator("#report-status")).to_have_text(zh("Saved."))
    assert OrderEvent.objects.filter(order=dispatched, action="report_saved").count() == saves + 1
    assert IdempotencyRecord.objects.filter(user=users["technician"]).count() == saves + 1
    assert page.evaluate(f"localStorage.getItem('field-report-{dispatched.pk}')") is None
    shoot(page, "field-report-phone")
    page.get_by_role("button", name=zh("Submit the service report")).click()
    expect(page.get_by_role("button", name=zh("Check out"))).to_be_visible()
    order_call_confirm(actor=users["service"], order_id=dispatched.pk)  # headquarters took the call
    page.reload()
    page.get_by_role("button", name=zh("Check out")).click()
    order = FieldOrder.objects.select_related("report").get(pk=dispatched.pk)
    assert order.state == "done" and not order.left_without_call
    assert order.report.customer_opinion == "满意，技术员很专业" and order.report.signature
    shoot(page, "field-order-done-phone")
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == []  # the save tried while offline


def test_the_dispatch_board_assigns_an_order(context_for, base_url, users, customers, shoot):
    with transaction.atomic():
        order = field_order_create(actor=users["service"], customer=customers["alice"], site_address="杭州市西湖区 1 号",
                                   work="installation", description="新机安装")
    page = log_in(context_for().new_page(), base_url, "service")
    errors = watched(page)
    page.goto("/field/")
    row = page.locator("tr", has_text=order.number)
    expect(row).to_contain_text(zh("Waiting for dispatch"))
    assert axe_violations(page) == []
    shoot(page, "field-board-desktop")
    row.get_by_label(zh("Technician")).fill("technician")
    row.get_by_role("button", name=zh("Dispatch")).click()
    expect(page.locator(".alert, .toast").first).to_be_attached()
    order.refresh_from_db()
    assert order.state == "dispatched" and order.technician == users["technician"]
    assert errors == []
