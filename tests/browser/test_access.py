"""Logging in per role, another customer's case, the language switch."""

import re

import pytest
from playwright.sync_api import expect

from aftersales.deadlines.api import ROLE_LABELS

from .conftest import browser_test, en, log_in, zh

pytestmark = browser_test

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("username", "role"), [
    ("service", "service"), ("warehouse", "warehouse"), ("quality", "quality"), ("repair", "repair"),
    ("manager", "manager"), ("alice", "customer"),
])
def test_each_role_logs_in_and_lands_on_its_inbox(browser_for, base_url, users, shoot, username, role):
    page = browser_for().new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))  # the inbox needs a login
    log_in(page, base_url, username, go=False)

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Inbox"))
    tile = page.locator(f'.tiles a.tile[href="?role={role}"]')
    expect(tile).to_have_count(1)
    expect(tile.locator("strong")).to_have_text(zh(ROLE_LABELS[role]))
    expect(tile).to_have_attribute("aria-selected", "true")
    expect(page.locator("header .who")).to_have_text(username)
    # The live server serves the static files: htmx 2 and the stylesheet are there.
    assert page.evaluate("window.htmx && htmx.version").startswith("2.")
    assert page.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(16, 42, 67)"
    shoot(page, f"inbox-{username}")


def test_a_customer_gets_404_for_another_customers_case(signed_in, case_at, shoot):
    case = case_at("submitted")
    alice = signed_in("alice")
    assert alice.goto(f"/cases/{case.pk}/").status == 200  # her own case
    expect(alice.locator("h1")).to_contain_text(case.number)

    bob = signed_in("bob")
    response = bob.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(bob.get_by_role("heading", level=1)).to_have_text(zh("Not found"))
    expect(bob.locator("main")).to_contain_text(zh("There is nothing here, or it is not yours to see."))
    expect(bob.locator("main")).not_to_contain_text(case.number)
    shoot(bob, "not-found")


def test_the_language_switch_goes_to_english_and_back(signed_in, shoot):
    page = signed_in("service")
    html, nav = page.locator("html"), page.locator("header nav")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(nav).to_contain_text(zh("Notifications"))
    assert CJK.search(nav.inner_text()), nav.inner_text()

    page.locator("form.lang button[value=en]").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(en("Inbox"))
    for label in ("Inbox", "Cases", "New return", "Notifications"):
        expect(nav).to_contain_text(en(label))
    assert not CJK.search(nav.inner_text()), nav.inner_text()
    expect(page.locator("form.lang button[value=zh-hans]")).to_have_text("简体中文")
    shoot(page, "english-inbox")

    page.goto("/cases/")  # the choice is kept from page to page
    expect(html).to_have_attribute("lang", "en")

    page.locator("form.lang button[value=zh-hans]").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(nav).to_contain_text(zh("Notifications"))
    assert CJK.search(nav.inner_text())
