"""The case list and detail issue the same number of queries whatever their size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.cases import case_create

pytestmark = pytest.mark.django_db


def _received_case(users, customers, product_models, serials: int):
    lines = [{"product_model": product_models["HT-2000"], "item_name": "电热水器", "production_lot": "260101-1",
              "defect_description": "不加热", "serials": [f"Q{serials}-{n:05d}" for n in range(serials)]},
             {"product_model": product_models["MC-750"], "item_name": "控制器", "production_lot": "260101-2",
              "defect_description": "无输出", "quantity": 3}]
    case = case_create(actor=users["service"], customer=customers["alice"], lines=lines)
    apply_action(actor=users["service"], case_id=case.pk, action="submit")
    case.refresh_from_db()
    approver = "manager" if "vp" in case.required_approvals else "service"
    apply_action(actor=users[approver], case_id=case.pk, action="approve")
    apply_action(actor=users["warehouse"], case_id=case.pk, action="start_receiving")
    items = [{"serial": s} for s in lines[0]["serials"]] + [{"line": 2, "quantity": 3}]
    apply_action(actor=users["warehouse"], case_id=case.pk, action="receive", params={"items": items})
    apply_action(actor=users["warehouse"], case_id=case.pk, action="close_receipt")
    units = list(case.units.values_list("id", flat=True))
    apply_action(actor=users["quality"], case_id=case.pk, action="inspect", unit_ids=units,
                 params={"result": {"defect_class": "function", "responsibility": "company"}})
    return case


def _shipped_back(users, case) -> None:
    """The case's units go back as they came: the serials are free for a later case."""
    units = list(case.units.values_list("id", flat=True))
    apply_action(actor=users["quality"], case_id=case.pk, action="dispose", unit_ids=units,
                 params={"disposition": "return_as_is"})
    apply_action(actor=users["warehouse"], case_id=case.pk, action="ship_back", unit_ids=units,
                 params={"carrier": "顺丰", "tracking_number": "SF1"})


def _count(client, url) -> int:
    client.get(url)  # warm the permission cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_case_detail_and_timeline_queries_do_not_grow(api, users, customers, product_models):
    small = _received_case(users, customers, product_models, 3)
    large = _received_case(users, customers, product_models, 60)
    client = api("quality")
    for suffix in ("", "timeline/", "inspection-report/"):
        assert _count(client, f"/api/v1/cases/{small.pk}/{suffix}") == _count(client, f"/api/v1/cases/{large.pk}/{suffix}")


def test_case_list_queries_do_not_grow(api, users, customers, product_models):
    client = api("service")
    _received_case(users, customers, product_models, 2)
    few = _count(client, "/api/v1/cases/")
    for size in (3, 4, 5):
        _received_case(users, customers, product_models, size)
    assert _count(client, "/api/v1/cases/") == few


def test_service_history_queries_do_not_grow(api, users, customers, product_models):
    client = api("service")
    first = _received_case(users, customers, product_models, 2)
    few = _count(client, "/api/v1/service-history/?serial=Q2-00000")
    _shipped_back(users, first)
    _received_case(users, customers, product_models, 2)  # the same serials on a second case
    assert _count(client, "/api/v1/service-history/?serial=Q2-00000") == few
