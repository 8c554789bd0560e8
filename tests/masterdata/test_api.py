import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.core.roles import STAFF_ROLE_CODES
from aftersales.masterdata.models import Customer, Part, ProductModel, ShippedUnit

pytestmark = pytest.mark.django_db


# --- create, update, list with filters ---

def test_manager_creates_and_updates_a_customer(api, users):
    client = api("manager")
    response = client.post("/api/v1/customers/", {
        "code": "D009", "name": "西南经销商（成都）", "kind": "dealer", "region": "西南",
        "regional_sales_manager": "manager", "is_key_customer": True, "warranty_extension_months": 6})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["regional_sales_manager"] == "manager"
    assert body["warranty_extension_months"] == 6

    response = client.patch(f"/api/v1/customers/{body['id']}/", {"region": "西南二区"})
    assert response.status_code == 200
    assert Customer.objects.get(code="D009").region == "西南二区"


def test_customer_code_must_be_unique(api, customers):
    response = api("service").post("/api/v1/customers/", {"code": "C-ALICE", "name": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "code" in response.json()["details"]


def test_customer_user_cannot_be_regional_sales_manager(api, users):
    response = api("manager").post("/api/v1/customers/", {"code": "D010", "name": "x", "regional_sales_manager": "alice"})
    assert response.status_code == 400
    assert "regional_sales_manager" in response.json()["details"]


def test_customer_list_filters(api, customers):
    client = api("service")
    assert [c["code"] for c in client.get("/api/v1/customers/", {"kind": "ecommerce"}).json()["results"]] == ["C-BOB"]
    assert [c["code"] for c in client.get("/api/v1/customers/", {"region": "华东"}).json()["results"]] == ["C-ALICE"]
    assert [c["code"] for c in client.get("/api/v1/customers/", {"search": "天猫"}).json()["results"]] == ["C-BOB"]


def test_contacts_are_created_and_listed_per_customer(api, customers):
    client = api("service")
    response = client.post("/api/v1/contacts/", {"customer": "C-ALICE", "name": "孙经理", "phone": "13800010001",
                                                 "is_primary": True})
    assert response.status_code == 201, response.json()
    assert client.get("/api/v1/contacts/", {"customer__code": "C-BOB"}).json()["count"] == 0
    detail = client.get(f"/api/v1/customers/{customers['alice'].pk}/").json()
    assert [c["name"] for c in detail["contacts"]] == ["孙经理"]


def test_engineering_keeps_product_models(api):
    client = api("engineering")
    response = client.post("/api/v1/product-models/", {
        "code": "HT-4000", "name": "电热水器 4000W", "spec": "100L", "category": "电热水器", "warranty_months": 24,
        "latest_hardware_revision": "H3", "latest_software_revision": "V2.0"})
    assert response.status_code == 201, response.json()
    response = client.patch(f"/api/v1/product-models/{response.json()['id']}/", {"latest_software_revision": "V2.1"})
    assert response.status_code == 200
    assert ProductModel.objects.get(code="HT-4000").latest_software_revision == "V2.1"
    assert client.get("/api/v1/product-models/", {"category": "电热水器"}).json()["count"] == 1


def test_purchasing_keeps_parts_and_cost_cannot_be_negative(api):
    client = api("purchasing")
    response = client.post("/api/v1/parts/", {"code": "P-1", "name": "加热管", "scrap_class": "metal",
                                              "unit_cost": "35.50"})
    assert response.status_code == 201, response.json()
    assert response.json()["unit_cost"] == "35.50"
    response = client.post("/api/v1/parts/", {"code": "P-2", "name": "x", "unit_cost": "-1"})
    assert response.status_code == 400
    assert "unit_cost" in response.json()["details"]
    assert client.get("/api/v1/parts/", {"scrap_class": "metal"}).json()["count"] == 1
    assert not Part.objects.filter(code="P-2").exists()


def test_shipped_unit_create_and_unique_serial_per_model(api, customers, product_models):
    client = api("service")
    payload = {"serial": "HT2601X0001", "product_model": "HT-2000", "customer": "C-ALICE",
               "production_lot": "260105-1", "shipped_date": "2026-01-05", "sales_order": "SO1"}
    assert client.post("/api/v1/units/", payload).status_code == 201
    again = client.post("/api/v1/units/", payload)
    assert again.status_code == 400
    assert again.json()["code"] == "invalid"
    # The same serial on another model is another unit.
    assert client.post("/api/v1/units/", {**payload, "product_model": "MC-750"}).status_code == 201
    assert ShippedUnit.objects.filter(serial="HT2601X0001").count() == 2


def test_shipped_unit_unknown_model_is_a_field_error(api, customers):
    response = api("service").post("/api/v1/units/", {"serial": "X1", "product_model": "NOPE", "customer": "C-ALICE",
                                                      "shipped_date": "2026-01-05"})
    assert response.status_code == 400
    assert "product_model" in response.json()["details"]


def test_units_filter_by_customer_and_lot(api, units):
    client = api("quality")
    body = client.get("/api/v1/units/", {"customer": "C-ALICE", "lot": "260105-1"}).json()
    assert body["count"] == 2
    assert {u["serial"] for u in body["results"]} == {"HT260100000", "HT260100002"}
    assert client.get("/api/v1/units/", {"serial": "HT260100005"}).json()["results"][0]["customer"] == "C-BOB"
    assert client.get("/api/v1/units/", {"shipped_after": "2026-02-01"}).json()["count"] == 0


def test_warehouses_are_seeded(api):
    body = api("warehouse").get("/api/v1/warehouses/").json()["results"]
    assert {w["kind"] for w in body} == {"after_sales", "finished_goods", "defective", "scrap", "raw_material"}


# --- permissions per role ---

@pytest.mark.parametrize("role", STAFF_ROLE_CODES)
def test_every_staff_role_reads_master_data(api, role, units):
    client = api(role)
    for url in ["/api/v1/customers/", "/api/v1/product-models/", "/api/v1/parts/", "/api/v1/units/",
                "/api/v1/warehouses/", "/api/v1/policies/"]:
        assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("role,allowed", [
    ("service", True), ("manager", True), ("warehouse", False), ("quality", False), ("repair", False),
    ("finance", False), ("technician", False),
])
def test_who_may_create_customers(api, role, allowed):
    response = api(role).post("/api/v1/customers/", {"code": f"N-{role}", "name": "x"})
    assert response.status_code == (201 if allowed else 403)
    if not allowed:
        assert response.json()["code"] == "permission_denied"
        assert not Customer.objects.filter(code=f"N-{role}").exists()


def test_warehouse_cannot_edit_parts_or_units(api, units):
    client = api("warehouse")
    assert client.patch(f"/api/v1/units/{units[0].pk}/", {"production_lot": "X"}).status_code == 403
    assert client.post("/api/v1/parts/", {"code": "P-9", "name": "x"}).status_code == 403


def test_a_user_without_role_sees_nothing(api, units):
    assert api("nobody").get("/api/v1/units/").status_code == 403


def test_anonymous_gets_401(api):
    response = api(None).get("/api/v1/customers/")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_nothing_is_deleted_through_the_api(api, customers):
    assert api("manager").delete(f"/api/v1/customers/{customers['alice'].pk}/").status_code in (403, 405)
    assert Customer.objects.filter(pk=customers["alice"].pk).exists()


# --- the customer scope: alice sees her customer's records, never bob's ---

def test_customer_sees_only_own_units(api, units):
    alice = api("alice")
    body = alice.get("/api/v1/units/").json()
    assert body["count"] == 4
    assert {u["customer"] for u in body["results"]} == {"C-ALICE"}
    bobs_unit = next(u for u in units if u.customer.code == "C-BOB")
    assert alice.get(f"/api/v1/units/{bobs_unit.pk}/").status_code == 404
    assert alice.get(f"/api/v1/units/{bobs_unit.pk}/history/").status_code == 404
    # Filtering by the other customer's code finds nothing either.
    assert alice.get("/api/v1/units/", {"customer": "C-BOB"}).json()["count"] == 0


def test_customer_sees_only_own_customer_record(api, customers):
    alice = api("alice")
    assert [c["code"] for c in alice.get("/api/v1/customers/").json()["results"]] == ["C-ALICE"]
    assert alice.get(f"/api/v1/customers/{customers['bob'].pk}/").status_code == 404


def test_customer_reads_product_models_but_not_internal_data(api, product_models):
    alice = api("alice")
    assert alice.get("/api/v1/product-models/").json()["count"] == 2
    assert alice.get("/api/v1/parts/").status_code == 403
    assert alice.get("/api/v1/warehouses/").status_code == 403
    assert alice.get("/api/v1/policies/").status_code == 403


def test_customer_cannot_write_master_data(api, customers, units):
    alice = api("alice")
    assert alice.patch(f"/api/v1/customers/{customers['alice'].pk}/", {"name": "x"}).status_code == 403
    assert alice.post("/api/v1/units/", {"serial": "Z", "product_model": "HT-2000", "customer": "C-ALICE",
                                         "shipped_date": "2026-01-01"}).status_code == 403


# --- no list issues a query per row ---

def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/units/", "/api/v1/customers/", "/api/v1/contacts/",
                                 "/api/v1/parts/", "/api/v1/product-models/"])
def test_list_query_count_does_not_grow_with_rows(api, customers, product_models, url):
    client = api("manager")

    def add_rows(start):
        for n in range(start, start + 5):
            customer = Customer.objects.create(code=f"Q{n}", name=f"客户{n}", regional_sales_manager=client.handler._force_user)
            customer.contacts.create(name=f"联系人{n}")
            ProductModel.objects.create(code=f"M{n}", name="m")
            Part.objects.create(code=f"P{n}", name="p")
            ShippedUnit.objects.create(serial=f"S{n}", product_model=product_models["HT-2000"], customer=customer,
                                       shipped_date="2026-01-01")

    add_rows(0)
    _queries(client, url)  # warm-up: the user's permissions are cached after the first request
    few = _queries(client, url)
    add_rows(100)
    assert _queries(client, url) == few
