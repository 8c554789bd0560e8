"""Issue 12, server side: state groups for every state, due badges in words on the working-day calendar,
the inbox's context without extra queries per row, the case list's columns, date ranges and remembered
filters, print links by stage, the document flow, serials looked up many at once, the grade scale,
toasts on htmx answers, and the weight of the static files a page links."""

import datetime as dt
import gzip
import re
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aftersales.core.registry import GROUPS, STATE_GROUPS, state_group
from aftersales.core.workflow import MACHINES
from aftersales.core.models import JobState
from aftersales.returns.models import CaseState, UnitState
from aftersales.returns.views.cases import collapsed_timeline
from aftersales.workcalendar.calendar import WorkCalendar
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, SHIP, line

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
STATIC_BUDGET = 200 * 1024  # bytes, gzipped, of the CSS and JS a page without charts links


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def queries(client, path, **extra) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), response.content.decode()


# --- state groups: one badge colour per group, every state grouped ---

def test_every_state_of_every_machine_and_of_cases_and_units_has_a_group():
    machines = {key: machine.states.values for key, machine in MACHINES.items()}
    machines |= {"return_case": CaseState.values, "return_unit": UnitState.values, "job": JobState.values}
    for key, states in machines.items():
        assert set(STATE_GROUPS[key]) == set(states), key
        assert set(STATE_GROUPS[key].values()) <= set(GROUPS), key
    assert state_group("return_case", "closed") == "done" and state_group("return_case", "cancelled") == "cancelled"
    assert state_group("return_unit", "waiting_customer") == "blocked"
    assert state_group("repair_order", "in_progress") == "progress"


def test_a_state_has_the_same_badge_on_the_list_and_on_the_case_page(browser_as, received):
    case, _ids = received()
    badge = '<span class="state s-received g-progress">'
    assert badge in browser_as("service").get("/cases/", ZH).content.decode()
    page = browser_as("service").get(f"/cases/{case['id']}/", **ZH).content.decode()
    assert badge in page and '<span class="state s-received g-progress">已收货</span>' in page


def test_the_case_page_draws_only_its_page_of_units_and_counts_them_all(browser_as, received, detail,
                                                                        monkeypatch):
    from aftersales.returns.views import cases

    monkeypatch.setattr(cases, "UNIT_ROWS", 2)
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(n) for n in range(1, 4)])])
    client = browser_as("service")
    first = client.get(f"/cases/{case['id']}/", **ZH).content.decode()
    second = client.get(f"/cases/{case['id']}/?units_page=2", **ZH).content.decode()
    ticked = re.compile(r'name="unit_ids" value="(\d+)"')
    assert ticked.findall(first) == [str(i) for i in ids[:2]] and ticked.findall(second) == [str(ids[2])]
    assert '<span class="badge text-bg-light">3</span>' in first and "已登记 3 台" in first
    assert '<span class="state s-received g-progress">已收货</span> 3' in first  # the counts cover every unit
    assert IN_WARRANTY.format(3) in second and IN_WARRANTY.format(3) not in first
    assert len(detail(case)["units"]) == 3  # the API's case is whole


# --- time left in words ---

def test_time_left_counts_working_time_only():
    calendar = WorkCalendar(confirmed_through=2026)
    friday = at("2026-11-06T16:00")
    # Due Monday 10:00: 8 hours of Friday and 10 of Monday; the weekend does not count.
    assert calendar.time_left(friday, at("2026-11-09T10:00")) == (False, "hours", 18)
    assert calendar.time_left(friday, at("2026-11-11T16:00")) == (False, "working_days", 3)
    assert calendar.time_left(friday, at("2026-11-06T16:20")) == (False, "minutes", 20)
    # Overdue since Wednesday 16:00: Wednesday evening to Friday 16:00 is two working days.
    assert calendar.time_left(friday, at("2026-11-04T16:00")) == (True, "working_days", 2)
    assert calendar.time_left(at("2026-11-09T09:00"), at("2026-11-06T22:00")) == (True, "hours", 11)


def test_due_badges_say_the_time_left_in_words(browser_as, new_case, flow, clock, registry, monkeypatch):
    clock("2026-11-06T16:00")
    case = new_case()
    flow("service", "submit", case)  # first reply: 24 hours on working days
    monkeypatch.setattr("aftersales.web.templatetags.web.timezone.now", lambda: at("2026-11-06T16:00"))
    inbox = browser_as("service").get("/", **ZH).content.decode()
    assert "剩 1 个工作日" in inbox, re.findall(r'<span class="due.{0,300}', inbox)
    monkeypatch.setattr("aftersales.web.templatetags.web.timezone.now", lambda: at("2026-11-12T16:00"))
    late = browser_as("service").get("/", **ZH).content.decode()
    assert re.search(r'<span class="due overdue[^"]*"><span class="left">逾期 3 个工作日</span>', late)
    in_english = browser_as("service")
    in_english.cookies["django_language"] = "en"
    english = in_english.get("/").content.decode()
    assert "overdue by 3 working days" in english


# --- the inbox: context for every row, in a flat number of queries ---

def test_inbox_rows_are_grouped_by_case_with_customer_models_quantity_and_the_button(browser_as, new_case, flow,
                                                                                      registry):
    case = new_case(lines=[line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)])],
                    customer_reference="TH-20261120-03")
    flow("service", "submit", case)
    body = browser_as("service").get("/", **ZH).content.decode()
    groups = re.findall(r'<tbody class="case-group">(.*?)</tbody>', body, re.S)
    assert len(groups) == 1  # three steps of one case: one group
    (group,) = groups
    assert case["number"] in group and "华东经销商（上海）" in group and "TH-20261120-03" in group
    assert "HT-2000" in group and "2 台" in group
    assert group.count('class="btn btn-sm btn-primary do"') == 3
    assert f'href="/cases/{case["id"]}/">批准</a>' in group  # the approval's button opens the case page
    assert re.search(r'待办 <span class="badge rounded-pill count"[^>]*>3</span>', body)  # the menu's count


def test_inbox_queries_do_not_grow_with_the_cases(browser_as, new_case, flow, registry):
    service = browser_as("service")
    first = new_case(lines=[line(serials=[IN_WARRANTY.format(1)])])
    flow("service", "submit", first)
    service.get("/")
    few, _body = queries(service, "/")
    for n in range(2, 7):
        other = new_case(lines=[line(serials=[IN_WARRANTY.format(n)])])
        flow("service", "submit", other)
    many, body = queries(service, "/")
    assert body.count('<tbody class="case-group">') == 6
    assert many == few, (few, many)


def test_the_warehouse_and_service_reach_unclocked_work_in_one_click(browser_as, new_case, flow, detail, registry):
    case = new_case()
    flow("service", "submit", case)
    flow("service", "approve", case)
    assert f'href="/cases/{case["id"]}/receive/">收货</a>' in browser_as("warehouse").get("/", **ZH).content.decode()
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1)}])
    flow("warehouse", "close_receipt", case)
    ids = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="return_as_is")
    flow("warehouse", "ship_back", case, unit_ids=ids, **SHIP)
    inbox = browser_as("service").get("/", **ZH).content.decode()
    assert f'href="/cases/{case["id"]}/">结案</a>' in inbox  # settled: waiting for service to close it


# --- the case list ---

def test_case_list_columns_date_ranges_and_remembered_filters(browser_as, received, new_case):
    from aftersales.returns.models import ReturnCase

    early, _ids = received(lines=[line(serials=[IN_WARRANTY.format(1)])], customer_reference="TH-EARLY")
    late, _ids = received(lines=[line(serials=[IN_WARRANTY.format(2)])], customer_reference="TH-LATE")
    ReturnCase.objects.filter(pk=early["id"]).update(submitted_at=at("2026-11-02T09:00"))
    ReturnCase.objects.filter(pk=late["id"]).update(submitted_at=at("2026-11-20T09:00"))
    service = browser_as("service")
    body = service.get("/cases/", {"applied_from": "2026-11-10", "applied_to": "2026-11-30"}).content.decode()
    assert late["number"] in body and early["number"] not in body
    assert "TH-LATE" in body and "HT-2000" in body  # the customer's reference and the product are columns
    # The filters are kept for the next visit, and put in the address (data-replace-url).
    again = service.get("/cases/").content.decode()
    assert late["number"] in again and early["number"] not in again
    assert 'data-replace-url="?applied_from=2026-11-10&amp;applied_to=2026-11-30"' in again
    # The export without filters in its address exports what the list shows.
    rows = list(load_workbook(BytesIO(service.get("/cases/", {"export": "xlsx"}).content)).active.values)
    assert [row[0] for row in rows[1:]] == [late["number"]]
    # Another user keeps her own.
    assert early["number"] in browser_as("manager").get("/cases/").content.decode()
    # Clearing them shows every case again, and forgets them.
    assert early["number"] in service.get("/cases/", {"reset": "1"}).content.decode()
    assert early["number"] in service.get("/cases/").content.decode()


def test_case_list_filters_by_received_and_closed_dates(browser_as, received, clock, registry):
    clock("2026-11-02T09:00")
    case, _ids = received()
    service = browser_as("service")
    assert case["number"] not in service.get("/cases/", {"received_from": "2030-01-01"}).content.decode()
    assert case["number"] not in service.get("/cases/", {"closed_to": "2030-01-01"}).content.decode()  # not closed
    assert service.get("/cases/", {"received_from": "not-a-date"}).status_code == 200


# --- the case page ---

def test_print_links_follow_the_case_stage(browser_as, new_case, flow, received):
    case = new_case()
    page = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    assert f"/cases/{case['id']}/print/return-note/" in page
    for form in ("receipt", "inspection-report", "disposition-notice", "quote"):
        assert f"/cases/{case['id']}/print/{form}/" not in page, form
    done, _ids = received(lines=[line(serials=[IN_WARRANTY.format(3)])])
    page = browser_as("service").get(f"/cases/{done['id']}/").content.decode()
    assert f"/cases/{done['id']}/print/receipt/" in page and "/print/inspection-report/" not in page


def test_the_timeline_collapses_runs_of_scans():
    base = {"by": "li.si", "from_state": "receiving", "to_state": "receiving", "comment": ""}
    events = [{"action": "start_receiving", "at": 1, "unit_ids": [], **base, "from_state": "approved"},
              *({"action": "receive", "at": n, "unit_ids": [n], **base} for n in range(2, 7)),
              {"action": "close_receipt", "at": 7, "unit_ids": [], **base, "to_state": "received"}]
    shown = collapsed_timeline(events)
    assert [(e["action"], len(e["unit_ids"]), e["times"]) for e in shown] == [
        ("start_receiving", 0, 1), ("receive", 5, 5), ("close_receipt", 0, 1)]
    assert shown[1]["until"] == 6


def test_the_document_flow_lists_the_case_s_repair_documents(browser_as, disposed, post):
    case, ids = disposed([IN_WARRANTY.format(1)])
    browser_as("planning").post(f"/repairs/new/{case['id']}/", {"kind": "repair", "unit_ids": ids})
    from aftersales.repairs.models import RepairOrder

    order = RepairOrder.objects.get()
    page = browser_as("service").get(f"/cases/{case['id']}/", **ZH).content.decode()
    flow_part = page[page.index('id="flow-h"'):]
    assert order.number in flow_part and f'href="/repairs/{order.pk}/"' in flow_part
    assert 'class="state s-planned g-waiting"' in flow_part
    assert order.number not in browser_as("alice").get(f"/cases/{case['id']}/").content.decode()


# --- the application form and the serial lookup ---

def test_serials_pasted_at_once_are_each_looked_up_in_one_query(browser_as, registry):
    service = browser_as("service")
    service.get("/units/lookup/", {"serial": "X"})
    few, _body = queries(service, "/units/lookup/?" + "serial=" + IN_WARRANTY.format(1))
    pasted = "\n".join([IN_WARRANTY.format(n) for n in range(1, 4)] + ["NOT-A-UNIT"])
    with CaptureQueriesContext(connection) as captured:
        body = service.get("/units/lookup/", {"line-0-serials": pasted}).content.decode()
    assert len(captured) == few
    assert body.count('class="lookup-hit') == 3 and body.count('class="lookup-miss"') == 1


def test_the_form_presets_the_channel_from_the_customer_and_marks_the_note_s_fields(browser_as, registry):
    service = browser_as("service").get("/cases/new/", **ZH).content.decode()
    assert 'value="C-ALICE" data-channel="dealer"' in service
    assert 'id="l0-lot" name="line-0-production_lot" value="" aria-required="true" aria-describedby="note-why"' in service
    assert "不予收货" in service  # the reason they are required
    assert '<template id="line-template">' in service  # lines are added on the page


# --- the grade scale ---

def test_the_bench_offers_the_grade_scale_and_the_inspection_refuses_other_grades(browser_as, received, detail):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(1)])])
    quality = browser_as("quality")
    page = quality.get(f"/cases/{case['id']}/inspect/").content.decode()
    assert re.search(r'<select[^>]*id="i-grade"[^>]*><option value="">—</option><option value="A">A</option>'
                     r'<option value="B">B</option><option value="C">C</option></select>', page)
    bad = quality.post(f"/cases/{case['id']}/inspect/", {"step": "inspect", "unit_ids": ids, "grade": "Z"})
    assert bad.status_code == 400 and "A, B, C" in bad.content.decode()
    good = quality.post(f"/cases/{case['id']}/inspect/", {"step": "inspect", "unit_ids": ids, "grade": "B",
                                                          f"responsibility-{ids[0]}": "customer"})
    assert good.status_code == 302
    from aftersales.returns.models import Inspection

    assert Inspection.objects.values_list("grade", "responsibility").get() == ("B", "customer")


def test_the_last_unit_disposed_goes_back_to_the_bench_with_a_message(browser_as, received, detail):
    case, ids = received(lines=[line(serials=[IN_WARRANTY.format(1)])])
    quality = browser_as("quality")
    quality.post(f"/cases/{case['id']}/inspect/", {"step": "inspect", "unit_ids": ids, "defect_class": "function"})
    done = quality.post(f"/cases/{case['id']}/inspect/", {"step": "dispose", "unit_ids": ids,
                                                          "disposition": "return_as_is"}, **HX)
    assert done.status_code == 204 and done["HX-Redirect"] == "/bench/quality/"
    bench = quality.get("/bench/quality/", **ZH).content.decode()
    assert case["number"] in bench and 'class="toast' in bench


# --- feedback ---

def test_an_htmx_action_brings_its_message_as_an_out_of_band_toast(browser_as, new_case, flow, registry):
    case = new_case()
    flow("service", "submit", case)
    version = browser_as("service").get(f"/api/v1/cases/{case['id']}/").json()["version"]
    body = browser_as("service").post(f"/cases/{case['id']}/actions/approve/", {"version": version}, **HX,
                                      **ZH).content.decode()
    assert body.lstrip().startswith('<div id="case-body">')
    toast = body[body.index('<div id="toasts"'):]
    assert 'hx-swap-oob="beforeend"' in toast and "data-autoshow" in toast


def test_what_cannot_be_undone_asks_first(browser_as, new_case, flow, registry):
    case = new_case()
    flow("service", "submit", case)
    page = browser_as("service").get(f"/cases/{case['id']}/", **ZH).content.decode()
    reject = page[page.index('id="do-reject"'):]
    assert reject[:reject.index(">")].count("data-confirm=") == 1
    assert 'id="confirm-modal"' in page


# --- static weight ---

def _linked_static(body: str) -> list[str]:
    return re.findall(r'<(?:link rel="stylesheet" href|script src)="/static/([^"]+)"', body)


@pytest.mark.parametrize("who, path", [("service", "/"), ("service", "/cases/"), ("service", "/cases/new/"),
                                       ("warehouse", "/receiving/"), ("quality", "/bench/quality/"),
                                       ("alice", "/"), ("service", "/imports/")])
def test_a_page_without_charts_links_under_200_kb_of_static_files_gzipped(browser_as, registry, who, path):
    body = browser_as(who).get(path).content.decode()
    files = _linked_static(body)
    assert "web/vendor/bootstrap-5.3.8.min.css" in files and "web/vendor/bootstrap-5.3.8.bundle.min.js" in files
    assert not any("echarts" in name for name in files)
    total = 0
    for name in files:
        found = finders.find(name)
        assert found, name
        with open(found, "rb") as handle:
            total += len(gzip.compress(handle.read(), compresslevel=9))
    assert total < STATIC_BUDGET, (path, total)


def test_the_receiving_menu_and_page_say_shou_huo(browser_as, new_case, flow, registry):
    case = new_case()
    flow("service", "submit", case)
    flow("service", "approve", case)
    warehouse = browser_as("warehouse")
    inbox = warehouse.get("/", **ZH).content.decode()
    assert re.search(r'<a class="nav-link" href="/receiving/">收货</a>', inbox)
    page = warehouse.get(f"/cases/{case['id']}/receive/", **ZH).content.decode()
    assert re.search(r"<h1>收货 <a", page) and "<title>收货 " in page
    assert "收货中" not in browser_as("warehouse").get("/receiving/", **ZH).content.decode().split("<main")[0]
