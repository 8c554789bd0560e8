"""Field service's pages, per persona: the dispatch board (headquarters), my day and the order page (the
technician), the penalty ledger, the printed service report as PDF with embedded Chinese fonts; a customer and a
department without the pages get 404; a step refused on the page says why beside its field."""

import pytest
from django.utils import translation

from aftersales.field.models import FieldOrder, Penalty
from aftersales.field.services import (field_order_create, order_accept, order_call_confirm, order_check_in,
                                       order_check_out, order_report_submit, report_save)
from tests.field import COMPLETE, signature
from tests.printing import embedded_fonts

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(users, customers, product_models):
    made = field_order_create(actor=users["service"], customer=customers["alice"], site_address="上海市张江路 100 号",
                              product_model=product_models["HT-2000"], serial="HT26090001",
                              technician=users["technician"], description="不加热")
    return made


def _done(order, users):
    tech = users["technician"]
    order_accept(actor=tech, order_id=order.pk)
    order_check_in(actor=tech, order_id=order.pk)
    report_save(actor=tech, order_id=order.pk, body={**COMPLETE, "signature": signature()})
    order_report_submit(actor=tech, order_id=order.pk)
    order_call_confirm(actor=users["service"], order_id=order.pk)
    order_check_out(actor=tech, order_id=order.pk)


def test_each_persona_reaches_its_pages(order, browser_as):
    service, tech = browser_as("service"), browser_as("technician")
    board = service.get("/field/")
    assert board.status_code == 200 and order.number in board.content.decode()
    day = tech.get("/field/day/").content.decode()
    assert order.number in day and "geo:0,0?q=" in day
    page = tech.get(f"/field/{order.pk}/").content.decode()
    assert f"/field/{order.pk}/accept/" in page and f"/field/{order.pk}/refuse/" in page
    for persona in ("alice", "quality", "repair"):
        assert browser_as(persona).get("/field/").status_code == 404
        assert browser_as(persona).get(f"/field/{order.pk}/").status_code == 404
    assert browser_as("warehouse").get(f"/field/{order.pk}/").status_code == 200
    assert browser_as("service").get("/field/day/").status_code == 404
    assert tech.get("/field/penalties/").status_code == 200
    assert service.get("/field/?date=not-a-day").status_code == 302  # back to today, the error told


def test_the_technicians_day_on_the_pages(order, browser_as, users):
    tech = browser_as("technician")
    assert tech.post(f"/field/{order.pk}/accept/").status_code == 302
    assert tech.post(f"/field/{order.pk}/check_in/", {"latitude": "31.2", "longitude": ""}).status_code == 400
    assert tech.post(f"/field/{order.pk}/check_in/").status_code == 302
    page = tech.get(f"/field/{order.pk}/").content.decode()
    assert 'id="report-form"' in page and 'id="signature-pad"' in page and "/static/field/report.js" in page
    with translation.override("zh-hans"):
        refused = tech.post(f"/field/{order.pk}/submit_report/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "故障原因" in body and "fault_cause：" not in body  # the field's name, not its key
    assert FieldOrder.objects.get(pk=order.pk).state == "on_site"
    assert tech.post(f"/field/{order.pk}/nonsense/").status_code == 404


def test_the_service_report_prints_as_pdf_with_embedded_chinese_fonts(order, browser_as, users, tmp_path):
    assert browser_as("service").get(f"/field/{order.pk}/print/service_report/").status_code == 404  # no report
    _done(order, users)
    page = browser_as("service").get(f"/field/{order.pk}/print/service_report/")
    html = page.content.decode()
    assert page.status_code == 200 and "售后服务报告单" in html and "温控器触点烧蚀" in html
    assert 'src="data:image/png;base64,' in html  # the customer's signature as drawn
    pdf = browser_as("technician").get(f"/field/{order.pk}/print/service_report/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    fonts = embedded_fonts(pdf.content, tmp_path)
    assert fonts and all(fonts.values()) and any("CJK" in name for name in fonts)
    assert browser_as("alice").get(f"/field/{order.pk}/print/service_report/").status_code == 404


def test_the_penalty_ledger_on_the_pages(order, browser_as, users):
    FieldOrder.objects.filter(pk=order.pk).update(required_arrival="2026-01-01T09:00+08:00")
    order_accept(actor=users["technician"], order_id=order.pk)
    order_check_in(actor=users["technician"], order_id=order.pk)
    penalty = Penalty.objects.get(order=order)
    tech, manager = browser_as("technician"), browser_as("manager")
    assert penalty.order.number in tech.get("/field/penalties/").content.decode()
    assert tech.post(f"/field/penalties/{penalty.pk}/contest/", {"note": "客户改约"}).status_code == 302
    assert Penalty.objects.get(pk=penalty.pk).state == "contested"
    assert manager.post(f"/field/penalties/{penalty.pk}/confirm/").status_code == 302
    assert Penalty.objects.get(pk=penalty.pk).state == "confirmed"
    recorded = manager.post("/field/penalties/", {"technician": "technician", "rule": "phone_off",
                                                  "description": "8:00-22:00 关机", "evidence": ""})
    assert recorded.status_code == 400 and Penalty.objects.count() == 1
    assert manager.post("/field/penalties/", {"technician": "technician", "rule": "phone_off",
                                              "description": "关机", "evidence": "通话记录"}).status_code == 302
    assert Penalty.objects.get(rule="phone_off").amount == 10


def test_travel_expenses_on_the_pages(order, browser_as, users):
    from aftersales.field.models import ExpenseClaim

    tech = browser_as("technician")
    refused = tech.post("/field/expenses/", {"kind": "claim", "trip_from": "2026-12-01", "trip_to": "2026-11-30"})
    assert refused.status_code == 400 and not ExpenseClaim.objects.exists()
    drafted = tech.post("/field/expenses/", {
        "kind": "claim", "trip_from": "2026-12-01", "trip_to": "2026-12-02", "orders": order.number,
        "category": ["transport", "meals", "other"], "line_amount": ["120", "60", ""],
        "place": ["上海", "北京", ""], "receipt_on": ["2026-12-01", "", ""]})
    assert drafted.status_code == 302
    claim = ExpenseClaim.objects.get()
    assert [line.place_mismatch for line in claim.lines.all()] == [False, True]
    page = tech.get("/field/expenses/").content.decode()
    assert claim.number in page and f"/field/expenses/{claim.pk}/submit/" in page
    assert tech.post(f"/field/expenses/{claim.pk}/submit/").status_code == 302
    assert browser_as("manager").post(f"/field/expenses/{claim.pk}/approve/").status_code == 302
    assert browser_as("finance").post(f"/field/expenses/{claim.pk}/pay/").status_code == 302
    assert ExpenseClaim.objects.get().state == "paid"
    assert browser_as("alice").get("/field/expenses/").status_code == 404
    assert browser_as("warehouse").get("/field/expenses/").status_code == 404


def test_chinese_names_read_family_name_first(users):
    users["technician"].first_name, users["technician"].last_name = "磊", "周"
    assert users["technician"].get_full_name() == "周磊"
    users["manager"].first_name, users["manager"].last_name = "Anna", "Li"
    assert users["manager"].get_full_name() == "Anna Li"
