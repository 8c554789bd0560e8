"""Satisfaction statistics (满意度统计): averages per dimension, per month (China's months), per technician and per
department, the comments, through the API (managers and the service department) and the page with its XLSX
export. The figures below are worked out by hand from the four answers of the `answers` fixture."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from aftersales.accounts.services import user_create
from aftersales.returns.models import ReturnCase
from aftersales.servicedesk.models import ServiceRequest, Survey
from tests.conftest import PASSWORD, at

BASE = "/api/v1/satisfaction/"


@pytest.fixture
def answers(users, customers):
    """Four answered surveys and one waiting:
    S1 R1 technician  2026-10-15 (5, 4, 5, 5) "上门很快"
    S2 R2 service     2026-10-31 23:30 (3, 2, 2, 3)  (no comment; not satisfied: attitude 2)
    S3 case repair    2026-11-01 00:30 (4, 4, 3, 4) "还行"  (still October in UTC: counted in November)
    S4 R3 li (field)  2026-11-25 (2, 3, 4, 1) "太慢"  (not satisfied)
    S5 R4 technician  not answered."""
    li = user_create(username="li", password=PASSWORD, role_codes={"technician"})
    alice, bob = customers["alice"], customers["bob"]

    def request(n, customer):
        return ServiceRequest.objects.create(number=f"SR-2026-{n:06d}", channel="phone", customer=customer,
                                             category="repair", description="不加热", state="closed")

    case = ReturnCase.objects.create(number="RMA-2026-000001", customer=bob, state="closed")
    rows = [
        (request(1, alice), None, users["technician"], "technician", "2026-10-15T10:00", (5, 4, 5, 5), "上门很快"),
        (request(2, bob), None, users["service"], "service", "2026-10-31T23:30", (3, 2, 2, 3), ""),
        (None, case, users["repair"], "repair", "2026-11-01T00:30", (4, 4, 3, 4), "还行"),
        (request(3, alice), None, li, "technician", "2026-11-25T16:00", (2, 3, 4, 1), "太慢"),
    ]
    made = []
    for sr, rc, handler, department, moment, (response, attitude, fix_quality, overall), comment in rows:
        made.append(Survey.objects.create(
            request=sr, return_case=rc, customer=(sr or rc).customer, handled_by=handler, department=department,
            answered_at=at(moment), response=response, attitude=attitude, fix_quality=fix_quality, overall=overall,
            comment=comment, followup="reopen" if min(response, attitude, fix_quality, overall) <= 2 else "none"))
    Survey.objects.create(request=request(4, alice), customer=alice, handled_by=users["technician"],
                          department="technician")
    return made


def _get(api, path, role="manager", **query):
    response = api(role).get(f"{BASE}{path}", query)
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_averages_per_dimension(api, answers):
    assert _get(api, "") == {"count": 4, "low": 2, "response": 3.5, "attitude": 3.25, "fix_quality": 3.5,
                             "overall": 3.25}
    assert _get(api, "", kind="case") == {"count": 1, "low": 0, "response": 4.0, "attitude": 4.0,
                                          "fix_quality": 3.0, "overall": 4.0}
    assert _get(api, "", **{"from": "2026-11-01"})["count"] == 2  # S3 was answered on 1 November, China's time
    assert _get(api, "", to="2026-10-31", department="technician") == {
        "count": 1, "low": 0, "response": 5.0, "attitude": 4.0, "fix_quality": 5.0, "overall": 5.0}
    assert _get(api, "", technician="nobody-here") == {"count": 0, "low": 0, "response": None, "attitude": None,
                                                       "fix_quality": None, "overall": None}


def test_the_averages_per_month_in_chinas_months(api, answers):
    months = _get(api, "groups/", by="month")["results"]
    assert months == [
        {"key": "2026-10", "label": "2026-10", "count": 2, "low": 1, "response": 4.0, "attitude": 3.0,
         "fix_quality": 3.5, "overall": 4.0},
        {"key": "2026-11", "label": "2026-11", "count": 2, "low": 1, "response": 3.0, "attitude": 3.5,
         "fix_quality": 3.5, "overall": 2.5}]
    assert _get(api, "groups/")["results"] == months  # by month unless told


def test_the_averages_per_technician_and_per_department(api, answers):
    technicians = _get(api, "groups/", by="technician", role="service")["results"]
    assert [(r["key"], r["count"], r["low"], r["response"], r["attitude"], r["fix_quality"], r["overall"])
            for r in technicians] == [
        ("li", 1, 1, 2.0, 3.0, 4.0, 1.0), ("repair", 1, 0, 4.0, 4.0, 3.0, 4.0),
        ("service", 1, 1, 3.0, 2.0, 2.0, 3.0), ("technician", 1, 0, 5.0, 4.0, 5.0, 5.0)]
    departments = _get(api, "groups/", by="department")["results"]
    assert [(r["key"], r["count"], r["low"], r["response"], r["attitude"], r["fix_quality"], r["overall"])
            for r in departments] == [
        ("technician", 2, 1, 3.5, 3.5, 4.5, 3.0), ("repair", 1, 0, 4.0, 4.0, 3.0, 4.0),
        ("service", 1, 1, 3.0, 2.0, 2.0, 3.0)]
    assert departments[0]["label"]  # the role's name


def test_the_comments_newest_first(api, answers):
    comments = _get(api, "comments/")["results"]
    assert [(c["number"], c["kind"], c["comment"], c["technician"], c["overall"]) for c in comments] == [
        ("SR-2026-000003", "request", "太慢", "li", 1), ("RMA-2026-000001", "case", "还行", "repair", 4),
        ("SR-2026-000001", "request", "上门很快", "technician", 5)]
    assert comments[1]["customer"] == "C-BOB" and comments[0]["followup"] == "reopen"


def test_only_managers_and_the_service_department_read_the_statistics(api, answers):
    for path in ("", "groups/", "comments/"):
        assert api("alice").get(f"{BASE}{path}").json()["code"] == "not_found"
        refused = api("warehouse").get(f"{BASE}{path}")
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
        assert api(None).get(f"{BASE}{path}").status_code in (401, 403)


def test_bad_filters_are_refused_with_the_field(api, answers):
    for path, query, field in (("", {"from": "2026-13-45"}, "from"), ("", {"kind": "bogus"}, "kind"),
                               ("groups/", {"by": "bogus"}, "by"), ("comments/", {"technician": "x" * 151},
                                                                    "technician")):
        refused = api("manager").get(f"{BASE}{path}", query)
        assert refused.status_code == 400 and refused.json()["code"] == "invalid", (path, query)
        assert field in refused.json()["details"]


def test_the_page_shows_the_figures_and_exports_the_answers(browser_as, answers):
    manager = browser_as("manager")
    page = manager.get("/service-desk/satisfaction/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-measure="attitude">3.25<' in html and 'data-measure="low">2<' in html
    assert 'id="satisfaction-data"' in html and '"months": ["2026-10", "2026-11"]' in html
    assert "太慢" in html and "上门很快" in html and "/static/servicedesk/charts.js" in html
    filtered = manager.get("/service-desk/satisfaction/", {"department": "repair"}).content.decode()
    assert 'data-measure="count">1<' in filtered
    bad = manager.get("/service-desk/satisfaction/", {"from": "bogus"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    export = manager.get("/service-desk/satisfaction/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5  # the header and the four answers, newest first
    assert rows[1][1] == "SR-2026-000003" and rows[1][5:9] == (2, 3, 4, 1) and rows[1][9] == "太慢"
    chinese = manager.get("/service-desk/satisfaction/", {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(load_workbook(io.BytesIO(b"".join(chinese.streaming_content) if chinese.streaming
                                         else chinese.content)).active.iter_rows(values_only=True))
    assert (rows[0][4], rows[0][10]) == ("部门", "后续处理")
    assert (rows[1][4], rows[1][10]) == ("售后服务人员", "再次处理") and rows[2][10] == "无需再处理"
    for role in ("alice", "warehouse", "technician"):
        assert browser_as(role).get("/service-desk/satisfaction/").status_code == 404


def test_the_statistics_read_in_a_fixed_number_of_queries(api, answers):
    def counts() -> dict:
        found = {}
        for path, query in (("", {}), ("groups/", {"by": "technician"}), ("comments/", {"page_size": 50})):
            with CaptureQueriesContext(connection) as captured:
                assert api("manager").get(f"{BASE}{path}", query).status_code == 200
            found[path] = len(captured)
        return found

    counts()  # the policies read once into their cache
    before = counts()
    assert before == {"": 2, "groups/": 2, "comments/": 2}, before
    for survey in Survey.objects.filter(answered_at__isnull=False):  # as many again, another customer's and case's
        survey.pk, survey.request, survey.closing = None, None, survey.closing + 1
        survey.return_case = ReturnCase.objects.create(number=f"RMA-2026-9{Survey.objects.count():05d}",
                                                       customer=survey.customer, state="closed")
        survey.save()
    assert Survey.objects.filter(answered_at__isnull=False).count() == 8
    assert counts() == before
