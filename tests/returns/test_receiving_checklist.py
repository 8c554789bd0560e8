"""The receiving checklist (售后返退货流程描述 二.1, 服装返货 三.5): what the warehouse finds on each unit or
parcel (contents against the packing list, outer damage, cut wiring, non-genuine parts, accessories,
packaging), recorded with the receipt and printed on the 售后入库单; loose accessories are receipt lines
of their own."""

import pytest

from aftersales.returns.models import ReceivedAccessory, ReceivingCheck
from tests.flows import IN_WARRANTY, line
from tests.printing import COMPANY, embedded_fonts

pytestmark = pytest.mark.django_db

DAMAGED = {"outer_damage": True, "wiring_cut": True, "non_genuine_parts": False, "accessories_complete": False,
           "contents_match": True, "packaging": "damaged", "notes": "外箱破损，电源线被剪"}


@pytest.fixture
def receiving(new_case, flow, registry):
    lines = [line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)]),
             line(quantity=3, model="MC-750", item_name="无刷电机控制器", defect_description="无输出")]
    case = new_case(lines=lines)
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    return case


def test_a_scan_carries_the_units_checklist(receiving, flow, detail):
    case = receiving
    answer = flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1), "check": DAMAGED}])
    assert (answer["results"][0]["result"], answer["checks"]) == ("received", 1)
    unit = next(u for u in detail(case)["units"] if u["serial"] == IN_WARRANTY.format(1))
    check = ReceivingCheck.objects.get()
    assert (check.unit_id, check.outer_damage, check.wiring_cut, check.accessories_complete, check.packaging) == (
        unit["id"], True, True, False, "damaged")


def test_a_parcel_checklist_and_loose_accessories_without_a_scan(receiving, flow):
    case = receiving
    answer = flow("warehouse", "receive", case, parcel_check={"parcel": "2/3", "contents_match": False,
                                                              "packaging": "not_original"},
                  accessories=[{"name": "遥控器", "quantity": 2, "line": 1, "parcel": "2/3"},
                               {"name": "说明书"}])
    assert (answer["checks"], answer["accessories"]) == (1, 3)
    assert list(ReceivingCheck.objects.values_list("unit_id", "parcel", "contents_match")) == [(None, "2/3", False)]
    assert list(ReceivedAccessory.objects.values_list("name", "quantity", "line__line_no")) == [
        ("遥控器", 2, 1), ("说明书", 1, None)]


def test_refusals(receiving, flow, refused):
    case = receiving
    serial = {"serial": IN_WARRANTY.format(1)}
    refused("warehouse", "receive", case, 400, "invalid", items=[{**serial, "check": {"outer_damage": "yes"}}])
    refused("warehouse", "receive", case, 400, "invalid", items=[{**serial, "check": {"packaging": "box"}}])
    refused("warehouse", "receive", case, 400, "invalid", items=[{**serial, "check": {"notes": "x" * 501}}])
    refused("warehouse", "receive", case, 400, "invalid", items=[{**serial, "check": "damaged"}])
    refused("warehouse", "receive", case, 400, "invalid", accessories=[{"name": ""}])
    refused("warehouse", "receive", case, 400, "invalid", accessories=[{"name": "遥控器", "line": 9}])
    refused("warehouse", "receive", case, 400, "invalid", accessories=[{"name": "遥控器", "quantity": 10**9}])
    refused("warehouse", "receive", case, 400, "invalid", accessories="遥控器")
    refused("warehouse", "receive", case, 400, "invalid")  # nothing at all
    refused("quality", "receive", case, 403, "permission_denied", parcel_check={"outer_damage": True})
    flow("warehouse", "close_receipt", case)
    refused("warehouse", "receive", case, 409, "invalid_state", parcel_check={"outer_damage": True})


def test_the_receipt_prints_the_checklist_and_loose_accessories(receiving, flow, browser_as, settings, tmp_path):
    settings.COMPANY_NAME = COMPANY
    case = receiving
    flow("warehouse", "receive", case, items=[{"serial": IN_WARRANTY.format(1), "check": DAMAGED},
                                              {"line": 2, "quantity": 3, "check": {"parcel": "3/3",
                                                                                   "packaging": "intact"}}],
         accessories=[{"name": "遥控器", "quantity": 2, "line": 1}])
    flow("warehouse", "close_receipt", case)
    url = f"/cases/{case['id']}/print/receipt/"
    page = browser_as("warehouse").get(url).content.decode()
    for text in [IN_WARRANTY.format(1), "外箱破损，电源线被剪", "3/3", "遥控器"]:
        assert text in page, text
    assert 'class="alarm"' in page
    response = browser_as("warehouse").get(url + "?format=pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    fonts = embedded_fonts(response.content, tmp_path)
    cjk = {name: embedded for name, embedded in fonts.items() if "NotoSansCJK" in name.replace("-", "")}
    assert cjk and all(cjk.values()), fonts


def test_the_receiving_page_records_the_checklist(receiving, browser_as):
    case = receiving
    browser = browser_as("warehouse")
    page = browser.get(f"/cases/{case['id']}/receive/").content.decode()
    assert 'name="outer_damage"' in page and 'name="accessory"' in page
    response = browser.post(f"/cases/{case['id']}/receive/", {"serial": IN_WARRANTY.format(2), "wiring_cut": "on",
                                                             "contents_match": "no", "check_packaging": "none"},
                            HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-result="checklist"' in response.content.decode()
    check = ReceivingCheck.objects.get()
    assert (check.wiring_cut, check.contents_match, check.packaging) == (True, False, "none")
    browser.post(f"/cases/{case['id']}/receive/", {"accessory": "遥控器", "accessory_quantity": "2"})
    assert ReceivedAccessory.objects.get().quantity == 2
