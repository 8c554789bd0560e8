"""Suppliers as master data: code, name, contact, the parts and models they supply, their warranty
terms; purchasing (and managers) keep them, every staff role reads them, customers do not; imported
from a spreadsheet like the other master data."""

import pytest

from aftersales.core.roles import STAFF_ROLE_CODES
from aftersales.masterdata.importing import import_file
from aftersales.masterdata.models import Part, Supplier

pytestmark = pytest.mark.django_db

NEW = {"code": "S-HEAT", "name": "宁波加热管厂", "contact_name": "王经理", "phone": "0574-8888 0001",
       "email": "wang@heat.example", "address": "浙江宁波", "parts": ["HT-ELEM"], "product_models": ["HT-2000"],
       "warranty_months": 18, "warranty_terms": "收货后18个月内质量问题包换，来回运费由供应商承担"}


@pytest.fixture
def element(db):
    return Part.objects.create(code="HT-ELEM", name="加热管 2000W", scrap_class="metal")


def test_purchasing_keeps_a_supplier_and_every_staff_role_reads_it(api, product_models, element):
    made = api("purchasing").post("/api/v1/suppliers/", NEW, format="json")
    assert made.status_code == 201, made.json()
    supplier = made.json()
    assert (supplier["parts"], supplier["product_models"], supplier["warranty_months"]) == (["HT-ELEM"], ["HT-2000"], 18)
    for role in STAFF_ROLE_CODES:
        listed = api(role).get("/api/v1/suppliers/", {"parts__code": "HT-ELEM"})
        assert listed.status_code == 200, role
        assert [s["code"] for s in listed.json()["results"]] == ["S-HEAT"]
    detail = api("quality").get(f"/api/v1/suppliers/{supplier['id']}/").json()
    assert detail["warranty_terms"].startswith("收货后18个月")
    changed = api("purchasing").patch(f"/api/v1/suppliers/{supplier['id']}/", {"warranty_months": 24},
                                      format="json")
    assert (changed.status_code, changed.json()["warranty_months"]) == (200, 24)
    history = api("manager").get(f"/api/v1/suppliers/{supplier['id']}/history/").json()["results"]
    assert [entry["type"] for entry in history] == ["changed", "created"]


@pytest.mark.parametrize("role", ["service", "quality", "warehouse", "finance", "repair"])
def test_only_purchasing_and_managers_write_suppliers(api, role, product_models, element):
    response = api(role).post("/api/v1/suppliers/", {**NEW, "code": f"S-{role}"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not Supplier.objects.filter(code=f"S-{role}").exists()
    assert api("manager").post("/api/v1/suppliers/", {**NEW, "code": "S-MGR"}, format="json").status_code == 201


def test_customers_do_not_see_suppliers(api, product_models, element):
    api("purchasing").post("/api/v1/suppliers/", NEW, format="json")
    response = api("alice").get("/api/v1/suppliers/")
    assert response.status_code in (403, 404) or response.json()["results"] == []


def test_bad_input_is_refused_with_the_field(api, product_models, element):
    for body, field in [({**NEW, "parts": ["NO-SUCH-PART"]}, "parts"), ({**NEW, "code": "x" * 41}, "code"),
                        ({**NEW, "warranty_months": -1}, "warranty_months"), ({**NEW, "email": "not-mail"}, "email"),
                        ({**NEW, "warranty_months": 10 ** 12}, "warranty_months")]:
        response = api("purchasing").post("/api/v1/suppliers/", body, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "invalid"), body
        assert field in response.json()["details"], response.json()
    assert not Supplier.objects.exists()


def test_suppliers_import_from_a_spreadsheet(users):
    csv = "供应商编码,供应商名称,联系人,电话,质保期(月),质保条款\r\nS-01,宁波加热管厂,王经理,0574-1,18,包换\r\n"
    result = import_file(actor=users["purchasing"], kind="suppliers", raw=csv.encode("gbk"), filename="suppliers.csv")
    assert (result.rows, result.created) == (1, 1)
    supplier = Supplier.objects.get(code="S-01")
    assert (supplier.name, supplier.contact_name, supplier.warranty_months) == ("宁波加热管厂", "王经理", 18)
    again = import_file(actor=users["purchasing"], kind="suppliers",
                        raw=csv.replace("18,", "24,").encode("gbk"), filename="suppliers.csv")
    assert (again.created, again.updated) == (0, 1)


def test_the_import_page_offers_suppliers_to_purchasing(api):
    response = api("purchasing").post("/api/v1/imports/suppliers/",
                                      {"file": _upload("供应商编码,供应商名称\r\nS-02,温控器厂\r\n")}, format="multipart")
    assert response.status_code == 201, response.json()
    assert Supplier.objects.filter(code="S-02").exists()
    refused = api("warehouse").post("/api/v1/imports/suppliers/", {"file": _upload("供应商编码,供应商名称\r\nS-03,x\r\n")},
                                    format="multipart")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


def _upload(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("suppliers.csv", text.encode("gbk"), content_type="text/csv")


def test_the_supplier_list_does_not_query_per_row(api, product_models, element):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api("quality").get("/api/v1/suppliers/").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            made = Supplier.objects.create(code=f"S-{Supplier.objects.count():03d}", name="x")
            made.parts.add(element)
            made.product_models.add(*product_models.values())

    add(2)
    count()  # the first request also warms caches (content types, permissions)
    few = count()
    add(18)
    assert count() == few
