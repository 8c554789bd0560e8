"""Printable forms (退货单, 售后入库单, 客退品检验报告表, 返品处理通知单), their PDFs and the QR label sheet:
what they show, who may print them, and that their queries do not grow with the case."""

import re

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.flows import IN_WARRANTY, OUT_OF_WARRANTY, items_for, line
from tests.printing import COMPANY, embedded_fonts

pytestmark = pytest.mark.django_db

FORMS = ["return-note", "receipt", "inspection-report", "disposition-notice"]


@pytest.fixture(autouse=True)
def _company(settings):
    settings.COMPANY_NAME = COMPANY


@pytest.fixture
def disposed_case(new_case, flow, detail, registry, product_models):
    """Alice's case, inspected and disposed: HT26090001 arrived, HT26090002 never did, and a quantity
    line of 2 controllers arrived as 3 (one extra). Returns (case, data of the units that arrived)."""
    lines = [line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)], production_lot="260910-7",
                  defect_description="通电不加热"),
             line(quantity=2, model="MC-750", item_name="无刷电机控制器", production_lot="260801-2",
                  defect_description="无输出")]
    case = new_case(lines=lines)
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1)}, {"line": 2, "quantity": 3}])
    flow("warehouse", "close_receipt", case)
    arrived = [unit for unit in detail(case)["units"] if unit["warehouse"]]
    ids = [unit["id"] for unit in arrived]
    flow("quality", "inspect", case, unit_ids=ids, result={"defect_class": "function", "responsibility": "company",
                                                           "grade": "A", "notes": "加热管开路"},
         per_unit={str(ids[1]): {"defect_class": "appearance", "missing_accessories": "遥控器"}})
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    return case, [unit for unit in detail(case)["units"] if unit["warehouse"]]


def _url(case, form, pdf=False) -> str:
    return f"/cases/{case['id']}/print/{form}/" + ("?format=pdf" if pdf else "")


# --- what each form shows ---

EXPECTED = {
    "return-note": ["退货单", "Return Note", "HT26090001 HT26090002", "260910-7", "通电不加热", "无刷电机控制器",
                    "260801-2", "无输出"],
    "receipt": ["售后入库单", "After-sales Receipt", "HT26090001", "AS"],
    "inspection-report": ["客退品检验报告表", "Inspection Report of Customer Returns", "HT26090001", "加热管开路",
                          "遥控器", "quality"],
    "disposition-notice": ["返品处理通知单", "Disposition Notice of Returned Goods", "HT26090001"],
}


@pytest.mark.parametrize("form", FORMS)
def test_each_form_shows_the_case(form, disposed_case, browser_as):
    case, arrived = disposed_case
    response = browser_as("service").get(_url(case, form))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for text in [COMPANY, case["number"], "华东经销商（上海）", "C-ALICE", "@page", "A4", *EXPECTED[form]]:
        assert text in page, (form, text)
    assert page.count('class="sig-label"') == 4  # the signature boxes of a paper form


def test_receipt_counts_against_the_note(disposed_case, browser_as):
    case, arrived = disposed_case
    page = browser_as("warehouse").get(_url(case, "receipt")).content.decode()
    # Units received by quantity have no serial: they are listed by their record id, as on their labels.
    for unit in arrived:
        assert (unit["serial"] or f"#{unit['id']}") in page
    assert "HT26090002" in page  # the shortage, among the receiving differences
    per_line = {number: re.findall(r"<td[^>]*>([^<]*)</td>", cells)
                for number, cells in re.findall(r'<tr data-line="(\d+)">(.*?)</tr>', page)}
    # line, part no., name, on the note, arrived, extra, short
    assert per_line == {"1": ["1", "HT-2000", "电热水器 2000W", "2", "1", "", "1"],
                        "2": ["2", "MC-750", "无刷电机控制器", "2", "3", "1", ""]}


def test_inspection_report_and_disposition_notice_per_unit(disposed_case, browser_as):
    case, arrived = disposed_case
    report = browser_as("quality").get(_url(case, "inspection-report")).content.decode()
    notice = browser_as("service").get(_url(case, "disposition-notice")).content.decode()
    for unit in arrived:
        identity = unit["serial"] or f"#{unit['id']}"
        assert identity in report and identity in notice
    assert notice.count("<tr><td class=\"num\">") == len(arrived)


# --- PDF ---

@pytest.mark.parametrize("form", FORMS)
def test_each_form_as_pdf_embeds_the_chinese_font(form, disposed_case, browser_as, tmp_path):
    case, _arrived = disposed_case
    response = browser_as("service").get(_url(case, form, pdf=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert case["number"] in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    fonts = embedded_fonts(response.content, tmp_path)
    cjk = {name: embedded for name, embedded in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk and all(cjk.values()), fonts


# --- who may print ---

def test_anonymous_is_sent_to_log_in(disposed_case, client):
    case, _arrived = disposed_case
    for url in (_url(case, "return-note"), f"/cases/{case['id']}/labels/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_customer_prints_only_its_own_forms_and_no_labels(disposed_case, browser_as):
    case, _arrived = disposed_case
    alice, bob = browser_as("alice"), browser_as("bob")
    for form in FORMS:
        assert alice.get(_url(case, form)).status_code == 200, form
        assert bob.get(_url(case, form)).status_code == 404, form
        assert bob.get(_url(case, form, pdf=True)).status_code == 404, form
    assert alice.get(f"/cases/{case['id']}/labels/").status_code == 404
    assert bob.get(f"/cases/{case['id']}/labels/").status_code == 404


def test_unknown_form_or_case_is_not_found(disposed_case, browser_as):
    case, _arrived = disposed_case
    service = browser_as("service")
    assert service.get(_url(case, "rework-order")).status_code == 404
    assert service.get(f"/cases/{case['id'] + 1000}/print/return-note/").status_code == 404
    assert service.get(f"/cases/{case['id'] + 1000}/labels/").status_code == 404


def test_case_page_links_to_the_forms_and_labels_for_staff_only(disposed_case, browser_as):
    case, _arrived = disposed_case
    staff = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    portal = browser_as("alice").get(f"/cases/{case['id']}/").content.decode()
    for form in FORMS:
        assert f'href="{_url(case, form)}"' in staff and f'href="{_url(case, form)}?format=pdf"' in staff
        assert f'href="{_url(case, form)}"' in portal
    assert f"/cases/{case['id']}/labels/" in staff
    assert f"/cases/{case['id']}/labels/" not in portal


# --- labels ---

def test_labels_one_qr_code_per_received_unit(disposed_case, browser_as):
    case, arrived = disposed_case
    response = browser_as("warehouse").get(f"/cases/{case['id']}/labels/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == len(arrived) == 4
    assert "HT26090002" not in page  # never arrived: nothing to label
    first = next(unit for unit in arrived if unit["serial"] == "HT26090001")
    expected = segno.make(f"{case['number']}|HT26090001|HT-2000", error="m", micro=False, mask=4)
    assert expected.svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None) in page
    assert first["product_model"] in page and case["number"] in page
    for unit in arrived:
        assert (unit["serial"] or f"#{unit['id']}") in page


def test_labels_as_pdf(disposed_case, browser_as):
    case, _arrived = disposed_case
    response = browser_as("warehouse").get(f"/cases/{case['id']}/labels/?format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- queries do not grow with the case ---

def _received_and_disposed(new_case, flow, detail, serials: list[str]) -> dict:
    lines = [line(serials=serials)]
    case = new_case(lines=lines)
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    flow("warehouse", "receive", case, items=items_for(lines))
    flow("warehouse", "close_receipt", case)
    ids = [unit["id"] for unit in detail(case)["units"]]
    flow("quality", "inspect", case, unit_ids=ids, result={"defect_class": "function", "responsibility": "company"})
    flow("quality", "dispose", case, unit_ids=ids, disposition="repair")
    return case


def _queries(client, url) -> int:
    client.get(url)  # the session and role lookups settle on the first request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_queries_are_the_same_for_3_and_30_units(new_case, flow, detail, registry, browser_as):
    small = _received_and_disposed(new_case, flow, detail, [IN_WARRANTY.format(n) for n in range(3)])
    large = _received_and_disposed(new_case, flow, detail, [OUT_OF_WARRANTY.format(n) for n in range(30)])
    assert len(detail(large)["units"]) == 30
    service = browser_as("service")
    for form in FORMS:
        assert _queries(service, _url(small, form)) == _queries(service, _url(large, form)), form
    assert (_queries(service, f"/cases/{small['id']}/labels/")
            == _queries(service, f"/cases/{large['id']}/labels/"))
