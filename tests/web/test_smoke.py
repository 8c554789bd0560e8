import pytest


pytestmark = pytest.mark.django_db


def test_pages_render_through_a_flow(browser_as, new_case, flow, registry):
    service = browser_as("service")
    assert service.get("/").status_code == 200
    response = service.post("/cases/new/", {"customer": "C-ALICE", "channel": "dealer",
                                            "line-0-product_model": "HT-2000", "line-0-item_name": "电热水器",
                                            "line-0-serials": "HT26090001\nHT26090002", "line-0-production_lot": "L1",
                                            "line-0-defect_description": "不加热", "line-0-requested_outcome": "repair",
                                            "line-0-reason": "quality", "submit_now": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case_url = response["Location"]
    page = service.get(case_url)
    assert page.status_code == 200
    assert "批准" in page.content.decode() or "Approve" in page.content.decode()
    pk = int(case_url.strip("/").split("/")[-1])
    response = service.post(f"/cases/{pk}/actions/approve/", {})
    assert response.status_code == 302
    warehouse = browser_as("warehouse")
    assert warehouse.get(f"/cases/{pk}/receive/").status_code == 200
    assert warehouse.post(f"/cases/{pk}/actions/start_receiving/", {}).status_code == 302
    response = warehouse.post(f"/cases/{pk}/receive/", {"serial": "HT26090001"}, HTTP_HX_REQUEST="true")
    assert 'data-result="received"' in response.content.decode()
    response = warehouse.post(f"/cases/{pk}/receive/", {"serial": "HT26090001"}, HTTP_HX_REQUEST="true")
    assert 'data-result="duplicate"' in response.content.decode()
    response = warehouse.post(f"/cases/{pk}/receive/", {"serial": "NOPE"}, HTTP_HX_REQUEST="true")
    assert 'data-result="unknown_serial"' in response.content.decode(), response.content.decode()
    assert warehouse.post(f"/cases/{pk}/actions/close_receipt/", {}).status_code == 302
    quality = browser_as("quality")
    page = quality.get(f"/cases/{pk}/inspect/")
    assert page.status_code == 200
    for path in ("/cases/", "/cases/?q=HT26090001", "/bench/quality/", "/notifications/", "/cases/?export=xlsx"):
        assert quality.get(path).status_code == 200, path
    assert browser_as("alice").get(f"/cases/{pk}/").status_code == 200
    assert browser_as("bob").get(f"/cases/{pk}/").status_code == 404
