"""A scanner sends one scan per request (bench/receiving_scans.py): a scan of a unit the case expects reads the
case, the scanned unit and the warehouses, and writes the unit, its stock (one upsert of the balance), its move,
the case's version and the timeline entry, whatever the case's size; the receiving page adds the counts."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftersales.inventory.models import StockBalance, StockMove
from aftersales.masterdata.models import Warehouse, WarehouseKind
from tests.flows import IN_WARRANTY, line

pytestmark = pytest.mark.django_db

SERIALS = [IN_WARRANTY.format(n) for n in range(1, 9)]


@pytest.fixture
def receiving(new_case, flow, registry):
    case = new_case(lines=[line(serials=SERIALS), line(quantity=2, model="MC-750", item_name="控制器")])
    flow("service", "submit", case)
    flow("service", "approve", case)
    flow("warehouse", "start_receiving", case)
    return case


def _statements(send) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        send()
    return [query["sql"] for query in captured.captured_queries
            if not query["sql"].startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT"))]


def test_an_api_scan_is_a_fixed_set_of_statements(receiving, api, product_models):
    client = api("warehouse")
    url = f"/api/v1/cases/{receiving['id']}/actions/receive/"

    def scan(serial):
        return lambda: client.post(url, {"items": [{"serial": serial}]}, format="json")

    first, later = _statements(scan(SERIALS[0])), _statements(scan(SERIALS[1]))
    assert len(first) == len(later) == 8, later  # the case, the unit, the warehouses; unit, balance, move, case, event
    updates = [sql for sql in later if sql.startswith('UPDATE "returns_returncase"')]
    assert len(updates) == 1 and updates[0].split(" WHERE ")[0].count("=") == 2  # version and updated_at only
    assert not [sql for sql in later if sql.startswith('SELECT "returns_returnline"')]  # no read of the note's lines
    assert sum(sql.startswith('INSERT INTO "inventory_stockbalance"') for sql in later) == 1
    assert not [sql for sql in later if sql.startswith('SELECT') and "inventory_stockbalance" in sql]


def test_the_receipt_upsert_keeps_the_balance_equal_to_the_ledger(receiving, flow, product_models):
    after_sales = Warehouse.objects.get(kind=WarehouseKind.AFTER_SALES)
    model = product_models["HT-2000"]
    StockBalance.objects.filter(warehouse=after_sales, product_model=model).delete()  # none yet: the upsert makes it
    for serial in SERIALS[:3]:
        flow("warehouse", "receive", receiving, items=[{"serial": serial}])
    flow("warehouse", "receive", receiving, items=[{"line": 2, "quantity": 2}])
    balance = StockBalance.objects.get(warehouse=after_sales, product_model=model, part__isnull=True)
    assert balance.quantity == 3 == StockMove.objects.filter(to_warehouse=after_sales, product_model=model).count()
    controllers = StockBalance.objects.get(warehouse=after_sales, product_model=product_models["MC-750"])
    assert controllers.quantity == 2
    flow("warehouse", "receive", receiving, items=[{"serial": SERIALS[0]}])  # a duplicate: nothing moves
    balance.refresh_from_db()
    assert balance.quantity == 3


def test_the_receiving_page_scan_answers_the_counts_without_reading_the_case_first(receiving, users):
    page = Client()
    page.force_login(users["warehouse"])
    url = f"/cases/{receiving['id']}/receive/"
    page.post(url, {"serial": SERIALS[0]}, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as captured:
        response = page.post(url, {"serial": SERIALS[1]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-result="received"' in body
    rows = re.findall(r"<tr[^>]*><td>(\d+)</td><td>([^<]*)</td><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td></tr>", body)
    assert rows == [("1", "HT-2000", "8", "2"), ("2", "MC-750", "2", "0")]  # noted and arrived, per line
    case_reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "returns_returncase"')]
    assert len(case_reads) == 1  # the one the action locks
    assert page.post("/cases/99999999/receive/", {"serial": SERIALS[2]}, HTTP_HX_REQUEST="true").status_code == 404
