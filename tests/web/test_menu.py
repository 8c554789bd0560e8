"""The top bar: entries of one group open from one drop-down menu once a user sees several of them."""

import re

from django.utils import timezone

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _header(client) -> str:
    return client.get("/", **ZH).content.decode().split("<main")[0]


def test_the_service_desk_sees_its_groups_as_drop_down_menus(browser_as):
    header = _header(browser_as("service"))
    returns = re.search(r'<button class="nav-link dropdown-toggle[^"]*"[^>]*id="menu-returns">返品</button>'
                        r'\s*<ul class="dropdown-menu"[^>]*>(.*?)</ul>', header, re.S)
    assert returns, header
    assert 'href="/cases/"' in returns.group(1) and "新建返品单" in returns.group(1)
    service = re.search(r'id="menu-service">售后服务</button>\s*<ul[^>]*>(.*?)</ul>', header, re.S)
    assert service and "服务台" in service.group(1) and "投诉履历台账" in service.group(1)
    assert "审批权限表" in returns.group(1)


def test_a_group_of_one_entry_is_a_plain_link(browser_as):
    header = _header(browser_as("warehouse"))
    assert "dropdown-toggle" not in header
    assert re.search(r'<a class="nav-link" href="/cases/">返品单</a>', header)
    assert re.search(r'<a class="nav-link" href="/receiving/">收货</a>', header)


def test_the_group_is_marked_current_on_one_of_its_pages(browser_as):
    header = browser_as("service").get("/service-desk/complaints/", **ZH).content.decode().split("<main")[0]
    assert re.search(r'class="nav-link dropdown-toggle active"[^>]*id="menu-service"', header)
    assert re.search(r'<a class="dropdown-item active" href="/service-desk/complaints/" aria-current="page">', header)


def test_the_inbox_badge_stops_counting_past_its_cap(browser_as, monkeypatch):
    from aftersales.deadlines.models import Deadline
    from aftersales.web import registry

    monkeypatch.setattr(registry, "MENU_COUNT_CAP", 2)
    now = timezone.now()
    Deadline.objects.bulk_create([Deadline(kind="service_first_reply", subject_type="service_request", subject_id=n,
                                           reference=f"SR-{n}", role="service", state="open", clock="hour",
                                           budget_seconds=3600, started_at=now, due_at=now) for n in range(1, 4)])
    header = _header(browser_as("service"))
    assert re.search(r'href="/"[^>]*>待办 <span class="badge rounded-pill count"[^>]*>2\+</span>', header), header
