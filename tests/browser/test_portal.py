"""The customer portal: applying for a return; a charge quoted by service and accepted by the customer."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from aftersales.returns.models import Attachment, CaseState, ReturnCase, ReturnUnit
from aftersales.returns.services.actions import apply_action

from .conftest import browser_test, png, zh

pytestmark = browser_test


def test_a_customer_applies_for_a_return_in_the_portal(signed_in, registry, shoot):
    page = signed_in("alice")
    page.locator("main a.button.primary[href='/cases/new/']").click()  # "Apply for a return" on her inbox
    expect(page).to_have_url(re.compile(r"/cases/new/$"))
    expect(page.locator("#id_customer")).to_have_count(0)  # a customer applies for herself only

    page.select_option("#l0-model", "HT-2000")
    page.fill("#l0-name", "电热水器 2000W")
    page.locator("#l0-serials").press_sequentially("HT26090001", delay=20)
    # The warranty decision appears beside the serial as she types (htmx, GET /units/lookup/).
    lookup = page.locator("#l0-lookup")
    expect(lookup.locator(".lookup-hit.w-in")).to_contain_text("HT26090001: HT-2000")
    expect(lookup).to_contain_text("2026-09-10")  # shipped on
    expect(lookup).to_contain_text("2027-09-09")  # in warranty until
    page.fill("#l0-lot", "260910-1")
    page.fill("#l0-defect", "不加热，指示灯不亮")
    page.set_input_files("#id_photos", files=[{"name": "defect.png", "mimeType": "image/png", "buffer": png()}])
    page.fill("#id_reference", "TH-20261120-03")
    shoot(page, "new-application")

    page.locator("button[name=submit_now]").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = ReturnCase.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    expect(page.locator("h1 .state")).to_have_class(re.compile(r"\bs-submitted\b"))
    expect(page.locator("h1 .state")).to_have_text(zh(CaseState.SUBMITTED.label))
    expect(page.locator("h1")).to_contain_text(case.number)
    expect(page.locator("table.units tbody tr")).to_have_count(1)
    expect(page.locator("table.units tbody")).to_contain_text("HT26090001")
    expect(page.locator("#att-h + ul a")).to_have_count(1)
    assert case.state == "submitted"
    assert (case.customer.code, case.customer_reference) == ("C-ALICE", "TH-20261120-03")
    line = case.lines.get()
    assert (line.product_model.code, line.serials, line.production_lot) == ("HT-2000", ["HT26090001"], "260910-1")
    attachment = Attachment.objects.get(return_case=case)
    assert attachment.file.read().startswith(b"\x89PNG")
    shoot(page, "portal-case")


def test_service_quotes_a_charge_that_the_customer_accepts_in_the_portal(signed_in, case_at, users, shoot):
    case = case_at("received", serials=["HT25010001"], lot="250110-1")  # shipped 2025-01-10: out of warranty
    (unit,) = ReturnUnit.objects.filter(return_case=case)
    apply_action(actor=users["quality"], case_id=case.pk, action="inspect", unit_ids=[unit.pk],
                 params={"result": {"defect_class": "function", "responsibility": "company"}})
    apply_action(actor=users["quality"], case_id=case.pk, action="dispose", unit_ids=[unit.pk],
                 params={"disposition": "repair"})
    unit.refresh_from_db()
    assert (unit.state, unit.chargeable) == ("waiting_customer", True)

    service = signed_in("service")
    service.goto("/cases/")
    service.fill("#f-q", "HT25010001")  # search by serial (htmx swaps the results)
    service.press("#f-q", "Enter")
    expect(service).to_have_url(re.compile(r"/cases/\?.*q=HT25010001"))
    results = service.locator("#results tbody tr")
    expect(results).to_have_count(1)
    shoot(service, "case-list")
    results.get_by_role("link", name=case.number).click()
    expect(service).to_have_url(re.compile(rf"/cases/{case.pk}/$"))

    shoot(service, "case-page")
    quote_page = service.locator(f"main a.button[href='/cases/{case.pk}/quote/']")
    if quote_page.count():  # "Quote the charge" on a page of its own: the quote's transport line is the amount
        quote_page.click()
        service.fill("#q-transport", "380.50")
        service.locator("main form button.primary[type=submit]").click()
        expect(service).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    else:  # "Quote the charge" as a form folded on the case page
        quote = service.locator("details.unit-action").filter(has=service.locator("#form-quote_charge"))
        quote.locator("summary").click()
        service.fill("#quote_charge-amount", "380.50")
        quote.locator("button[type=submit]").click()
    expect(service.locator("table.units tbody tr").first).to_contain_text("380.50")
    unit.refresh_from_db()
    assert unit.charge_amount == Decimal("380.50")

    alice = signed_in("alice")
    alice.goto(f"/cases/{case.pk}/")
    accept = alice.locator("details.unit-action").filter(has=alice.locator("#form-accept_charge"))
    expect(accept.locator("summary")).to_contain_text(zh("Accept the charge"))
    expect(alice.locator("#form-refuse_charge")).to_have_count(1)
    accept.locator("summary").click()
    shoot(alice, "portal-charge")
    accept.locator("button[type=submit]").click()
    expect(alice.locator("#form-accept_charge")).to_have_count(0)
    unit.refresh_from_db()
    assert unit.charge_answer["accepted"] is True
    assert (unit.charge_answer["via"], unit.charge_answer["amount"], unit.state) == ("portal", "380.50", "disposed")
