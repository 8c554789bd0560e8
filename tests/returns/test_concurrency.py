"""Many users acting on the same case at the same moment (after Saleor's race-condition tests).

Threads are released together by a barrier; each has its own database connection, closed when
it ends. Only PostgreSQL locks rows (SQLite serialises whole transactions), so the races run on
PostgreSQL only; the sequential retry with an Idempotency-Key runs everywhere.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from aftersales.accounts.models import User
from aftersales.core.errors import AppError, Conflict
from aftersales.core.models import IdempotencyRecord
from aftersales.core.policies import policy_update
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.inventory.services import stock_receive_from_production
from aftersales.masterdata.models import Customer
from aftersales.returns.models import Approval, CaseEvent, ReturnCase, ReturnUnit
from aftersales.returns.services.actions import apply_action, case_for_update
from aftersales.returns.services.cases import case_create

THREADS = 6
SERIALS = ["HT26090001", "HT26090002", "HT26090003", "HT26090004"]

postgres_races = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="races need row locks (SQLite serialises whole transactions): "
                              "run with DATABASE_URL=postgres://..."),
    # Threads see committed data only; serialized_rollback restores the seeded warehouses after the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def at_once(act) -> list:
    """Run act(i) in THREADS threads released together; each one's return value or AppError."""
    barrier = threading.Barrier(THREADS)

    def run(index):
        try:
            barrier.wait(timeout=30)
            try:
                return act(index)
            except AppError as error:
                return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def note_line(**fields) -> dict:
    return {"item_name": "电热水器 2000W", "production_lot": "260910-1", "defect_description": "不加热",
            "requested_outcome": "repair", **fields}


def case_up_to(state: str, *, users, customer, lines) -> ReturnCase:
    """A case created by service and taken to `state` (submitted, approved or receiving)."""
    case = case_create(actor=users["service"], customer=customer, lines=lines)
    case = apply_action(actor=users["service"], case_id=case.pk, action="submit")
    while state != "submitted" and case.state == "submitted":
        case = apply_action(actor=users["manager"], case_id=case.pk, action="approve")
    if state == "receiving":
        case = apply_action(actor=users["warehouse"], case_id=case.pk, action="start_receiving")
    assert case.state == state
    return case


def fresh(user) -> User:
    """Each thread its own user object (role codes are cached on the instance)."""
    return User.objects.get(pk=user.pk)


def balance(kind: str, model) -> int:
    row = StockBalance.objects.filter(warehouse__kind=kind, product_model=model).first()
    return row.quantity if row else 0


def assert_ledger_and_timeline(case: ReturnCase) -> None:
    """Balances equal their moves, and the case's events chain up to its state, one per version."""
    for row in StockBalance.objects.filter(part__isnull=True):
        moved_in = sum(StockMove.objects.filter(to_warehouse=row.warehouse, product_model=row.product_model)
                       .values_list("quantity", flat=True))
        moved_out = sum(StockMove.objects.filter(from_warehouse=row.warehouse, product_model=row.product_model)
                        .values_list("quantity", flat=True))
        assert row.quantity == moved_in - moved_out >= 0, (row.warehouse_id, row.product_model_id)
    case.refresh_from_db()
    events = list(CaseEvent.objects.filter(return_case=case).order_by("id").values_list("from_state", "to_state"))
    assert all(after[0] == before[1] for before, after in pairwise(events)), events
    assert events[-1][1] == case.state
    assert len(events) == case.version


def outcomes(results) -> Counter:
    return Counter("ok" if isinstance(r, ReturnCase) else r.code for r in results)


class TestRaces:
    pytestmark = postgres_races

    @pytest.mark.parametrize("approver", ["service", "manager"])
    def test_the_same_approval_at_once_is_given_once(self, approver, users, customers, product_models, registry):
        case = case_up_to("submitted", users=users, customer=customers["alice"],
                          lines=[note_line(product_model=product_models["HT-2000"], serials=SERIALS[:1])])

        results = at_once(lambda i: apply_action(actor=fresh(users[approver]), case_id=case.pk, action="approve"))

        assert outcomes(results) == {"ok": 1, "invalid_state": THREADS - 1}
        assert all(isinstance(r, Conflict) and r.status == 409 for r in results if not isinstance(r, ReturnCase))
        assert Approval.objects.filter(return_case=case).count() == 1
        assert_ledger_and_timeline(case)
        assert case.state == "approved" and case.version == 3

    def test_acting_on_the_same_version_at_once_succeeds_once(self, users, customers, product_models, registry):
        case = case_up_to("approved", users=users, customer=customers["alice"],
                          lines=[note_line(product_model=product_models["HT-2000"], serials=SERIALS[:1])])
        seen = case.version

        results = at_once(lambda i: apply_action(actor=fresh(users["warehouse"]), case_id=case.pk,
                                                 action="start_receiving", version=seen))

        assert outcomes(results) == {"ok": 1, "stale_version": THREADS - 1}
        assert all(r.status == 409 and r.details == {"version": seen + 1}
                   for r in results if not isinstance(r, ReturnCase))
        assert_ledger_and_timeline(case)
        assert case.state == "receiving" and case.version == seen + 1

    def test_the_same_unit_shipped_back_at_once_leaves_once(self, users, customers, product_models, registry):
        model = product_models["HT-2000"]
        case = case_up_to("receiving", users=users, customer=customers["alice"],
                          lines=[note_line(product_model=model, serials=SERIALS[:2])])
        apply_action(actor=users["warehouse"], case_id=case.pk, action="receive",
                     params={"items": [{"serial": s} for s in SERIALS[:2]]})
        apply_action(actor=users["warehouse"], case_id=case.pk, action="close_receipt")
        unit_ids = list(ReturnUnit.objects.filter(return_case=case).order_by("pk").values_list("pk", flat=True))
        apply_action(actor=users["quality"], case_id=case.pk, action="inspect", unit_ids=unit_ids,
                     params={"result": {"defect_class": "none", "no_fault_found": True}})
        apply_action(actor=users["quality"], case_id=case.pk, action="dispose", unit_ids=unit_ids,
                     params={"disposition": "return_as_is"})
        assert balance("after_sales", model) == 2

        results = at_once(lambda i: apply_action(
            actor=fresh(users["warehouse" if i % 2 else "service"]), case_id=case.pk, action="ship_back",
            unit_ids=unit_ids[:1], params={"carrier": "顺丰", "tracking_number": f"SF{i}"}))

        assert outcomes(results) == {"ok": 1, "invalid_state": THREADS - 1}
        assert balance("after_sales", model) == 1
        assert StockMove.objects.filter(kind="ship_back", return_unit_id=unit_ids[0]).count() == 1
        shipped = ReturnUnit.objects.get(pk=unit_ids[0])
        assert (shipped.state, shipped.warehouse_id, shipped.exit) == ("done", None, "shipped_back")
        assert_ledger_and_timeline(case)
        assert case.state == "ready"  # the other unit still waits to be shipped

    def test_the_same_serials_received_at_once_are_received_once(self, users, customers, product_models, registry):
        model = product_models["HT-2000"]
        case = case_up_to("receiving", users=users, customer=customers["alice"],
                          lines=[note_line(product_model=model, serials=SERIALS)])
        items = [{"serial": serial} for serial in SERIALS]

        results = at_once(lambda i: apply_action(actor=fresh(users["warehouse"]), case_id=case.pk, action="receive",
                                                 params={"items": items}))

        assert outcomes(results) == {"ok": THREADS}  # receiving is repeatable; the repeats find duplicates
        answers = Counter(tuple(sorted({r["result"] for r in done.action_result["results"]})) for done in results)
        assert answers == {("received",): 1, ("duplicate",): THREADS - 1}
        assert ReturnUnit.objects.filter(return_case=case, state="received").count() == len(SERIALS)
        assert balance("after_sales", model) == len(SERIALS)
        assert StockMove.objects.filter(kind="return_receipt", return_case=case).count() == len(SERIALS)
        assert_ledger_and_timeline(case)

    def test_the_same_request_with_one_idempotency_key_at_once_acts_once(self, users, customers, product_models,
                                                                          registry):
        model = product_models["HT-2000"]
        case = case_up_to("receiving", users=users, customer=customers["alice"],
                          lines=[note_line(product_model=model, serials=SERIALS)])
        body = {"items": [{"serial": serial} for serial in SERIALS]}

        def post(i):
            client = APIClient()
            client.force_authenticate(fresh(users["warehouse"]))
            return client.post(f"/api/v1/cases/{case.pk}/actions/receive/", body, format="json",
                               headers={"Idempotency-Key": "receive-truck-7"})

        responses = at_once(post)

        assert [r.status_code for r in responses] == [200] * THREADS, [r.json() for r in responses]
        assert Counter(r.headers.get("Idempotent-Replay") for r in responses) == {None: 1, "true": THREADS - 1}
        assert all(r.json() == responses[0].json() for r in responses)
        assert {r["result"] for r in responses[0].json()["results"]} == {"received"}
        assert IdempotencyRecord.objects.filter(key="receive-truck-7").count() == 1
        assert CaseEvent.objects.filter(return_case=case, action="receive").count() == 1
        assert balance("after_sales", model) == len(SERIALS)
        assert_ledger_and_timeline(case)

    def test_scarce_finished_goods_shipped_ahead_from_many_cases_at_once(self, users, customers, product_models,
                                                                         registry):
        """Stock rows are locked: three units in stock, six batch cases shipping one each."""
        model = product_models["HT-2000"]
        policy_update(actor=users["manager"], key="batch_threshold_per_model_per_day", new_value=1)
        # the approvals are not what this test is about: the manager may give every kind
        policy_update(actor=users["manager"], key="approver_may_give_several_kinds", new_value=True)
        stock_receive_from_production(actor=users["warehouse"], product_model=model, serials=["NEW-0", "NEW-1", "NEW-2"])
        cases = [case_up_to("approved", users=users, customer=customers["alice"], lines=[note_line(
                     product_model=model, serials=[f"HT2609{n + 1:04d}"], requested_outcome="exchange")])
                 for n in range(THREADS)]  # a unit of its own each: one physical unit, one open case
        assert {case.volume_class for case in cases} == {"batch"}

        results = at_once(lambda i: apply_action(
            actor=fresh(users["warehouse"]), case_id=cases[i].pk, action="ship_exchange_in_advance",
            params={"line": 1, "serials": [f"NEW-{i % 3}"]}))

        # Two cases reach for each serial in stock: one ships it, the other finds it gone (or no stock left).
        found = outcomes(results)
        assert found.pop("ok") == 3 and set(found) <= {"insufficient_stock", "replacement_not_in_stock"}, found
        assert sum(found.values()) == THREADS - 3
        assert balance("finished_goods", model) == 0
        assert StockMove.objects.filter(kind="exchange_out").count() == 3
        for case in cases:
            assert_ledger_and_timeline(case)
            assert case.state == "approved"

    def test_one_serial_applied_for_on_many_cases_at_once_is_taken_once(self, users, customers, product_models,
                                                                        registry):
        """Each submit locks its own case only, so the check alone could let two through: the partial
        unique index on open units holds, and the loser is told which rule it met."""
        lines = [note_line(product_model=product_models["HT-2000"], serials=SERIALS[:1])]
        cases = [case_create(actor=users["service"], customer=customers["alice"], lines=lines) for _ in range(THREADS)]

        results = at_once(lambda i: apply_action(actor=fresh(users["service"]), case_id=cases[i].pk,
                                                 action="submit"))

        assert outcomes(results) == {"ok": 1, "serial_on_open_case": THREADS - 1}
        assert ReturnUnit.objects.filter(serial=SERIALS[0]).count() == 1
        for case in cases:
            assert_ledger_and_timeline(case)

    def test_first_receipts_of_a_model_on_many_cases_at_once(self, users, customers, product_models):
        """The after-sales balance row of a model does not exist yet: every thread creates it."""
        model = product_models["MC-750"]
        cases = [case_up_to("receiving", users=users, customer=customers["bob"],
                            lines=[note_line(product_model=model, quantity=2)]) for _ in range(THREADS)]
        assert not StockBalance.objects.filter(product_model=model).exists()

        results = at_once(lambda i: apply_action(actor=fresh(users["warehouse"]), case_id=cases[i].pk,
                                                 action="receive", params={"items": [{"line": 1, "quantity": 2}]}))

        assert outcomes(results) == {"ok": THREADS}
        assert StockBalance.objects.filter(product_model=model).count() == 1
        assert balance("after_sales", model) == 2 * THREADS
        for case in cases:
            assert_ledger_and_timeline(case)

    def test_cases_created_at_once_get_consecutive_numbers(self, users, customers, product_models):
        lines = [note_line(product_model=product_models["MC-750"], quantity=1)]

        results = at_once(lambda i: case_create(actor=fresh(users["service"]), customer=customers["bob"], lines=lines))

        numbers = sorted(case.number for case in results)
        assert [int(number.rsplit("-", 1)[1]) for number in numbers] == list(range(1, THREADS + 1))

    def test_a_case_held_by_an_action_leaves_the_customers_other_cases_free(self, users, customers, product_models,
                                                                             registry):
        """apply_action locks the case row only, not the customer joined to it: a dealer's other
        cases and its master data stay writable while one of its cases is being acted on."""
        held, other = (case_up_to("submitted", users=users, customer=customers["alice"],
                                  lines=[note_line(product_model=product_models["HT-2000"], serials=[serial])])
                       for serial in SERIALS[:2])  # one physical unit on one open case: a serial each
        holding, release = threading.Event(), threading.Event()

        def hold_the_first_case():
            try:
                with transaction.atomic():
                    case_for_update(actor=fresh(users["service"]), case_id=held.pk)
                    holding.set()
                    release.wait(timeout=30)
            finally:
                connection.close()

        def act_beside_it():
            try:
                assert holding.wait(timeout=30)
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '2s'")
                    Customer.objects.filter(pk=customers["alice"].pk).update(region="华东二区")
                    return apply_action(actor=fresh(users["service"]), case_id=other.pk, action="approve")
            finally:
                release.set()
                connection.close()

        with ThreadPoolExecutor(max_workers=2) as pool:
            holder, actor = pool.submit(hold_the_first_case), pool.submit(act_beside_it)
            assert actor.result().state == "approved"  # a lock timeout would raise OperationalError here
            holder.result()


@pytest.mark.django_db
def test_a_retried_receive_with_its_idempotency_key_receives_once(api, users, customers, product_models, registry):
    model = product_models["HT-2000"]
    case = case_up_to("receiving", users=users, customer=customers["alice"],
                      lines=[note_line(product_model=model, serials=SERIALS)])
    client = api("warehouse")
    url, body = f"/api/v1/cases/{case.pk}/actions/receive/", {"items": [{"serial": s} for s in SERIALS]}

    first = client.post(url, body, format="json", headers={"Idempotency-Key": "scan-42"})
    again = client.post(url, body, format="json", headers={"Idempotency-Key": "scan-42"})
    other = client.post(url, {"items": body["items"][:1]}, format="json", headers={"Idempotency-Key": "scan-42"})

    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replay" not in first.headers and again.headers["Idempotent-Replay"] == "true"
    assert again.json() == first.json()
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert ReturnUnit.objects.filter(return_case=case, state="received").count() == len(SERIALS)
    assert CaseEvent.objects.filter(return_case=case, action="receive").count() == 1
    assert balance("after_sales", model) == len(SERIALS)
    assert_ledger_and_timeline(case)
    # A new key is a new request: the serials are then duplicates, nothing moves.
    fresh_try = client.post(url, body, format="json", headers={"Idempotency-Key": "scan-43"})
    assert {r["result"] for r in fresh_try.json()["results"]} == {"duplicate"}
    assert balance("after_sales", model) == len(SERIALS)
