"""The warehouse receiving by scanner; quality inspecting many units at once."""

import re

from playwright.sync_api import expect

from aftersales.returns.models import Inspection, ReceivingDiscrepancy, ReturnCase, ReturnUnit, UnitState

from .conftest import browser_test, zh

pytestmark = browser_test


def scan(page, serial: str):
    """Type a serial into the scanner field and end with Enter, as a scanner does; the newest result."""
    before = page.locator("#scan-log .scan").count()
    page.locator("#scan").press_sequentially(serial)
    page.locator("#scan").press("Enter")
    expect(page.locator("#scan-log .scan")).to_have_count(before + 1)
    expect(page.locator("#scan")).to_have_value("")  # the form is cleared for the next scan
    expect(page.locator("#scan")).to_be_focused()
    return page.locator("#scan-log .scan").first


def arrived(page):
    """The "arrived" column of the counts against the note."""
    return page.locator("#counts tbody tr td:nth-child(5)")


def test_warehouse_receives_by_typed_scans_with_a_duplicate_and_an_unknown_serial(signed_in, case_at, shoot):
    case = case_at("approved", serials=["HT26090001", "HT26090002"])
    page = signed_in("warehouse")
    page.goto(f"/cases/{case.pk}/receive/")
    expect(page.locator("h1 .state")).to_have_class(re.compile(r"\bs-approved\b"))
    expect(page.locator("#scan")).to_have_count(0)

    page.locator("main form[action$='/actions/start_receiving/'] button").click()
    # Starting comes back to the receiving page, ready for the scanner.
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/receive/$"))
    expect(page.locator("h1 .state")).to_have_class(re.compile(r"\bs-receiving\b"))
    expect(page.locator("#scan")).to_be_focused()  # autofocus: the scanner types straight in
    expect(arrived(page)).to_have_text(["0"])

    first = scan(page, "HT26090001")
    expect(first).to_have_class(re.compile(r"\bscan ok\b"))
    expect(first).to_have_attribute("data-result", "received")
    expect(first).to_contain_text("HT26090001")
    expect(arrived(page)).to_have_text(["1"])

    again = scan(page, "HT26090001")
    expect(again).to_have_class(re.compile(r"\bscan warn\b"))
    expect(again).to_have_attribute("data-result", "duplicate")
    expect(again).to_contain_text("HT26090001")

    unknown = scan(page, "XX00000000")
    expect(unknown).to_have_class(re.compile(r"\bscan bad\b"))
    expect(unknown).to_have_attribute("data-result", "unknown_serial")
    expect(unknown).to_contain_text("XX00000000")
    expect(arrived(page)).to_have_text(["1"])

    second = scan(page, "HT26090002")
    expect(second).to_have_attribute("data-result", "received")
    expect(page.locator("#counts tbody tr")).to_have_class("done")  # 2 arrived of 2 on the note
    expect(arrived(page)).to_have_text(["2"])
    expect(page.locator("#scan-log .scan")).to_have_count(4)  # newest first, all kept on the page
    assert page.locator("#scan-log .scan").evaluate_all("els => els.map(e => e.dataset.result)") == [
        "received", "unknown_serial", "duplicate", "received"]
    shoot(page, "receiving")

    # Every scan is a new version of the case: the close form keeps up (else it is refused as stale).
    expect(page.locator("#close-version")).to_have_value(str(ReturnCase.objects.get(pk=case.pk).version))
    page.locator(f"main form[action='/cases/{case.pk}/actions/close_receipt/'] button").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("h1 .state")).to_have_class(re.compile(r"\bs-received\b"))
    case.refresh_from_db()
    assert case.state == "received"
    assert sorted(ReturnUnit.objects.filter(return_case=case).values_list("serial", "state")) == [
        ("HT26090001", "received"), ("HT26090002", "received")]
    assert list(ReceivingDiscrepancy.objects.filter(return_case=case).values_list("kind", "serial")) == [
        ("unmatched", "XX00000000")]


def test_quality_inspects_in_bulk_and_overrides_one_unit(signed_in, case_at, shoot):
    serials = ["HT26090001", "HT26090002", "HT26090003"]
    case = case_at("received", serials=serials)
    units = {u.serial: u for u in ReturnUnit.objects.filter(return_case=case)}
    page = signed_in("quality")
    page.goto("/bench/quality/")
    page.get_by_role("link", name=case.number).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/inspect/$"))

    boxes = page.locator("#bench tbody input[name=unit_ids]")
    expect(boxes).to_have_count(3)
    page.locator("#bench thead input[data-select-all]").check()
    for box in boxes.all():
        expect(box).to_be_checked()
    page.select_option("#i-defect", "function")
    page.select_option("#i-resp", "company")
    page.select_option("#i-rep", "yes")
    page.select_option(f"select[name='defect_class-{units['HT26090002'].pk}']", "appearance")
    shoot(page, "inspection-bench")
    page.locator("#bench button[name=step][value=inspect]").click()

    # The bench comes back (htmx) with the units inspected, ready for their disposition.
    rows = page.locator("#bench tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#bench .error-box")).to_have_count(0)
    for row in rows.all():
        expect(row.locator("td").nth(3)).to_have_text(zh(UnitState.INSPECTED.label))
    inspected = ReturnUnit.objects.filter(return_case=case)
    assert {u.serial: u.state for u in inspected} == dict.fromkeys(serials, "inspected")
    results = {i.unit.serial: (i.defect_class, i.responsibility, i.repairable)
               for i in Inspection.objects.filter(unit__return_case=case).select_related("unit")}
    assert results == {"HT26090001": ("function", "company", True), "HT26090002": ("appearance", "company", True),
                       "HT26090003": ("function", "company", True)}
    assert ReturnCase.objects.get(pk=case.pk).state == "inspecting"
