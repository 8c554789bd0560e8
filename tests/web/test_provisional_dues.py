"""A due moment in a year whose official schedule is not confirmed (after the policy
`calendar_confirmed_through_year`, 2026 by default) is marked 暂定 wherever a page shows it."""

import re

import pytest
from django.conf import settings
from django.utils import timezone

from aftersales.repairs.models import RepairOrder

pytestmark = pytest.mark.django_db
MARK = re.compile(r'<abbr class="provisional" title="([^"]*)">暂定</abbr>')


def rows_of(body: str, text: str) -> list[str]:
    """The table rows of a page that mention `text`."""
    return [row for row in body.split("<tr")[1:] if text in row]


def test_inbox_and_case_page_mark_the_steps_due_in_an_unconfirmed_year(browser_as, new_case, flow, clock, registry):
    clock("2026-11-02T09:00")  # Monday: its steps are due in November 2026, a confirmed year
    confirmed = new_case()
    flow("service", "submit", confirmed)
    clock("2026-12-31T16:00")  # one working day later is Monday 4 January 2027
    unconfirmed = new_case(customer_reference="TH-20261231-01")
    flow("service", "submit", unconfirmed)

    inbox = browser_as("service").get("/").content.decode()
    assert all(MARK.search(row) for row in rows_of(inbox, unconfirmed["number"]))
    assert not any("暂定" in row for row in rows_of(inbox, confirmed["number"]))
    assert MARK.search(inbox).group(1) == "2027 年国家节假日安排尚未确认：该到期时间可能还会变动。"

    page = browser_as("service").get(f"/cases/{unconfirmed['id']}/").content.decode()
    assert "2027-01-04 16:00" in page and MARK.search(page)
    assert "暂定" not in browser_as("service").get(f"/cases/{confirmed['id']}/").content.decode()
    in_english = browser_as("service")
    in_english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = in_english.get(f"/cases/{unconfirmed['id']}/").content.decode()
    assert "The official holiday schedule of 2027 is not confirmed yet" in english


def test_rework_orders_due_in_an_unconfirmed_year_are_marked_on_board_page_form_and_api(
        browser_as, disposed, clock, api):
    clock("2026-12-30T09:00")
    case, ids = disposed(["HT26090001"])
    browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair", "unit_ids": ids})
    order = RepairOrder.objects.get()
    assert timezone.localtime(order.due_at).year == 2027

    board = browser_as("planning").get("/repairs/").content.decode()
    assert MARK.search(rows_of(board, order.number)[0])
    assert MARK.search(browser_as("repair").get(f"/repairs/{order.pk}/").content.decode())
    form = browser_as("planning").get(f"/cases/{case['id']}/print/rework-orders/").content.decode()
    assert "暂定：2027 年国家节假日安排尚未确认" in form
    assert api("planning").get(f"/api/v1/repair-orders/{order.pk}/").json()["due_provisional"] is True
    assert api("planning").get("/api/v1/repair-orders/").json()["results"][0]["due_provisional"] is True


def test_rework_orders_due_in_a_confirmed_year_carry_no_mark(browser_as, disposed, clock, api):
    clock("2026-11-02T09:00")
    case, ids = disposed(["HT26090001"])
    browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair", "unit_ids": ids})
    order = RepairOrder.objects.get()
    assert "暂定" not in browser_as("planning").get("/repairs/").content.decode()
    assert "暂定" not in browser_as("repair").get(f"/repairs/{order.pk}/").content.decode()
    assert "暂定" not in browser_as("planning").get(f"/cases/{case['id']}/print/rework-orders/").content.decode()
    assert api("planning").get(f"/api/v1/repair-orders/{order.pk}/").json()["due_provisional"] is False
