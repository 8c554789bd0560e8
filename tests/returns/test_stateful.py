"""Random walks through the workflow table (hypothesis stateful testing).

Any action of ACTIONS, by any persona, on any case and any of its units, with plausible (and
sometimes wrong) parameters, straight through apply_action. Application errors are expected
and recorded; any other exception fails. After every step the books must still balance:

(a) stock: every balance is the sum of its ledger moves, and none is negative;
(b) units: a received unit is in exactly one warehouse, or done with exactly one exit, and is
    where its last stock move took it;
(c) permissions: a success needs one of the action's roles (superusers aside), and a customer
    user only ever acts on its own customer's cases;
(d) timeline: each case's events chain from state to state up to the case's state, and every
    success appended exactly one event (a failure none);
(e) one physical unit, one open case: the customers' pools share serials, so several cases list
    the same serial; a serial is never on two open cases, never in two warehouses, never received
    twice while it is open;
(f) serials by the ledger: per product model and serial, the moves leave at most one unit in the
    company, never below none in any warehouse (a replacement leaves finished goods only if it was in
    them); a unit proposed for scrap waits in the defective goods warehouse, and a scrapped unit went
    there first;
(g) refunds instead of the unit: a unit redisposed (or disposed) to a refund waits for the customer's
    consent, then for its refund in the after-sales warehouse, and leaves refunded into defective stock.

Each example runs in a transaction rolled back at its end, so examples do not leak.
"""

from collections import Counter, defaultdict
from decimal import Decimal
from itertools import pairwise

import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from aftersales.accounts.services import user_create
from aftersales.core.errors import AppError
from aftersales.core.policies import policy_update
from aftersales.deadlines.models import Deadline
from aftersales.returns.clocks import case_wanted
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.inventory.services import stock_receive_from_production
from aftersales.masterdata.models import ShippedUnit, Warehouse
from aftersales.returns.models import (EXITS_INTO_STOCK, EXITS_OUT, Approval, CaseEvent, CaseState, Channel,
                                       DefectClass, Disposition, InternalSale, Outcome, Reason, Replenishment,
                                       Responsibility, ReturnCase, ReturnUnit, UnitState)
from aftersales.returns.services.actions import allowed_actions, apply_action, derived_case_state
from aftersales.returns.services.cases import case_create
from aftersales.returns.services.handlers import ALLOWED_DISPOSITIONS
from aftersales.core.roles import roles_of
from aftersales.returns.workflow import ACTIONS, AFTER_RECEIPT, CASE, case_states_for

pytestmark = pytest.mark.django_db
# In CI the walks are the same every run (a coverage check below must not depend on luck); by hand they explore.
IN_CI = os.environ.get("CI") == "true"

MAX_CASES, MAX_OPEN_CASES = 5, 2
EXAMPLES, STEPS = 12, 60
ENDED = (CaseState.CANCELLED, CaseState.REJECTED, CaseState.CLOSED)
# Actions that end or rewind a case, or change no state: drawn less often when offered, so that
# walks get far into the workflow.
SETBACKS = {"cancel", "reject", "return_for_correction", "override_warranty"}
# Serials a customer's note may list: registered out of warranty (HT2501), in warranty (HT2609),
# registered to the other customer (HT2601...), and not registered at all.
ALICE_SERIALS = ["HT25010001", "HT25010002", "HT25010003", "HT26090001", "HT26090002", "HT26090003",
                 "HT260100000", "ALICE-X1"]
BOB_SERIALS = ["HT260100004", "HT260100005", "BOB-X1", "BOB-X2", "HT26090003", "HT26090002"]
STRANGERS = ["HT26090020", "HT260100001", "ZZ-UNKNOWN-1", "ZZ-UNKNOWN-2"]
def _days_ago(days: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() - timedelta(days=days)


# Replacement serials in finished-goods stock (HT-2000: the finished_goods fixture's first few; MC-750) and
# one that is not; a replacement must be in stock, and leaves it.
HT_NEW = [f"HT2611NEW{n:04d}" for n in range(1, 5)]
MC_SERIALS = ["MC-NEW-1", "MC-NEW-2"]
REPLACEMENTS = [*HT_NEW, *MC_SERIALS, "NOT-IN-STOCK"]


# How a run went, over all examples: (action, "ok" or the error code) -> count.
OUTCOMES: Counter = Counter()


@pytest.fixture
def world(users, customers, product_models, registry, units, finished_goods):
    """The personas (plus a superuser), low batch and sorting thresholds so that batch cases and
    quality-led sorting happen with a handful of units, and a little stock of each model."""
    users = {**users, "root": user_create(username="root", password=None, role_codes=set(), is_superuser=True)}
    policy_update(actor=users["manager"], key="batch_threshold_per_model_per_day", new_value=6)
    policy_update(actor=users["manager"], key="quality_sorting_threshold_units", new_value=4)
    stock_receive_from_production(actor=users["warehouse"], product_model=product_models["MC-750"],
                                  serials=MC_SERIALS)
    return {"users": users, "customers": customers, "models": product_models,
            "after_sales": Warehouse.objects.get(kind="after_sales").pk,
            "defective": Warehouse.objects.get(kind="defective").pk}


class ReturnCaseMachine(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.case_ids: list[int] = []
        self.successes: Counter = Counter()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- rules ---

    @precondition(lambda self: len(self.case_ids) < MAX_CASES and len(self.open_case_ids()) < MAX_OPEN_CASES)
    @rule(data=st.data())
    def create_case(self, data):
        who = data.draw(st.sampled_from(["alice", "bob"]), label="customer")
        creator = self.world["users"][data.draw(st.sampled_from(["service", who]), label="creator")]
        pool = ALICE_SERIALS if who == "alice" else BOB_SERIALS
        lines, used = [], set()
        drawn = data.draw(st.lists(_line_input(pool, self.world["models"]), min_size=1, max_size=3), label="lines")
        for line in drawn:
            line["serials"] = [s for s in line.get("serials", []) if s not in used]
            used.update(line["serials"])
            if "quantity" not in line and not line["serials"]:
                continue
            lines.append(line)
        fields = data.draw(st.fixed_dictionaries({
            "channel": st.sampled_from(Channel.values), "is_quality_incident": st.booleans(),
            # e-commerce no-reason lines: inside their window, past it, or no delivery date (refused at submit)
            "delivered_date": st.sampled_from([None, _days_ago(2), _days_ago(2), _days_ago(40)]),
        }), label="fields")
        case = case_create(actor=creator, customer=self.world["customers"][who], lines=lines, **fields)
        self.case_ids.append(case.pk)

    def open_case_ids(self) -> list[int]:
        return list(ReturnCase.objects.filter(pk__in=self.case_ids).exclude(state__in=ENDED)
                    .order_by("pk").values_list("pk", flat=True))

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def act_as_offered(self, data):
        """An action the case offers the user now (allowed_actions: state, roles, guards), on some of
        the units it names; it may fail on its parameters or stock, but not on who or when."""
        case = ReturnCase.objects.select_related("customer").prefetch_related("lines", "approvals").get(
            pk=data.draw(st.sampled_from(self.open_case_ids() or self.case_ids), label="case"))
        unit_groups = defaultdict(list)
        for unit in case.units.order_by("pk"):
            unit_groups[unit.state].append(unit)
        offers = [(username, offer) for username, user in self.world["users"].items()
                  for offer in allowed_actions(case, user, unit_groups)]
        if not offers:
            return
        actions = sorted({offer["action"] for _username, offer in offers}, key=list(ACTIONS).index)
        weighted = [name for name in actions for _ in range(1 if name in SETBACKS else 12)]
        name = data.draw(st.sampled_from(weighted), label="action")
        actor, offer = data.draw(st.sampled_from([pair for pair in offers if pair[1]["action"] == name]),
                                 label="actor")
        unit_ids = None
        if offer["level"] != CASE:
            unit_ids = data.draw(st.lists(st.sampled_from(offer["unit_ids"]), min_size=1, max_size=4, unique=True),
                                 label="units")
        version = data.draw(st.sampled_from([None, case.version]), label="version")
        outcome = self._attempt(data, actor=actor, case=case, action=name, unit_ids=unit_ids, version=version)
        expected = {"ok", "invalid", "insufficient_stock"}
        if name in ("submit", "receive"):  # a serial another open case holds is refused
            expected.add("serial_on_open_case")
        if name == "submit":  # a no-reason line past its window, no manager having allowed it
            expected.add("return_window_passed")
        if name == "settle_refund":  # the line named may still have undecided units, or be refunded already
            expected |= {"refund_units_undecided", "invalid_state"}
            if "finance" not in roles_of(self.world["users"][actor]):  # the e-commerce desk named another line
                expected.add("desk_refund_not_allowed")
        if name in ("approve", "reject"):  # naming an approval the user may not give is refused like a bad parameter
            expected.add("permission_denied")
        if name in ("settle_exchange", "ship_exchange_in_advance"):  # a replacement serial not (or no longer) in stock
            expected.add("replacement_not_in_stock")
        assert outcome in expected, (actor, name, outcome)

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def act_as_offered_again(self, data):
        """The same, drawn twice as often as the random actions below."""
        self.act_as_offered(data)

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data())
    def act_at_random(self, data):
        """Any action by any persona on any case, on any units (of any case), maybe with a stale version."""
        case = ReturnCase.objects.get(pk=data.draw(st.sampled_from(self.case_ids), label="case"))
        name = data.draw(st.sampled_from(sorted(ACTIONS)), label="action")
        actor = data.draw(st.sampled_from(sorted(self.world["users"])), label="actor")
        all_units = list(ReturnUnit.objects.filter(return_case_id__in=self.case_ids).values_list("pk", flat=True))
        some_ids = st.lists(st.sampled_from(all_units or [0]), max_size=3)
        # Now and then not a list of ids, as a client may send it: the ids as one string, a lone id.
        not_a_list = some_ids.map(lambda ids: "".join(map(str, ids))) | st.sampled_from(all_units or [0])
        unit_ids = data.draw(st.none() | some_ids | some_ids | not_a_list, label="units")
        version = data.draw(st.sampled_from([None, case.version, case.version - 1]), label="version")
        self._attempt(data, actor=actor, case=case, action=name, unit_ids=unit_ids, version=version)

    def _attempt(self, data, *, actor: str, case: ReturnCase, action: str, unit_ids, version) -> str:
        user, spec = self.world["users"][actor], ACTIONS[action]
        named = unit_ids if isinstance(unit_ids, list) else []
        units = list(ReturnUnit.objects.filter(pk__in=named).select_related("line"))
        params, comment = _params(data, action, case, units)
        events_before, moves_before = case.events.count(), StockMove.objects.count()
        try:
            apply_action(actor=user, case_id=case.pk, action=action, params=params, unit_ids=unit_ids,
                         version=version, comment=comment)
        except AppError as error:
            outcome = error.code
            assert case.events.count() == events_before, f"{action} failed ({outcome}) yet added to the timeline"
            assert StockMove.objects.count() == moves_before, f"{action} failed ({outcome}) yet moved stock"
            assert ReturnCase.objects.get(pk=case.pk).version == case.version
        else:
            outcome = "ok"
            self.successes[case.pk] += 1
            assert case.events.count() == events_before + 1, f"{action} succeeded: one timeline entry expected"
            assert spec.level == CASE or isinstance(unit_ids, list), f"{action} took {unit_ids!r} for a list of ids"
            # (c) who may act
            assert user.is_superuser or roles_of(user) & spec.roles, f"{actor} did {action} without its roles"
            assert user.customer_id in (None, case.customer_id), f"{actor} acted on another customer's case"
        OUTCOMES[(action, outcome)] += 1
        event(f"{action}: {outcome}")
        return outcome

    # --- invariants ---

    @invariant()
    def stock_balances_are_the_ledger(self):
        ledger: Counter = Counter()
        for source, target, model, quantity in StockMove.objects.filter(product_model__isnull=False).order_by() \
                .values_list("from_warehouse_id", "to_warehouse_id", "product_model_id", "quantity"):
            if source is not None:
                ledger[(source, model)] -= quantity
            if target is not None:
                ledger[(target, model)] += quantity
        balances = dict(((w, m), q) for w, m, q in StockBalance.objects.filter(part__isnull=True).order_by()
                        .values_list("warehouse_id", "product_model_id", "quantity"))
        assert all(quantity >= 0 for quantity in balances.values()), balances
        for key in set(ledger) | set(balances):
            assert balances.get(key, 0) == ledger.get(key, 0), (key, balances.get(key), ledger.get(key))
        # Only returned units enter and leave the after-sales warehouse: its stock is the units in it.
        in_after_sales = Counter(ReturnUnit.objects.filter(warehouse_id=self.world["after_sales"]).order_by()
                                 .values_list("product_model_id", flat=True))
        for (warehouse, model), quantity in balances.items():
            if warehouse == self.world["after_sales"]:
                assert quantity == in_after_sales[model], (model, quantity, in_after_sales[model])

    @invariant()
    def units_are_where_their_moves_took_them(self):
        last_move = dict(StockMove.objects.filter(return_unit__isnull=False).order_by("id")
                         .values_list("return_unit_id", "to_warehouse_id"))
        for where in ReturnUnit.objects.filter(return_case_id__in=self.case_ids).order_by() \
                .values_list("pk", "state", "warehouse_id", "exit"):
            pk, state, warehouse, exit = where
            if state in (UnitState.EXPECTED, UnitState.MISSING):
                assert warehouse is None and not exit and pk not in last_move, where
                continue
            if state == UnitState.DONE:
                assert exit in EXITS_OUT + EXITS_INTO_STOCK, where
                assert (warehouse is None) == (exit in EXITS_OUT), where
            else:
                assert warehouse is not None and not exit, where
            assert pk in last_move and warehouse == last_move[pk], (*where, last_move.get(pk, "no move"))

    @invariant()
    def one_physical_unit_is_on_one_open_case(self):
        open_units = Counter(ReturnUnit.objects.exclude(serial="").exclude(state__in=[UnitState.DONE,
                                                                                      UnitState.MISSING])
                             .order_by().values_list("product_model_id", "serial"))
        assert all(n == 1 for n in open_units.values()), {key: n for key, n in open_units.items() if n > 1}
        in_house = Counter(ReturnUnit.objects.exclude(serial="").filter(warehouse__isnull=False, exit="")
                           .order_by().values_list("product_model_id", "serial"))
        assert all(n == 1 for n in in_house.values()), {key: n for key, n in in_house.items() if n > 1}
        receipts = Counter(StockMove.objects.filter(kind="return_receipt").order_by().values_list("return_unit_id",
                                                                                                   flat=True))
        assert all(n == 1 for n in receipts.values()), {key: n for key, n in receipts.items() if n > 1}

    @invariant()
    def a_serial_is_in_one_warehouse_by_the_ledger(self):
        held: Counter = Counter()
        for model, serial, source, target, quantity in StockMove.objects.exclude(serial="").filter(
                product_model__isnull=False).order_by().values_list("product_model_id", "serial", "from_warehouse_id",
                                                                     "to_warehouse_id", "quantity"):
            if source is not None:
                held[(model, serial, source)] -= quantity
            if target is not None:
                held[(model, serial, target)] += quantity
        assert all(n >= 0 for n in held.values()), {key: n for key, n in held.items() if n < 0}
        in_company: Counter = Counter()
        for (model, serial, _warehouse), n in held.items():
            in_company[(model, serial)] += n
        assert all(n <= 1 for n in in_company.values()), {key: n for key, n in in_company.items() if n > 1}
        # Every replacement shipped is registered to the customer of its case (its own warranty starts).
        shipped = set(StockMove.objects.filter(kind="exchange_out").exclude(serial="").order_by()
                      .values_list("product_model_id", "serial", "return_case__customer_id"))
        registered = set(ShippedUnit.objects.filter(sales_order__startswith="RMA").order_by()
                         .values_list("product_model_id", "serial", "customer_id"))
        assert shipped <= registered, shipped - registered

    @invariant()
    def scrap_waits_in_the_defective_warehouse(self):
        waiting = ReturnUnit.objects.filter(return_case_id__in=self.case_ids, state=UnitState.WAITING_APPROVAL)
        assert not waiting.exclude(warehouse_id=self.world["defective"]).exists(), list(
            waiting.values_list("pk", "warehouse_id"))
        for unit_id, source in StockMove.objects.filter(kind="scrap", return_unit__isnull=False).order_by() \
                .values_list("return_unit_id", "from_warehouse_id"):
            assert source == self.world["defective"], (unit_id, source)

    @invariant()
    def timelines_follow_the_states(self):
        events = defaultdict(list)
        for case_id, *entry in CaseEvent.objects.filter(return_case_id__in=self.case_ids).order_by("id") \
                .values_list("return_case_id", "action", "from_state", "to_state"):
            events[case_id].append(tuple(entry))
        for case in ReturnCase.objects.filter(pk__in=self.case_ids).order_by():
            timeline = events[case.pk]
            assert timeline[0] == ("create", "", CaseState.DRAFT), timeline[0]
            for before, after in pairwise(timeline):
                assert after[1] == before[2], (case.number, before, after)
            for entry in timeline[1:]:
                assert _moves_as_the_table_says(*entry), (case.number, entry)
            assert timeline[-1][2] == case.state, (case.number, timeline[-1], case.state)
            assert len(timeline) == case.version == self.successes[case.pk] + 1, (case.number, len(timeline))

    @invariant()
    def sold_units_have_their_sale_and_replaced_units_their_replenishment(self):
        """(f) dispositions that change leave their records right: a unit sold inside the company has its sale
        (price, buyer, date); a replenishment instruction counts the replaced units it lists."""
        sold = set(ReturnUnit.objects.filter(return_case_id__in=self.case_ids, exit="sold").values_list("pk", flat=True))
        assert sold <= set(InternalSale.objects.values_list("unit_id", flat=True))
        for quantity, ids in Replenishment.objects.filter(return_case_id__in=self.case_ids).values_list("quantity",
                                                                                                       "unit_ids"):
            assert quantity == len(ids) and ids

    @invariant()
    def units_refunded_instead_wait_for_their_refund_or_left_refunded(self):
        """(g) a unit of a repair or exchange line redisposed to a refund waits for the customer's consent, then
        for its refund in the after-sales warehouse; refunded, it left into defective stock, its line refunded."""
        for unit in ReturnUnit.objects.filter(return_case_id__in=self.case_ids,
                                              disposition=Disposition.REFUND).select_related("line"):
            assert unit.line.requested_outcome != Outcome.REFUND, unit.pk
            assert unit.state in (UnitState.WAITING_CUSTOMER, UnitState.READY_TO_SETTLE, UnitState.DONE), unit.state
            if unit.state == UnitState.WAITING_CUSTOMER:
                assert unit.needs_consent and not unit.consent, unit.pk
            elif unit.state == UnitState.READY_TO_SETTLE:
                assert unit.warehouse_id == self.world["after_sales"] and unit.consent.get("given"), unit.pk
            else:
                assert (unit.exit, unit.warehouse_id) == ("refunded_into_stock", self.world["defective"]), unit.pk
                assert unit.line.refunded_at is not None and unit.line.refund_amount is not None, unit.pk

    @invariant()
    def cases_after_receipt_follow_their_units(self):
        for case in ReturnCase.objects.filter(pk__in=self.case_ids, state__in=[*AFTER_RECEIPT, CaseState.SETTLED]):
            assert case.state == derived_case_state(case), (case.number, case.state, derived_case_state(case))

    @invariant()
    def running_clocks_are_the_steps_the_case_is_at(self):
        for case in ReturnCase.objects.filter(pk__in=self.case_ids):
            running = {d.kind: d for d in Deadline.objects.filter(subject_type="return_case", subject_id=case.pk,
                                                                  state__in=["open", "paused"])}
            wanted = case_wanted(case) if case.state != CaseState.CANCELLED else {}
            assert set(running) == set(wanted), (case.number, case.state, set(running), set(wanted))
            for kind, deadline in running.items():
                paused = bool(wanted[kind].paused_because)
                assert (deadline.state == "paused") == paused, (case.number, kind, deadline.state)
                assert deadline.due_at >= deadline.started_at and deadline.met_at is None


def _moves_as_the_table_says(action: str, from_state: str, to_state: str) -> bool:
    """A timeline entry starts in a state the table allows and ends in one of its targets; where
    the table names no case targets (unit actions, refunds, exchanges ahead) the case follows its
    units after the receipt and keeps its state before it."""
    spec = ACTIONS[action]
    if from_state not in case_states_for(spec):
        return False
    if spec.level == CASE and spec.targets:
        return to_state in spec.targets
    if from_state in AFTER_RECEIPT:
        return to_state in (*AFTER_RECEIPT, CaseState.SETTLED)
    return to_state == from_state


# --- parameters, plausible and sometimes not ---

@st.composite
def _line_input(draw, pool: list[str], models: dict) -> dict:
    line = {
        "requested_outcome": draw(st.sampled_from(Outcome.values)),
        "reason": draw(st.sampled_from(Reason.values)),
        "item_name": "电热水器 2000W",
        # Now and then the note lacks a field: receiving must then refuse to start.
        "production_lot": draw(st.sampled_from(["260910-1"] * 5 + [""])),
        "defect_description": draw(st.sampled_from(["不加热", "漏水", "外壳破损"])),
        "unit_price": draw(st.sampled_from([Decimal("0"), Decimal("880.00"), Decimal("1299.50")])),
    }
    if draw(st.booleans()):
        serials = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        return {**line, "product_model": models["HT-2000"], "serials": serials}
    model = draw(st.sampled_from(list(models.values())))
    return {**line, "product_model": model, "quantity": draw(st.integers(1, 3))}


def _params(data, action: str, case: ReturnCase, units: list[ReturnUnit]) -> tuple[dict, str]:
    draw = data.draw
    comment = draw(st.sampled_from(["", "按规定处理", "客户来电确认"]), label="comment")
    maker = _PARAMS.get(action)
    return (maker(draw, case, units) if maker else {}), comment


def _receive(draw, case, units):
    here = list(case.units.exclude(serial="").values_list("serial", flat=True))
    # Serials other cases hold: expected there, or received there and not yet gone.
    elsewhere = list(ReturnUnit.objects.exclude(state__in=[UnitState.DONE, UnitState.MISSING])
                     .exclude(return_case=case).exclude(serial="").values_list("serial", flat=True))
    serial_item = st.builds(
        lambda serial, model: {"serial": serial, **({"product_model": model} if model else {})},
        st.sampled_from(here + elsewhere + STRANGERS),
        st.sampled_from([None, None, None, "HT-2000", "MC-750", "NO-SUCH-MODEL"]))
    quantity_lines = [line.line_no for line in case.lines.all() if not line.serials]
    kinds = [serial_item]
    if quantity_lines:
        kinds.append(st.fixed_dictionaries({"line": st.sampled_from(quantity_lines), "quantity": st.integers(1, 3)}))
    items = draw(st.lists(st.one_of(kinds), min_size=1, max_size=5), label="items")
    if draw(st.integers(0, 9), label="spoil") == 0:
        items.append(draw(st.sampled_from([{"line": 99, "quantity": 1}, {"line": 1, "quantity": 0}, "HT26090001",
                                           {"serial": ""}]), label="bad item"))
    return {"items": items}


def _inspect(draw, case, units):
    result = draw(st.fixed_dictionaries({}, optional={
        "defect_class": st.sampled_from([*DefectClass.values, ""]),
        "responsibility": st.sampled_from([*Responsibility.values, ""]),
        "repairable": st.booleans(), "no_fault_found": st.booleans(), "human_damage": st.booleans(),
        "warranty_label_broken": st.booleans(), "self_repaired_or_modified": st.booleans(),
        "grade": st.sampled_from(["A", "B", "C"]), "notes": st.just("外观划伤"),
    }), label="result")
    if draw(st.integers(0, 14), label="spoil") == 0:
        result["responsibility"] = "nobody"
    params = {"result": result}
    if units and draw(st.booleans(), label="per unit"):
        params["per_unit"] = {str(units[0].pk): {"responsibility": draw(st.sampled_from(Responsibility.values))}}
    return params


SALE = {"price": "300.00", "discount_percent": "50", "buyer_kind": "department", "buyer": "行政部",
        "sold_on": "2026-12-01"}


def _dispose(draw, case, units):
    fitting = sorted(ALLOWED_DISPOSITIONS[units[0].line.requested_outcome]) if units else []
    params = {"disposition": draw(st.sampled_from(fitting * 3 + [*Disposition.values, "bogus"]), label="disposition")}
    if draw(st.integers(0, 5), label="no sale") > 0:  # an internal sale needs its record
        params["internal_sale"] = SALE
    return params


def _redispose(draw, case, units):
    """Dispositions that change (repair to teardown, scrap, a replacement...), with a reason, mostly."""
    params = _dispose(draw, case, units)
    if units and Disposition.REFUND in ALLOWED_DISPOSITIONS[units[0].line.requested_outcome] \
            and draw(st.integers(0, 3), label="to a refund") == 0:  # refunded instead of the unit wanted back
        params["disposition"] = Disposition.REFUND
    if draw(st.integers(0, 7), label="no reason") > 0:
        params["reason"] = "台架复测结果与检验不同"
    return params


def _override_window(draw, case, units):
    return {"line": draw(st.sampled_from([line.line_no for line in case.lines.all()] + [99]), label="line")}


def _quote_charge(draw, case, units):
    return {"amount": draw(st.sampled_from(["150.00", "150.00", "80", "0", "-5", "abc", "NaN", "12.345"]),
                           label="amount"),
            "expected_return_date": "2026-12-10"}


def _shipping(draw, case, units):
    return draw(st.fixed_dictionaries({}, optional={"carrier": st.sampled_from(["顺丰", "德邦"]),
                                                     "tracking_number": st.sampled_from(["SF1001", "DB2002"])}),
                label="shipping")


def _settle_exchange(draw, case, units):
    params = _shipping(draw, case, units)
    if draw(st.integers(0, 4), label="no new serial") > 0:
        params["new_serial"] = draw(st.sampled_from(REPLACEMENTS), label="new serial")
        params["new_serials"] = {str(u.pk): draw(st.sampled_from(REPLACEMENTS), label="new serials") for u in units}
    return params


def _ship_exchange_in_advance(draw, case, units):
    line_nos = [line.line_no for line in case.lines.all()]
    return {"line": draw(st.sampled_from(line_nos + [99]), label="line"),
            "serials": draw(st.lists(st.sampled_from(REPLACEMENTS), min_size=1, max_size=2),
                            label="serials"),
            **_shipping(draw, case, units)}


def _settle_refund(draw, case, units):
    line_nos = [line.line_no for line in case.lines.all()]
    params = {"line": draw(st.sampled_from(line_nos + [99]), label="line"),
              "deduction": draw(st.sampled_from(["0", "0", "50.00", "-1", "x", "999999"]), label="deduction")}
    if draw(st.booleans(), label="reason"):
        params["deduction_reason"] = "缺少配件"
    return params


def _approve(draw, case, units):
    kind = draw(st.sampled_from([None, None, None, *Approval.Kind.values]), label="approval")
    return {"approval": kind} if kind else {}


def _override_warranty(draw, case, units):
    return draw(st.fixed_dictionaries({"status": st.sampled_from(["in", "out", "in", "out", "maybe"])},
                                      optional={"chargeable": st.sampled_from([True, False, "yes"])}),
                label="override")


def _final_results(draw, case, units, *, fail=False):
    """Results for every item of the units' checklists: all passed, sometimes one left out or failed."""
    from aftersales.returns.selectors import final_checklist_entries

    entries = final_checklist_entries(ReturnUnit.objects.filter(pk__in=[u.pk for u in units])
                                      .select_related("line", "product_model"))
    results = {item["code"]: {"passed": True} for entry in entries for item in entry["items"]}
    if results and draw(st.integers(0, 4), label="incomplete or failed result") == 0:
        code = sorted(results)[0]
        if draw(st.booleans(), label="left out"):
            del results[code]
        else:
            results[code] = {"passed": False, "value": "NG"}
    return {"notes": "仍不加热" if fail else "合格", "results": results}


_PARAMS = {
    "approve": _approve, "reject": _approve, "receive": _receive, "inspect": _inspect, "dispose": _dispose,
    "redispose": _redispose, "override_window": _override_window,
    "quote_charge": _quote_charge, "ship_back": _shipping, "settle_exchange": _settle_exchange,
    "ship_exchange_in_advance": _ship_exchange_in_advance, "settle_refund": _settle_refund,
    "override_warranty": _override_warranty,
    "pass_final": _final_results,
    "fail_final": lambda draw, case, units: _final_results(draw, case, units, fail=True),
}


def test_random_actions_keep_stock_units_roles_and_timeline_consistent(world):
    ReturnCaseMachine.world = world
    OUTCOMES.clear()
    run_state_machine_as_test(ReturnCaseMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=IN_CI,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    succeeded = {action for (action, outcome) in OUTCOMES if outcome == "ok"}
    # The walk must get past the application, or it tested little.
    assert {"submit", "approve", "start_receiving", "receive"} <= succeeded, sorted(OUTCOMES.items())


def test_unit_ids_sent_as_one_string_are_refused(world, registry):
    """A client may send "unit_ids": "57"; read digit by digit that would act on units 5 and 7."""
    users = world["users"]
    lines = [{"product_model": world["models"]["HT-2000"], "item_name": "电热水器 2000W", "production_lot": "260910-1",
              "defect_description": "不加热", "serials": ["HT26090001"]}]
    case = case_create(actor=users["service"], customer=world["customers"]["alice"], lines=lines)
    apply_action(actor=users["service"], case_id=case.pk, action="submit")
    unit = case.units.get()

    with pytest.raises(AppError) as refused:
        apply_action(actor=users["manager"], case_id=case.pk, action="override_warranty", unit_ids=str(unit.pk),
                     params={"status": "out"}, comment="客户自行拆修")

    assert refused.value.code == "invalid" and "unit_ids" in refused.value.details
    unit.refresh_from_db()
    assert unit.warranty_override == {}


# Found by the walk in services/handlers/ and fixed there; these keep them fixed.

@pytest.fixture
def submitted_case(world, registry):
    """Alice's quality incident: it needs the service approval and the general manager's."""
    lines = [{"product_model": world["models"]["HT-2000"], "item_name": "电热水器 2000W", "production_lot": "260910-1",
              "defect_description": "不加热", "serials": ["HT25010001"]}]
    case = case_create(actor=world["users"]["service"], customer=world["customers"]["alice"], lines=lines,
                       is_quality_incident=True)
    return apply_action(actor=world["users"]["service"], case_id=case.pk, action="submit")


def test_a_rejection_is_recorded_under_an_approval_the_user_may_give(world, submitted_case):
    assert submitted_case.required_approvals == ["service", "gm"]
    with pytest.raises(AppError):
        apply_action(actor=world["users"]["service"], case_id=submitted_case.pk, action="reject",
                     params={"approval": "gm"}, comment="不符合退货条件")
    assert not Approval.objects.filter(return_case=submitted_case, kind="gm").exists()


@pytest.mark.parametrize("amount", ["1e30", "99999999999999"])
def test_a_charge_too_large_to_record_is_refused_as_invalid(world, submitted_case, amount):
    users = world["users"]
    apply_action(actor=users["service"], case_id=submitted_case.pk, action="approve")
    apply_action(actor=users["manager"], case_id=submitted_case.pk, action="approve")  # one approval per person
    apply_action(actor=users["warehouse"], case_id=submitted_case.pk, action="start_receiving")
    apply_action(actor=users["warehouse"], case_id=submitted_case.pk, action="receive",
                 params={"items": [{"serial": "HT25010001"}]})
    apply_action(actor=users["warehouse"], case_id=submitted_case.pk, action="close_receipt")
    unit = submitted_case.units.get()
    apply_action(actor=users["quality"], case_id=submitted_case.pk, action="inspect", unit_ids=[unit.pk],
                 params={"result": {"defect_class": "function", "responsibility": "company"}})
    apply_action(actor=users["quality"], case_id=submitted_case.pk, action="dispose", unit_ids=[unit.pk],
                 params={"disposition": "repair"})
    unit.refresh_from_db()
    assert (unit.state, unit.chargeable) == ("waiting_customer", True)  # out of warranty since 2026-01

    with pytest.raises(AppError) as refused:
        apply_action(actor=users["service"], case_id=submitted_case.pk, action="quote_charge", unit_ids=[unit.pk],
                     params={"amount": amount})
    assert refused.value.code == "invalid"
