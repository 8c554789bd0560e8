"""Every page, server side: who may open it, what a bad form answers (errors beside the field,
nothing written), what htmx gets back (the partial only), and query counts that do not grow per row."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.returns.models import ReturnCase, ReturnUnit
from tests.files import corner_xlsx, image
from tests.flows import FUNCTION_FAULT, OUT_OF_WARRANTY, line

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def queries(client, path) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured), response


# --- who may open what ---

@pytest.mark.parametrize("path", ["/", "/cases/", "/cases/new/", "/receiving/", "/bench/quality/", "/bench/repair/",
                                  "/notifications/"])
def test_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path, allowed", [
    ("/cases/new/", {"service", "alice"}),
    ("/receiving/", {"warehouse"}),
    ("/bench/quality/", {"quality"}),
    ("/bench/repair/", {"repair"}),
    ("/", {"service", "warehouse", "quality", "repair", "manager", "finance", "alice"}),
    ("/cases/", {"service", "warehouse", "quality", "repair", "manager", "finance", "alice"}),
])
def test_role_pages(browser_as, path, allowed):
    for persona in ("service", "warehouse", "quality", "repair", "manager", "finance", "alice"):
        assert browser_as(persona).get(path).status_code == (200 if persona in allowed else 404), (path, persona)


def test_login_lands_on_the_inbox_and_a_bad_password_says_so(client, users):
    bad = client.post("/accounts/login/", {"username": "quality", "password": "wrong"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    good = client.post("/accounts/login/", {"username": "quality", "password": "s3cret-Passw0rd"})
    assert good.status_code == 302 and good["Location"] == "/"
    assert "quality" in client.get("/").content.decode() or "品质" in client.get("/").content.decode()


def test_a_customer_sees_only_its_own_cases(browser_as, received):
    case, _ids = received()
    other = ReturnCase.objects.exclude(pk=case["id"]).count()
    assert other == 0
    for path in (f"/cases/{case['id']}/", f"/cases/{case['id']}/receive/", f"/cases/{case['id']}/inspect/",
                 f"/cases/{case['id']}/labels/"):
        response = browser_as("bob").get(path)
        assert response.status_code == 404, path
    assert case["number"] not in browser_as("bob").get("/cases/").content.decode()
    assert case["number"] in browser_as("alice").get("/cases/").content.decode()
    assert browser_as("bob").post(f"/cases/{case['id']}/actions/cancel/", {}).status_code == 404
    assert browser_as("alice").get(f"/cases/{case['id']}/receive/").status_code == 404  # staff page


# --- the case page: the workflow's own list of actions ---

def test_the_case_page_offers_only_what_the_user_may_do(browser_as, new_case, flow, registry):
    case = new_case()
    flow("service", "submit", case)
    service = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    warehouse = browser_as("warehouse").get(f"/cases/{case['id']}/").content.decode()
    assert f"/cases/{case['id']}/actions/approve/" in service
    assert "/actions/approve/" not in warehouse and "/actions/" not in warehouse


def test_an_action_with_a_missing_field_shows_the_error_beside_it_and_changes_nothing(browser_as, new_case, flow,
                                                                                     registry):
    case = new_case()
    flow("service", "submit", case)
    before = ReturnCase.objects.get(pk=case["id"]).version
    response = browser_as("service").post(f"/cases/{case['id']}/actions/reject/", {"comment": ""}, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="case-body">')  # the partial only
    assert 'id="reject-comment-error"' in body
    assert ReturnCase.objects.get(pk=case["id"]).version == before
    response = browser_as("service").post(f"/cases/{case['id']}/actions/reject/", {"comment": ""})
    assert response.status_code == 400 and "<html" in response.content.decode()


def test_a_refused_action_shows_the_reason(browser_as, new_case, flow, registry):
    case = new_case()
    flow("service", "submit", case)
    response = browser_as("service").post(f"/cases/{case['id']}/actions/approve/", {"version": "1"}, **HX)
    assert "error-box" in response.content.decode()  # stale version: someone else changed it
    assert ReturnCase.objects.get(pk=case["id"]).state == "submitted"
    response = browser_as("quality").post(f"/cases/{case['id']}/actions/approve/", {}, **HX)
    assert "error-box" in response.content.decode()
    assert browser_as("service").post(f"/cases/{case['id']}/actions/no_such/", {}).status_code == 404


def test_a_unit_action_on_the_ticked_units_and_the_charge_accepted_in_the_portal(browser_as, received, flow, detail):
    case, _ids = received(lines=[line(serials=[OUT_OF_WARRANTY.format(1), OUT_OF_WARRANTY.format(2)],
                                      production_lot="250110-1")])
    ids = [u["id"] for u in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result=FUNCTION_FAULT)
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    service = browser_as("service")
    missing = service.post(f"/cases/{case['id']}/actions/quote_charge/", {"amount": ""}, **HX)
    assert ReturnUnit.objects.filter(pk__in=ids, charge_amount__isnull=False).count() == 0
    assert f"/cases/{case['id']}/quote/" in missing.content.decode()  # the charge is quoted on its own page
    bad = service.post(f"/cases/{case['id']}/actions/quote_charge/", {"amount": "-5", "unit_ids": [ids[0]]}, **HX)
    assert "error-box" in bad.content.decode()
    done = service.post(f"/cases/{case['id']}/actions/quote_charge/", {"amount": "120.00", "unit_ids": [ids[0]]},
                        **HX)
    assert done.status_code == 200 and "error-box" not in done.content.decode()
    charged = dict(ReturnUnit.objects.filter(pk__in=ids).values_list("id", "charge_amount"))
    assert str(charged[ids[0]]) == "120.00" and charged[ids[1]] is None
    portal = browser_as("alice")
    assert "/actions/accept_charge/" in portal.get(f"/cases/{case['id']}/").content.decode()
    assert portal.post(f"/cases/{case['id']}/actions/accept_charge/", {"unit_ids": [ids[0]]}).status_code == 302
    assert ReturnUnit.objects.get(pk=ids[0]).charge_answer["accepted"] is True


# --- a new application ---

def test_a_new_application_with_errors_keeps_what_was_typed(browser_as, registry):
    service = browser_as("service")
    response = service.post("/cases/new/", {"channel": "dealer", "line-0-item_name": "电热水器",
                                            "line-0-quantity": "abc", "line-0-serials": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_customer-error"' in body and "电热水器" in body
    assert ReturnCase.objects.count() == 0
    response = service.post("/cases/new/", {"customer": "C-ALICE", "channel": "dealer",
                                            "line-0-product_model": "NOPE", "line-0-quantity": "2"})
    assert response.status_code == 400 and ReturnCase.objects.count() == 0
    response = service.post("/cases/new/", {"customer": "C-ALICE", "channel": "dealer",
                                            "line-0-item_name": "电热水器", "line-0-serials": "A1\nA1"})
    assert response.status_code == 400 and ReturnCase.objects.count() == 0


def test_a_customer_applies_for_its_own_customer_with_a_photo(browser_as, registry, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("defect.png", image("PNG"), content_type="image/png")
    response = browser_as("alice").post("/cases/new/", {
        "customer": "C-BOB", "channel": "dealer", "line-0-product_model": "HT-2000", "line-0-item_name": "电热水器",
        "line-0-serials": "HT26090001", "line-0-production_lot": "260910-1", "line-0-defect_description": "不加热",
        "submit_now": "1", "photos": [photo]})
    assert response.status_code == 302
    case = ReturnCase.objects.get()
    assert (case.customer.code, case.state, case.attachments.count()) == ("C-ALICE", "submitted", 1)


def test_serial_lookup_shows_the_warranty_decision_and_keeps_customers_to_their_own_units(browser_as, registry):
    body = browser_as("service").get("/units/lookup/", {"line-0-serials": "X1\nHT26090001"}).content.decode()
    assert "HT26090001" in body and "w-in" in body
    assert "w-out" in browser_as("service").get("/units/lookup/", {"serial": "HT25010001"}).content.decode()
    assert "lookup-miss" in browser_as("bob").get("/units/lookup/", {"serial": "HT26090001"}).content.decode()


# --- receiving and inspection benches ---

def test_receiving_by_scans_answers_with_the_scan_result_partial(browser_as, new_case, flow, registry):
    case = new_case(lines=[line(serials=["HT26090001", "HT26090002"])])
    flow("service", "submit", case)
    flow("service", "approve", case)
    warehouse = browser_as("warehouse")
    assert "start_receiving" in warehouse.get(f"/cases/{case['id']}/receive/").content.decode()
    flow("warehouse", "start_receiving", case)
    response = warehouse.post(f"/cases/{case['id']}/receive/", {"serial": "HT26090001"}, **HX)
    body = response.content.decode()
    assert "<html" not in body and 'data-result="received"' in body and 'hx-swap-oob="true"' in body
    assert 'data-result="wrong_case"' not in body
    empty = warehouse.post(f"/cases/{case['id']}/receive/", {"serial": ""}, **HX).content.decode()
    assert "scan bad" in empty
    counted = warehouse.post(f"/cases/{case['id']}/receive/", {"line": "1", "quantity": "x"}, **HX)
    assert "scan bad" in counted.content.decode()
    assert ReturnUnit.objects.filter(return_case_id=case["id"], state="received").count() == 1


def test_a_scan_asks_nothing_of_the_menu_or_the_service_desk_while_the_case_stays_receiving(browser_as, new_case,
                                                                                            flow, registry):
    case = new_case(lines=[line(serials=["HT26090001", "HT26090002"])])
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    warehouse = browser_as("warehouse")
    with CaptureQueriesContext(connection) as captured:
        response = warehouse.post(f"/cases/{case['id']}/receive/", {"serial": "HT26090001"}, **HX)
    assert 'data-result="received"' in response.content.decode()
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "deadlines_deadline" not in tables  # the menu's count of waiting steps: not drawn in a fragment
    assert "servicedesk_servicerequest" not in tables  # no request follows a case whose state stayed
    assert "<nav" in warehouse.get(f"/cases/{case['id']}/receive/").content.decode()  # the whole page has its menu


def test_inspecting_in_bulk_with_one_unit_overridden(browser_as, received, detail):
    case, _ids = received(lines=[line(serials=["HT26090001", "HT26090002", "HT26090003"])])
    ids = [u["id"] for u in detail(case)["units"]]
    quality = browser_as("quality")
    none = quality.post(f"/cases/{case['id']}/inspect/", {"step": "inspect", "defect_class": "function"}, **HX)
    assert "Select the units" in none.content.decode() or "选择" in none.content.decode()
    response = quality.post(f"/cases/{case['id']}/inspect/", {
        "step": "inspect", "unit_ids": ids, "defect_class": "function", "responsibility": "company",
        f"defect_class-{ids[1]}": "appearance"}, **HX)
    assert response.status_code == 200 and response.content.decode().lstrip().startswith('<div id="bench">')
    from aftersales.returns.models import Inspection

    classes = dict(Inspection.objects.filter(unit_id__in=ids).values_list("unit_id", "defect_class"))
    assert classes == {ids[0]: "function", ids[1]: "appearance", ids[2]: "function"}
    bad = quality.post(f"/cases/{case['id']}/inspect/", {"step": "dispose", "unit_ids": ids, "disposition": "nope"})
    assert bad.status_code == 400
    quality.post(f"/cases/{case['id']}/inspect/", {"step": "dispose", "unit_ids": ids, "disposition": "repair"})
    assert set(ReturnUnit.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"disposed"}


# --- lists, inbox, notifications, language ---

def test_case_list_search_filter_sort_page_export_and_htmx_partial(browser_as, received):
    first, _ids = received(lines=[line(serials=["HT26090001"])])
    second, _ids = received(lines=[line(serials=["HT26090002"])])
    service = browser_as("service")
    body = service.get("/cases/", {"q": "HT26090002"}).content.decode()
    assert second["number"] in body and first["number"] not in body
    assert first["number"] in service.get("/cases/", {"q": first["number"]}).content.decode()
    assert service.get("/cases/", {"state": "draft"}).content.decode().count("/cases/") < body.count("/cases/") + 5
    partial = service.get("/cases/", {"sort": "number"}, **HX).content.decode()
    assert partial.lstrip().startswith('<section id="results">')
    assert partial.index(first["number"]) < partial.index(second["number"])
    export = service.get("/cases/", {"export": "xlsx", "q": "HT26090002"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert len(rows) == 2 and rows[1][0] == second["number"]


def test_inbox_lists_what_waits_for_the_role_and_switches_roles_by_htmx(browser_as, new_case, flow, registry, users):
    case = new_case()
    flow("service", "submit", case)
    body = browser_as("service").get("/").content.decode()
    assert case["number"] in body
    from aftersales.accounts.services import user_create

    both = user_create(username="both", password=None, role_codes={"service", "quality"})
    from django.test import Client

    client = Client()
    client.force_login(both)
    partial = client.get("/", {"role": "quality"}, **HX).content.decode()
    assert partial.lstrip().startswith('<section id="items"') and case["number"] not in partial


def test_notifications_page_renders_and_marks_read(browser_as, received):
    received()
    alice = browser_as("alice")
    assert "unread" in alice.get("/notifications/").content.decode()
    alice.post("/notifications/")
    assert "class=\"unread\"" not in alice.get("/notifications/").content.decode()


def test_language_switch_changes_the_page_and_the_profile(browser_as, users):
    client = browser_as("quality")
    assert 'lang="zh-hans"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
    users["quality"].refresh_from_db()
    assert users["quality"].language == "en"


def test_unknown_pages_are_404_pages_in_html(browser_as):
    response = browser_as("service").get("/cases/999999/")
    assert response.status_code == 404 and "<html" in response.content.decode()


# --- queries do not grow per row ---

def test_query_counts_do_not_grow_with_units_or_cases(browser_as, received, new_case):
    small, _ids = received(lines=[line(serials=["HT26090001"])])
    big, _ids = received(lines=[line(serials=[f"HT2609{n:04d}" for n in range(2, 30)])])
    service, quality = browser_as("service"), browser_as("quality")
    for client, path in ((service, "/cases/{}/"), (quality, "/cases/{}/inspect/"),
                         (browser_as("warehouse"), "/cases/{}/receive/")):
        client.get(path.format(small["id"]))  # warm: roles read once
        few, _ = queries(client, path.format(small["id"]))
        many, _ = queries(client, path.format(big["id"]))
        assert many == few, (path, few, many)
    service.get("/cases/")
    few, _ = queries(service, "/cases/")
    for _n in range(5):
        new_case()
    many, _ = queries(service, "/cases/")
    assert many == few
    few, _ = queries(service, "/")
    assert few <= 12


def test_queue_and_bench_lists_export_to_xlsx(browser_as, received, new_case, flow):
    from io import BytesIO

    from openpyxl import load_workbook

    case = new_case()
    flow("service", "submit", case)
    export = browser_as("service").get("/", {"role": "service", "export": "xlsx"})
    rows = list(load_workbook(BytesIO(export.content)).active.values)
    assert {row[2] for row in rows[1:]} == {case["number"]} and len(rows) == 4  # first reply, approval, cycle
    received(lines=[line(serials=["HT26090002"])])  # not the serial the open case above holds
    rows = list(load_workbook(BytesIO(browser_as("quality").get("/bench/quality/", {"export": "xlsx"}).content))
                .active.values)
    assert len(rows) == 2 and rows[1][3] == 1


def test_the_manager_sees_the_overview_chart_from_local_static_files(browser_as, new_case, flow, registry):
    import json
    import re

    case = new_case()
    flow("service", "submit", case)
    body = browser_as("manager").get("/").content.decode()
    data = json.loads(re.search(r'<script id="overview-data" type="application/json">(.*?)</script>', body).group(1))
    assert sum(data["on_time"]) + sum(data["overdue"]) == 3  # first reply, approval, complaint cycle
    assert "/static/web/vendor/echarts-5.6.0.min.js" in body and "cdn" not in body.lower()
    assert "overview-chart" not in browser_as("service").get("/").content.decode()


APPLICATION = {"channel": "dealer", "line-0-product_model": "HT-2000", "line-0-item_name": "电热水器",
               "line-0-serials": "HT26090001", "line-0-production_lot": "260910-1",
               "line-0-defect_description": "不加热", "submit_now": "1"}


def test_a_good_photo_then_a_refused_one_leave_no_application_and_no_file(browser_as, registry, tmp_path, settings,
                                                                          django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    good = SimpleUploadedFile("good.jpg", image("JPEG"), content_type="image/jpeg")
    corner = SimpleUploadedFile("corner.xlsx", corner_xlsx())
    with django_capture_on_commit_callbacks(execute=True):
        response = browser_as("alice").post("/cases/new/", {**APPLICATION, "photos": [good, corner]})
    assert response.status_code == 400 and ReturnCase.objects.count() == 0
    shown = re.search(r'id="id_photos-error"[^>]*>([^<]*)<', response.content.decode()).group(1)
    assert "corner.xlsx" in shown and "200,000" in shown  # the workbook's refusal, with its limit
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_too_many_photos_are_refused_before_any_is_read(browser_as, registry, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.returns.views import application as views

    monkeypatch.setattr("aftersales.returns.services.cases.attachment_add",
                        lambda **kwargs: pytest.fail("a photo was read"))
    photos = [SimpleUploadedFile(f"{n}.jpg", b"x", content_type="image/jpeg") for n in range(views.MAX_PHOTOS + 1)]
    response = browser_as("alice").post("/cases/new/", {**APPLICATION, "photos": photos})
    assert response.status_code == 400 and ReturnCase.objects.count() == 0
    shown = re.search(r'id="id_photos-error"[^>]*>([^<]*)<', response.content.decode()).group(1)
    assert str(views.MAX_PHOTOS) in shown


def test_a_refused_photo_saves_no_application(browser_as, registry):
    from django.core.files.uploadedfile import SimpleUploadedFile

    script = SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 64, content_type="application/octet-stream")
    response = browser_as("alice").post("/cases/new/", {
        "channel": "dealer", "line-0-product_model": "HT-2000", "line-0-item_name": "电热水器",
        "line-0-serials": "HT26090001", "submit_now": "1", "photos": [script]})
    assert response.status_code == 400 and ReturnCase.objects.count() == 0
