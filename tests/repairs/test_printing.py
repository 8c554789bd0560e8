"""Printable forms of a case's repair work (重工单, 售后物料申请单, 收费清单, 报废申请单) and their PDFs:
what they show, who may print them (the quote also the case's customer, the rest staff only), and that
their queries do not grow with the case."""

import re

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from aftersales.masterdata.models import ScrapClass
from aftersales.repairs.models import DelayReason, Quote
from tests.flows import FUNCTION_FAULT, IN_WARRANTY, OUT_OF_WARRANTY, items_for, line
from tests.printing import COMPANY, embedded_fonts

pytestmark = pytest.mark.django_db

FORMS = ["rework-orders", "material-requests", "quote", "scrap-applications"]
STAFF_ONLY = ["rework-orders", "material-requests", "scrap-applications"]


@pytest.fixture(autouse=True)
def _company(settings):
    settings.COMPANY_NAME = COMPANY


def _t(text) -> str:
    """A label as the pages print it: in the personas' language (the site's default)."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _url(case, form, pdf=False) -> str:
    return f"/cases/{case['id']}/print/{form}/" + ("?format=pdf" if pdf else "")


def _record(unit, **extra) -> dict:
    return {"unit": unit, "fault_found": "加热管断路", "cause": "来料不良", "action": "更换加热管",
            "labour_hours": "1.5", "hardware_before": "A1", "hardware_after": "A2", "software_before": "1.0.3",
            "software_after": "1.1.0", **extra}


@pytest.fixture
def repair_case(new_case, flow, detail, registry, post, parts):
    """repair_case(n, start=0) -> (case, unit ids by group), case["serials"] the serials by group: a case of
    Alice's with n units of each kind of work:

    - "repair": in warranty, on a batch rework order (first article checked, then all units recorded with
      parts issued from an approved, received and issued material request; a second request refused);
    - "charged": out of warranty, quoted, the quote revised before the answer, the revision accepted in
      the portal, then put on a second (planned) order, delayed for missing material;
    - "scrap": on a scrap application with kilograms per class, approved; a second application of parts
      and wire only, refused.
    """

    def make(n: int, start: int = 0):
        repair = [IN_WARRANTY.format(start + k) for k in range(n)]
        scrap = [IN_WARRANTY.format(start + n + k) for k in range(n)]
        charged = [OUT_OF_WARRANTY.format(start + k) for k in range(n)]
        lines = [line(serials=repair + scrap, defect_description="通电不加热"),
                 line(serials=charged, production_lot="250110-1", defect_description="漏水")]
        case = new_case(lines=lines)
        flow("service", "submit", case)
        flow("service", "approve", case)
        flow("warehouse", "start_receiving", case)
        flow("warehouse", "receive", case, items=items_for(lines))
        flow("warehouse", "close_receipt", case)
        by_serial = {unit["serial"]: unit["id"] for unit in detail(case)["units"]}
        case["serials"] = {"repair": repair, "scrap": scrap, "charged": charged}
        ids = {group: [by_serial[s] for s in serials] for group, serials in case["serials"].items()}
        every = [pk for group in ids.values() for pk in group]
        flow("quality", "inspect", case, unit_ids=every, result=FUNCTION_FAULT)
        flow("quality", "dispose", case, unit_ids=every, disposition="repair",
             per_unit={str(pk): {"disposition": "scrap"} for pk in ids["scrap"]})

        # The rework order: a batch, its first article first.
        order = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids["repair"], "kind": "rework",
                                                     "method": "更换加热管并升级固件", "team": "维修一组",
                                                     "is_batch": True}, expect=201)
        post("repair", f"repair-orders/{order['id']}/plan/", {"expected_finish": order["due_at"]})
        post("engineering", f"repair-orders/{order['id']}/findings/", {"findings": "加热管批次来料不良"})
        request = post("repair", "material-requests/", {"order": order["id"], "comment": "首批用料", "lines": [
            {"part": "HT-ELEM", "quantity": n}, {"part": "HT-THERM", "quantity": 1}]}, expect=201)
        post("purchasing", f"material-requests/{request['id']}/decide/", {"approve": True})
        post("purchasing", f"material-requests/{request['id']}/receive/")
        post("warehouse", f"material-requests/{request['id']}/issue/")
        refused = post("repair", "material-requests/", {"order": order["id"], "lines": [
            {"part": "HT-PANEL", "quantity": 3}]}, expect=201)
        post("purchasing", f"material-requests/{refused['id']}/decide/", {"approve": False, "comment": "库存充足"})
        post("repair", f"repair-orders/{order['id']}/start/")
        first, *rest = ids["repair"]
        post("repair", f"repair-orders/{order['id']}/records/", {"records": [
            _record(first, parts=[{"part": "HT-ELEM", "quantity": 1}, {"part": "HT-THERM", "quantity": 1}])]})
        post("quality", f"repair-orders/{order['id']}/first-article/", {"passed": True, "notes": "首件合格"})
        post("repair", f"repair-orders/{order['id']}/records/", {"records": [
            _record(pk, labour_hours="0.5", parts=[{"part": "HT-ELEM", "quantity": 1}]) for pk in rest]})

        # The quote, revised before the customer answered; the revision accepted in the portal.
        post("service", "quotes/", {"case": case["id"], "unit_ids": ids["charged"],
                                    "parts": [{"part": "HT-ELEM", "quantity": 1}], "labour_hours": "2",
                                    "transport": "15", "expected_return_date": "2026-12-10"}, expect=201)
        quote = Quote.objects.get(return_case_id=case["id"])
        post("service", f"quotes/{quote.pk}/revise/", {
            "parts": [{"part": "HT-ELEM", "quantity": 1}, {"part": "HT-THERM", "quantity": 1}], "labour_hours": "2",
            "transport": "15", "expected_return_date": "2026-12-12", "reason": "拆机发现温控器也已损坏"}, expect=201)
        flow("alice", "accept_charge", case, unit_ids=ids["charged"])
        second = post("planning", "repair-orders/", {"case": case["id"], "unit_ids": ids["charged"],
                                                     "team": "维修二组"}, expect=201)
        post("repair", f"repair-orders/{second['id']}/delays/", {
            "reason": "material", "explanation": "温控器缺料", "working_days": 2, "notice": "已书面通知销售售后服务部"})

        # Scrap: the units by weight per class (approved), and parts with wire (refused).
        application = post("quality", "scrap-applications/", {
            "reason": "无法修复，整机报废", "case": case["id"], "unit_ids": ids["scrap"],
            "weights_kg": {"metal": "3.5", "plastic": "1.25", "packaging": "0.8", "wire": "0.4"}}, expect=201)
        post("manager", f"scrap-applications/{application['id']}/decide/", {"approve": True})
        parts_only = post("repair", "scrap-applications/", {
            "reason": "拆下的前面板破损", "case": case["id"], "parts": [{"part": "HT-PANEL", "quantity": 2}],
            "weights_kg": {"wire": "0.2"}}, expect=201)
        post("manager", f"scrap-applications/{parts_only['id']}/decide/", {"approve": False, "comment": "可外协翻新"})
        return case, ids

    return make


def _serials(case, group) -> list[str]:
    return case["serials"][group]


def _cells(page: str, row_attribute: str, value: str) -> list[str]:
    found = re.search(rf'<tr {row_attribute}="{re.escape(value)}">(.*?)</tr>', page, re.S)
    assert found, (row_attribute, value)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found[1], re.S)]


# --- what each form shows ---

EXPECTED = {
    "rework-orders": ["重工单", "Rework Order", "更换加热管并升级固件", "加热管批次来料不良", "维修一组", "维修二组",
                      "首件合格", "加热管断路", "来料不良", "更换加热管", "A1 → A2", "1.0.3 → 1.1.0",
                      "HT-ELEM 加热管 2000W × 1", "HT-THERM 温控器 × 1"],
    "material-requests": ["售后物料申请单", "After-sales Material Request", "HT-ELEM", "加热管 2000W", "HT-THERM",
                          "温控器", "HT-PANEL", "首批用料", "库存充足", "repair", "purchasing"],
    "quote": ["收费清单", "Quotation of Charges", "HT-ELEM", "加热管 2000W", "温控器", "42.00", "15.00", "100.00",
              "157.00", "172.00", "2026-12-12", "拆机发现温控器也已损坏"],
    "scrap-applications": ["报废申请单", "Scrap Application", "无法修复，整机报废", "拆下的前面板破损", "HT-PANEL",
                           "前面板", "3.500", "1.250", "0.800", "0.400", "0.200", "manager"],
}


@pytest.mark.parametrize("form", FORMS)
def test_each_form_shows_the_case_and_its_repair_work(form, repair_case, browser_as):
    case, ids = repair_case(2)
    response = browser_as("service").get(_url(case, form))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for text in [COMPANY, case["number"], "华东经销商（上海）", "C-ALICE", "@page", "A4", *EXPECTED[form]]:
        assert text in page, (form, text)
    assert page.count('class="sig-label"') == 4  # the signature boxes of a paper form
    serials = {"rework-orders": ["repair", "charged"], "material-requests": [], "quote": ["charged"],
               "scrap-applications": ["scrap"]}[form]
    for group in serials:
        for serial in _serials(case, group):
            assert serial in page, (form, serial)


def test_rework_orders_per_unit_with_first_article_records_parts_and_hours(repair_case, browser_as):
    case, ids = repair_case(3)
    page = browser_as("planning").get(_url(case, "rework-orders")).content.decode()
    assert page.count('<section class="order"') == 2
    first, second, third = _serials(case, "repair")
    # serial, model, state, records, parts used, hours
    final = _t("Final inspection")
    assert _cells(page, "data-unit", first)[1:] == [f"{first} ({_t('first article')})", "HT-2000", final, "1",
                                                    "HT-ELEM 加热管 2000W × 1; HT-THERM 温控器 × 1", "1.50"]
    assert _cells(page, "data-unit", second)[1:] == [second, "HT-2000", final, "1", "HT-ELEM 加热管 2000W × 1", "0.50"]
    assert _t("Passed") in page and "首件合格" in page
    assert "2.50" in page  # the order's hours: 1.5 + 2 × 0.5
    assert "温控器缺料" in page and _t(DelayReason.MATERIAL.label) in page
    # What the material request issued to the order (before the units took it).
    issued = re.escape(_t("Material issued to the order"))
    assert re.search(issued + r'.*?HT-ELEM</td><td>加热管 2000W</td><td class="num">3<', page, re.S)


def test_material_requests_lines_and_decisions(repair_case, browser_as):
    case, _ids = repair_case(2)
    page = browser_as("purchasing").get(_url(case, "material-requests")).content.decode()
    sections = re.findall(r'<section class="request" data-request="([^"]+)">(.*?)</section>', page, re.S)
    assert len(sections) == 2
    (issued_number, issued), (refused_number, refused) = sections
    assert _t("Issued") in issued and _t("Rejected") in refused and "库存充足" in refused
    # part no., name, quantity, received, issued
    assert _cells(issued, "data-part", "HT-ELEM")[1:] == ["HT-ELEM", "加热管 2000W", "2", "2", "2"]
    assert _cells(issued, "data-part", "HT-THERM")[1:] == ["HT-THERM", "温控器", "1", "1", "1"]
    assert _cells(refused, "data-part", "HT-PANEL")[1:] == ["HT-PANEL", "前面板", "3", "0", "0"]
    assert re.search(rf"{_t('Requested by')}.*?repair.*?{_t('Decided by')}.*?purchasing", issued, re.S)


def test_quote_in_force_and_the_superseded_one_marked(repair_case, browser_as):
    case, ids = repair_case(2)
    page = browser_as("alice").get(_url(case, "quote")).content.decode()
    superseded = re.search(
        r'<section class="quote superseded" data-revision="1" data-state="superseded">(.*?)</section>', page, re.S)
    in_force = re.search(r'<section class="quote" data-revision="2" data-state="accepted">(.*?)</section>', page, re.S)
    assert superseded and in_force
    marked = _t("SUPERSEDED")
    assert marked in superseded[1] and _t("replaced by revision %(revision)s") % {"revision": 2} in superseded[1]
    assert marked not in in_force[1]
    # item, name, quantity, unit price, amount: parts at cost + 20 %, labour 2 h × 50, transport
    assert _cells(in_force[1], "data-part", "HT-ELEM") == ["HT-ELEM", "加热管 2000W", "1", "42.00", "42.00"]
    assert _cells(in_force[1], "data-part", "HT-THERM") == ["HT-THERM", "温控器", "1", "15.00", "15.00"]
    assert _cells(in_force[1], "data-kind", "labour")[2:] == ["2", "50", "100.00"]
    assert _cells(in_force[1], "data-kind", "transport")[-1] == "15.00"
    assert "172.00" in in_force[1] and "344.00" in in_force[1]  # per unit, and for the 2 units
    assert "157.00" in superseded[1] and "314.00" in superseded[1]
    assert _t("Accepted") in in_force[1] and "alice" in in_force[1] and "2026-12-12" in in_force[1]
    for serial in _serials(case, "charged"):
        assert serial in in_force[1]
    assert "35.00" not in page  # the company's cost of a part is not the customer's business


def test_scrap_applications_weights_per_class_and_decisions(repair_case, browser_as):
    case, ids = repair_case(2)
    page = browser_as("quality").get(_url(case, "scrap-applications")).content.decode()
    numbers = re.findall(r'<tr data-application="([^"]+)">', page)
    assert len(numbers) == 2
    # number, state, metal, plastic, packaging, wire, other
    assert _cells(page, "data-application", numbers[0]) == [numbers[0], _t("Approved"), "3.500", "1.250", "0.800",
                                                            "0.400", ""]
    assert _cells(page, "data-application", numbers[1]) == [numbers[1], _t("Rejected"), "", "", "", "0.200", ""]
    assert re.search(rf'<tfoot><tr><td colspan="2">{_t("Total")}</td><td class="num">3.500</td>.*?0.600', page, re.S)
    for scrap_class in (ScrapClass.METAL, ScrapClass.PLASTIC, ScrapClass.PACKAGING, ScrapClass.WIRE):
        assert _t(scrap_class.label) in page
    assert _t("No units: materials only.") in page


def test_a_case_without_repair_work_prints_none(new_case, browser_as, registry):
    case = new_case()
    for form in FORMS:
        response = browser_as("service").get(_url(case, form))
        assert response.status_code == 200, form
        none = {"rework-orders": "None: no rework order for this case.",
                "material-requests": "None: no material request for this case.",
                "quote": "None: no quote for this case.",
                "scrap-applications": "None: no scrap application for this case."}[form]
        assert _t(none) in response.content.decode(), form


# --- PDF ---

@pytest.mark.parametrize("form", FORMS)
def test_each_form_as_pdf_embeds_the_chinese_font(form, repair_case, browser_as, tmp_path):
    case, _ids = repair_case(2)
    response = browser_as("service").get(_url(case, form, pdf=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert case["number"] in response["Content-Disposition"] and form in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    fonts = embedded_fonts(response.content, tmp_path)
    cjk = {name: embedded for name, embedded in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk and all(cjk.values()), fonts


# --- who may print ---

def test_the_customer_prints_the_quote_of_its_case_only(repair_case, browser_as):
    case, _ids = repair_case(2)
    alice, bob = browser_as("alice"), browser_as("bob")
    assert alice.get(_url(case, "quote")).status_code == 200
    pdf = alice.get(_url(case, "quote", pdf=True))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for form in STAFF_ONLY:
        assert alice.get(_url(case, form)).status_code == 404, form
        assert alice.get(_url(case, form, pdf=True)).status_code == 404, form
    for form in FORMS:
        assert bob.get(_url(case, form)).status_code == 404, form
        assert bob.get(_url(case, form, pdf=True)).status_code == 404, form


def test_anonymous_is_sent_to_log_in(new_case, client, registry):
    case = new_case()
    for form in FORMS:
        response = client.get(_url(case, form))
        assert response.status_code == 302 and "login" in response["Location"]


def test_case_page_links_to_the_repair_forms(repair_case, browser_as):
    # Linked once the case has the work they print (issue 12: no quote link without a quote); see below.
    case, _ids = repair_case(2)
    staff = browser_as("service").get(f"/cases/{case['id']}/").content.decode()
    portal = browser_as("alice").get(f"/cases/{case['id']}/").content.decode()
    for form in FORMS:
        assert f'href="{_url(case, form)}"' in staff and f'href="{_url(case, form)}?format=pdf"' in staff, form
    assert f'href="{_url(case, "quote")}"' in portal and f'href="{_url(case, "quote")}?format=pdf"' in portal
    for form in STAFF_ONLY:
        assert _url(case, form) not in portal, form


def test_a_case_without_repair_work_links_to_no_repair_form(new_case, browser_as, registry):
    case = new_case()
    for who in ("service", "alice"):
        page = browser_as(who).get(f"/cases/{case['id']}/").content.decode()
        for form in FORMS:
            assert _url(case, form) not in page, (who, form)


# --- queries do not grow with the case ---

def _queries(client, url) -> int:
    client.get(url)  # the session and role lookups settle on the first request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_queries_are_the_same_for_2_and_6_units(repair_case, browser_as):
    small, small_ids = repair_case(2)
    large, large_ids = repair_case(6, start=10)
    assert all(len(group) == 6 for group in large_ids.values())
    service, alice = browser_as("service"), browser_as("alice")
    for form in FORMS:
        assert _queries(service, _url(small, form)) == _queries(service, _url(large, form)), form
    assert _queries(alice, _url(small, "quote")) == _queries(alice, _url(large, "quote"))

