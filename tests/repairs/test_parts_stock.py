"""Stock conservation for parts, as for units: random walks through the parts services
(hypothesis stateful testing, after tests/returns/test_stateful.py).

The world: a case with six units disposed for repair on two rework orders (A: three units,
started; B: a batch of three, planned, its first article checked by quality) and a case with
two units torn down. The walk, by the right persona and now and then by another one, with
plausible and sometimes bad parameters: material requests created, decided, received and
issued; repair records with parts (from the order's issued material first, then from
raw-material stock; often more than there is); failed final inspections that send units back
to work; orders started and closed; teardown of a torn-down unit into good, cosmetic and
scrap parts; outsourced refurbishment sent and returned with a random number passing QC;
scrap applications of parts approved or refused; purchased material received directly.

Each example starts with some purchased stock and, mostly, material already issued to an order.
Chains that swarm testing would seldom finish (a request all the way to its issue, a teardown to
refurbishment and back, scrap applied and decided, units sent back to work and recorded again)
are rules of their own too.

The machine keeps its own books (raw-material and scrap stock per part, what was issued to
each order and consumed from it, what each unit took straight from stock, the state of every
order, request, refurbishment order and scrap application) and predicts the outcome of every
call: "ok" or the error code (permission_denied, invalid, invalid_state, insufficient_stock...).
After every step:

(a) every part balance is the sum of its ledger moves, and none is negative;
(b) the raw-material and scrap balances are the machine's books;
(c) an order's units never consumed more issued material than was issued to it (PartUse
    from_issue against PartUse without a unit), and every direct use is a part_issue move out of
    raw material for that unit;
(d) every good teardown part and every refurbished part that passed QC is a move into raw
    material, and nothing else of a teardown or a refurbishment is;
(e) a refused call changed nothing (ledger, balances, part uses, teardown parts, requests,
    records, refurbishment orders, scrap applications).

Each example runs in a transaction rolled back at its end, so examples do not leak.
"""

import os
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition, rule,
                                 run_state_machine_as_test)

from aftersales.core.errors import AppError
from aftersales.inventory.models import StockBalance, StockMove
from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
from aftersales.repairs import services
from aftersales.repairs.models import (MaterialRequest, MaterialRequestLine, OrderState, PartUse, RefurbishOrder,
                                       RepairOrder, RepairRecord, ScrapApplication, TeardownPart)
from aftersales.returns.models import ReturnUnit, UnitState
from aftersales.returns.services.actions import apply_action

pytestmark = pytest.mark.django_db
# In CI the walks are the same every run (a coverage check below must not depend on luck); by hand they explore.
IN_CI = os.environ.get("CI") == "true"

EXAMPLES, STEPS = 20, 50
CODES = ["HT-ELEM", "HT-THERM", "HT-PANEL"]
# How a run went, over all examples: (rule, outcome) -> count.
OUTCOMES: Counter = Counter()


@pytest.fixture
def world(users, parts, disposed):
    repair_case, repair_ids = disposed([f"HT2609{n:04d}" for n in range(1, 7)])
    order_a = services.order_open(actor=users["planning"], case_id=repair_case["id"], unit_ids=repair_ids[:3],
                                  is_batch=False)
    services.order_start(actor=users["repair"], order_id=order_a.pk)
    order_b = services.order_open(actor=users["planning"], case_id=repair_case["id"], unit_ids=repair_ids[3:],
                                  is_batch=True)
    _torn_case, torn_ids = disposed(["HT26090011", "HT26090012"], disposition="teardown", outcome="refund")
    assert set(ReturnUnit.objects.filter(pk__in=torn_ids).values_list("exit", flat=True)) == {"torn_down"}
    return {
        "users": users, "parts": {code: parts[code].pk for code in CODES},
        "orders": {order_a.pk: repair_ids[:3], order_b.pk: repair_ids[3:]},
        "first_article": {order_b.pk: repair_ids[3]},
        "repair_units": repair_ids, "torn_units": torn_ids,
        "raw": warehouse_of_kind("raw_material"), "scrap": warehouse_of_kind("scrap"),
    }


def snapshot() -> tuple:
    """Everything a parts call may write."""
    return (
        StockMove.objects.count(), PartUse.objects.count(), TeardownPart.objects.count(),
        RepairRecord.objects.count(),
        tuple(StockBalance.objects.filter(part__isnull=False).order_by("pk").values_list("pk", "quantity")),
        tuple(MaterialRequest.objects.order_by("pk").values_list("pk", "state")),
        tuple(MaterialRequestLine.objects.order_by("pk").values_list("pk", "received", "issued")),
        tuple(RefurbishOrder.objects.order_by("pk").values_list("pk", "state", "passed_qc")),
        tuple(TeardownPart.objects.order_by("pk").values_list("pk", "refurbish_order_id")),
        tuple(ScrapApplication.objects.order_by("pk").values_list("pk", "state")),
        tuple(RepairOrder.objects.order_by("pk").values_list("pk", "state", "version")),
        tuple(ReturnUnit.objects.order_by("pk").values_list("pk", "state")),
    )


# --- parameters ---

BAD_QUANTITIES = [0, -1, "2", 2.5, True, None]


def now_and_then(data, one_in: int, label: str) -> bool:
    """True once in about one_in draws (and never in the simplest example)."""
    return data.draw(st.sampled_from([False] * (one_in - 1) + [True]), label=label)


def _lines(data, *, min_size=1, max_size=3, most=4, spoil: int | None = 8, label="lines") -> tuple[list, bool]:
    """[{"part": code, "quantity": n}], and whether one line was spoiled on purpose."""
    if min_size == 0 and now_and_then(data, 12, f"{label}: none"):
        return [], False
    lines = data.draw(st.lists(st.fixed_dictionaries({"part": st.sampled_from(CODES),
                                                      "quantity": st.integers(1, most)}),
                               min_size=1, max_size=max_size), label=label)
    if not spoil or not lines or not now_and_then(data, spoil, f"{label}: spoil"):
        return lines, False
    index = data.draw(st.integers(0, len(lines) - 1), label=f"{label}: spoiled line")
    how = data.draw(st.sampled_from(["part", "quantity", "missing", "not a dict"]), label=f"{label}: how")
    if how == "part":
        lines[index] = {**lines[index], "part": data.draw(st.sampled_from(["NOPE", "", 7]), label="bad part")}
    elif how == "quantity":
        lines[index] = {**lines[index], "quantity": data.draw(st.sampled_from(BAD_QUANTITIES), label="bad quantity")}
    elif how == "missing":
        lines[index] = {"part": lines[index]["part"]}
    else:
        lines[index] = lines[index]["part"]
    return lines, True


def pick(data, fitting: list, anything: list, label: str):
    """One of `fitting` three times in four (when there is one), else one of `anything`."""
    if fitting and not now_and_then(data, 4, f"{label}: any"):
        return data.draw(st.sampled_from(sorted(fitting)), label=label)
    return data.draw(st.sampled_from(sorted(anything)), label=label)


def _per_part(lines) -> Counter:
    wanted = Counter()
    for line in lines:
        wanted[line["part"]] += line["quantity"]
    return wanted


class PartsStockMachine(RuleBasedStateMachine):
    world: dict = {}

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.users = self.world["users"]
        self.order_states = dict(RepairOrder.objects.filter(pk__in=self.world["orders"]).values_list("pk", "state"))
        self.raw: Counter = Counter()      # expected raw-material stock per part code
        self.scrapped: Counter = Counter()  # expected scrap-warehouse stock per part code
        self.issued = defaultdict(Counter)     # order -> part -> issued to it
        self.consumed = defaultdict(Counter)   # order -> part -> consumed by its units from the issue
        self.direct = defaultdict(Counter)     # (order, unit) -> part -> taken from stock by a record
        self.requests: dict[int, dict] = {}    # id -> {"order", "lines", "state"}
        self.torn: dict[int, dict] = {}    # TeardownPart id -> {"unit", "part", "quantity", "outcome", "sent"}
        self.refurbish: dict[int, dict] = {}   # id -> {"rows": [teardown ids], "state"}
        self.refurbished: Counter = Counter()  # part -> passed QC and back in stock
        self.scraps: dict[int, dict] = {}      # id -> {"lines", "state"}

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- calling a service ---

    def _actor(self, data, *allowed: str) -> str:
        """The right persona most of the time, anyone (customers, the role-less user) now and then."""
        return data.draw(st.sampled_from([*allowed] * (48 // len(allowed)) + sorted(self.users)), label="actor")

    def _call(self, name: str, expected: str, call) -> object:
        before = snapshot()
        try:
            result = call()
        except AppError as error:
            outcome, result = error.code, None
            assert snapshot() == before, f"{name} was refused ({outcome}) yet wrote"
        else:
            outcome = "ok"
        OUTCOMES[(name, outcome)] += 1
        event(f"{name}: {outcome}")
        assert outcome == expected, (name, "expected", expected, "got", outcome)
        return result

    @staticmethod
    def _unit_states(ids) -> dict[int, str]:
        return dict(ReturnUnit.objects.filter(pk__in=ids).values_list("pk", "state"))

    def _short(self, needed: Counter) -> bool:
        return any(quantity > self.raw[code] for code, quantity in needed.items())

    # --- purchased material ---

    def _receive_purchased(self, lines: list) -> None:
        raw = self.world["raw"]
        self._call("receive_purchased", "ok", lambda: stock_moves_apply(actor=self.users["warehouse"], moves=[
            Move("purchase_receipt", line["quantity"], None, raw, part_id=self.world["parts"][line["part"]])
            for line in lines]))
        self.raw.update(_per_part(lines))

    @initialize(data=st.data())
    def opening_stock(self, data):
        """Some stock to start from, and most of the time material already issued to an order."""
        self._receive_purchased(_lines(data, max_size=3, most=6, spoil=None, label="opening stock")[0])
        if not now_and_then(data, 4, "nothing issued yet"):
            self._request_chain(data, steps=4)

    @rule(data=st.data())
    def receive_purchased(self, data):
        """Purchased parts received straight into raw material (no request)."""
        self._receive_purchased(_lines(data, max_size=2, most=5, spoil=None, label="purchase")[0])

    # --- material requests ---

    def _request_create(self, actor: str, order: int, lines: list, spoiled: bool) -> int | None:
        if actor != "repair":
            expected = "permission_denied"
        elif self.order_states[order] in (OrderState.DONE, OrderState.CANCELLED):
            expected = "invalid_state"  # no material for a closed order
        else:
            expected = "invalid" if spoiled or not lines else "ok"
        made = self._call("request_create", expected, lambda: services.material_request_create(
            actor=self.users[actor], order_id=order, lines=lines, comment="缺料"))
        if made:
            self.requests[made.pk] = {"order": order, "lines": lines, "state": "submitted"}
            return made.pk
        return None

    def _request_decide(self, actor: str, pk: int, approve: bool, comment: str) -> None:
        request = self.requests[pk]
        if actor != "purchasing":
            expected = "permission_denied"
        elif request["state"] != "submitted":
            expected = "invalid_state"
        elif not approve and not comment.strip():
            expected = "invalid"
        else:
            expected = "ok"
        if self._call("request_decide", expected, lambda: services.material_request_decide(
                actor=self.users[actor], request_id=pk, approve=approve, comment=comment)):
            request["state"] = "approved" if approve else "rejected"

    def _request_receive(self, actor: str, pk: int) -> None:
        request = self.requests[pk]
        expected = ("permission_denied" if actor not in ("purchasing", "warehouse")
                    else "invalid_state" if request["state"] != "approved" else "ok")
        if self._call("request_receive", expected, lambda: services.material_request_receive(
                actor=self.users[actor], request_id=pk)):
            request["state"] = "received"
            self.raw.update(_per_part(request["lines"]))

    def _request_issue(self, actor: str, pk: int) -> None:
        request = self.requests[pk]
        needed = _per_part(request["lines"])
        expected = ("permission_denied" if actor != "warehouse"
                    else "invalid_state" if request["state"] != "received"
                    else "insufficient_stock" if self._short(needed) else "ok")
        if self._call("request_issue", expected, lambda: services.material_request_issue(
                actor=self.users[actor], request_id=pk)):
            request["state"] = "issued"
            self.raw.subtract(needed)
            self.issued[request["order"]].update(needed)

    def _request(self, data, state: str) -> int:
        """A request in the state the step wants, mostly; any request now and then."""
        fitting = [pk for pk, r in self.requests.items() if r["state"] == state]
        return pick(data, fitting, list(self.requests), "request")

    @rule(data=st.data())
    def request_create(self, data):
        order = data.draw(st.sampled_from(sorted(self.order_states)), label="order")
        actor = self._actor(data, "repair")
        lines, spoiled = _lines(data, min_size=0, max_size=3, most=4)
        self._request_create(actor, order, lines, spoiled)

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def request_decide(self, data):
        pk = self._request(data, "submitted")
        actor = self._actor(data, "purchasing")
        approve = data.draw(st.booleans(), label="approve")
        comment = data.draw(st.sampled_from(["", "库存充足", " "]), label="comment")
        self._request_decide(actor, pk, approve, comment)

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def request_receive(self, data):
        self._request_receive(self._actor(data, "purchasing", "warehouse"), self._request(data, "approved"))

    @precondition(lambda self: self.requests)
    @rule(data=st.data())
    def request_issue(self, data):
        self._request_issue(self._actor(data, "warehouse"), self._request(data, "received"))

    @rule(data=st.data())
    def request_all_the_way(self, data):
        """A request created, approved, received and issued by the right personas one after the other,
        stopping on the way now and then (swarm testing otherwise seldom walks the whole chain)."""
        self._request_chain(data, steps=data.draw(st.sampled_from([4, 4, 4, 3, 2]), label="steps"))

    def _request_chain(self, data, steps: int) -> None:
        order = data.draw(st.sampled_from(sorted(self.order_states)), label="order")
        lines, _spoiled = _lines(data, max_size=3, most=4, spoil=None)
        pk = self._request_create("repair", order, lines, False)
        if pk is None:  # the order was closed: no material is asked for it
            return
        self._request_decide("purchasing", pk, True, "")
        if steps >= 3:
            self._request_receive(data.draw(st.sampled_from(["purchasing", "warehouse"]), label="receiver"), pk)
        if steps >= 4:
            self._request_issue("warehouse", pk)

    # --- orders and repair records ---

    def _orders_in(self, state: str) -> list[int]:
        return sorted(pk for pk, now in self.order_states.items() if now == state)

    def _order(self, data, state: str) -> int:
        """An order in the state the step wants, mostly; any order now and then."""
        return pick(data, self._orders_in(state), list(self.order_states), "order")

    @precondition(lambda self: OrderState.PLANNED in self.order_states.values())
    @rule(data=st.data())
    def order_start(self, data):
        order = self._order(data, OrderState.PLANNED)
        actor = self._actor(data, "repair")
        expected = ("permission_denied" if actor != "repair"
                    else "invalid_state" if self.order_states[order] != OrderState.PLANNED else "ok")
        if self._call("order_start", expected, lambda: services.order_start(actor=self.users[actor], order_id=order)):
            self.order_states[order] = (OrderState.FIRST_ARTICLE if order in self.world["first_article"]
                                        else OrderState.IN_PROGRESS)

    @precondition(lambda self: OrderState.FIRST_ARTICLE in self.order_states.values())
    @rule(data=st.data())
    def first_article_check(self, data):
        order = self._order(data, OrderState.FIRST_ARTICLE)
        actor = self._actor(data, "quality")
        passed = data.draw(st.booleans(), label="passed")
        unit = self.world["first_article"].get(order)
        if actor != "quality":
            expected = "permission_denied"
        elif unit is None or self.order_states[order] != OrderState.FIRST_ARTICLE:
            expected = "invalid_state"
        elif self._unit_states([unit])[unit] != UnitState.FINAL_INSPECTION:
            expected = "first_article_not_ready"
        else:
            expected = "ok"
        if self._call("first_article_check", expected, lambda: services.first_article_check(
                actor=self.users[actor], order_id=order, passed=passed, notes="温控不准")) and passed:
            self.order_states[order] = OrderState.IN_PROGRESS

    def _fail_final(self, unit_ids: list[int]) -> None:
        case_id = ReturnUnit.objects.values_list("return_case_id", flat=True).get(pk=unit_ids[0])
        self._call("fail_final", "ok", lambda: apply_action(
            actor=self.users["quality"], case_id=case_id, action="fail_final", unit_ids=unit_ids,
            params={"notes": "仍不加热"}))

    def _workable(self, order: int) -> list[int]:
        """The order's units a record may be written for now."""
        return sorted(pk for pk, state in self._unit_states(self.world["orders"][order]).items()
                      if state in (UnitState.IN_WORK, UnitState.DISPOSED)
                      and (self.order_states[order] != OrderState.FIRST_ARTICLE
                           or pk == self.world["first_article"].get(order)))

    def _why_not_workable(self, order: int, unit_ids: list[int]) -> str:
        """The code of the refusal: a unit off the order, else one not in work, else the first article pending."""
        states = self._unit_states(self.world["orders"][order])
        if any(pk not in states for pk in unit_ids):
            return "unit_not_on_order"
        if any(states[pk] not in (UnitState.IN_WORK, UnitState.DISPOSED) for pk in unit_ids):
            return "invalid_state"
        return "first_article_pending"

    def _records_add(self, actor: str, order: int, records: list[dict], spoiled: bool) -> None:
        unit_ids = [record["unit"] for record in records]
        workable = self._workable(order)
        wanted = Counter()
        if not spoiled:
            for record in records:
                wanted.update(_per_part(record["parts"]))
        # From what was issued to the order first, the rest from raw-material stock.
        from_issue = {code: min(quantity, self.issued[order][code] - self.consumed[order][code])
                      for code, quantity in wanted.items()}
        direct = Counter({code: quantity - from_issue[code] for code, quantity in wanted.items()})
        if actor != "repair":
            expected = "permission_denied"
        elif self.order_states[order] not in (OrderState.FIRST_ARTICLE, OrderState.IN_PROGRESS):
            expected = "invalid_state"
        elif spoiled:
            expected = "invalid"
        elif not all(pk in workable for pk in unit_ids):  # a well-formed record for a unit not workable now: 409
            expected = self._why_not_workable(order, [pk for pk in unit_ids if pk not in workable])
        elif self._short(direct):
            expected = "insufficient_stock"
        else:
            expected = "ok"
        if not self._call("records_add", expected, lambda: services.records_add(
                actor=self.users[actor], order_id=order, records=records)):
            return
        # Which unit took what from stock: the issue is used record by record, line by line.
        left = {code: self.issued[order][code] - self.consumed[order][code] for code in wanted}
        for record in records:
            for line in record["parts"]:
                take = min(line["quantity"], left[line["part"]])
                left[line["part"]] -= take
                if line["quantity"] > take:
                    self.direct[(order, record["unit"])][line["part"]] += line["quantity"] - take
        self.raw.subtract(direct)
        self.consumed[order].update(from_issue)
        for kind, taken in (("from the issue", from_issue), ("from stock", direct)):
            if any(taken.values()):
                OUTCOMES[("records_add", f"ok, parts {kind}")] += 1

    @staticmethod
    def _record(unit: int, parts: list) -> dict:
        return {"unit": unit, "fault_found": "加热管断路", "cause": "来料不良", "action": "更换加热管",
                "labour_hours": "1.5", "parts": parts}

    @rule(data=st.data())
    def fail_final(self, data):
        """Quality sends a repaired unit back to work (so that it can take parts again)."""
        waiting = sorted(pk for pk, state in self._unit_states(self.world["repair_units"]).items()
                         if state == UnitState.FINAL_INSPECTION)
        if waiting:
            self._fail_final([data.draw(st.sampled_from(waiting), label="unit")])

    @rule(data=st.data())
    def records_add(self, data):
        order = pick(data, self._orders_in(OrderState.IN_PROGRESS) + self._orders_in(OrderState.FIRST_ARTICLE),
                     list(self.order_states), "order")
        actor = self._actor(data, "repair")
        if now_and_then(data, 10, "not the repair team"):  # so that every walk tries it
            actor = data.draw(st.sampled_from(sorted(set(self.users) - {"repair"})), label="actor")
        # Mostly the order's units in work, sometimes any unit (of the other order, torn down), a unit twice.
        workable = self._workable(order)
        if workable and not now_and_then(data, 6, "units: any"):
            unit_ids = data.draw(st.lists(st.sampled_from(workable), min_size=1, max_size=3, unique=True),
                                 label="units")
        else:
            unit_ids = data.draw(st.lists(st.sampled_from(self.world["repair_units"] + self.world["torn_units"]),
                                          min_size=1, max_size=3, unique=True), label="units")
        spoiled = now_and_then(data, 25, "twice")
        if spoiled:
            unit_ids.append(unit_ids[0])
        records = []
        for unit in unit_ids:
            lines, bad_lines = _lines(data, min_size=0, max_size=3, most=2, spoil=25, label="parts")
            if lines and not bad_lines and now_and_then(data, 6, "greedy"):  # more than is likely in stock
                lines[0]["quantity"] += data.draw(st.integers(4, 12), label="more")
            record = self._record(unit, lines)
            how = data.draw(st.sampled_from(["none"] * 30 + ["action", "hours", "anomaly"]), label="spoil record")
            if how == "action":
                record["action"] = " "
            elif how == "hours":
                record["labour_hours"] = data.draw(st.sampled_from(["-1", "abc", "NaN"]), label="hours")
            elif how == "anomaly":
                record["major_anomaly"] = "bogus"
            spoiled = spoiled or bad_lines or how != "none"
            records.append(record)
        self._records_add(actor, order, records, spoiled)

    @precondition(lambda self: {OrderState.IN_PROGRESS, OrderState.FIRST_ARTICLE} & set(self.order_states.values()))
    @rule(data=st.data())
    def repair_round(self, data):
        """Quality sends the repaired units of a started order back to work, and repair records them
        again with parts (swarm testing otherwise leaves an order with nothing to work on)."""
        order = data.draw(st.sampled_from(self._orders_in(OrderState.IN_PROGRESS)
                                          + self._orders_in(OrderState.FIRST_ARTICLE)), label="order")
        units = ([self.world["first_article"][order]] if self.order_states[order] == OrderState.FIRST_ARTICLE
                 else self.world["orders"][order])
        back = sorted(pk for pk, state in self._unit_states(units).items() if state == UnitState.FINAL_INSPECTION)
        if back:
            self._fail_final(back)
        chosen = data.draw(st.lists(st.sampled_from(self._workable(order)), min_size=1, max_size=3, unique=True),
                           label="units")
        records = []
        for unit in chosen:
            # Now and then only parts issued to the order (and maybe a little more than is left of them).
            issued = [code for code in CODES if self.issued[order][code] > self.consumed[order][code]]
            if issued and data.draw(st.booleans(), label="from the issue"):
                lines = data.draw(st.lists(st.fixed_dictionaries({"part": st.sampled_from(issued),
                                                                  "quantity": st.integers(1, 3)}),
                                           min_size=1, max_size=2), label="issued parts")
            else:
                lines = _lines(data, min_size=0, max_size=2, most=2, spoil=None, label="parts")[0]
            records.append(self._record(unit, lines))
        self._records_add("repair", order, records, False)

    @precondition(lambda self: {OrderState.IN_PROGRESS, OrderState.FIRST_ARTICLE} & set(self.order_states.values()))
    @rule(data=st.data())
    def repair_round_again(self, data):
        """The same, drawn twice as often as the other rules."""
        self.repair_round(data)

    @precondition(lambda self: OrderState.IN_PROGRESS in self.order_states.values())
    @rule(data=st.data())
    def order_close(self, data):
        order = self._order(data, OrderState.IN_PROGRESS)
        actor = self._actor(data, "repair", "planning")
        units = self.world["orders"][order]
        recorded = set(RepairRecord.objects.filter(order_id=order).values_list("unit_id", flat=True))
        finished = all(pk in recorded for pk in units) and UnitState.IN_WORK not in self._unit_states(units).values()
        expected = ("permission_denied" if actor not in ("repair", "planning")
                    else "invalid_state" if self.order_states[order] != OrderState.IN_PROGRESS
                    else "order_not_finished" if not finished else "ok")
        if self._call("order_close", expected, lambda: services.order_close(actor=self.users[actor], order_id=order)):
            self.order_states[order] = OrderState.DONE

    # --- teardown and outsourced refurbishment ---

    def _teardown(self, actor: str, unit: int, lines: list, spoiled: bool) -> list[int]:
        if actor not in ("repair", "quality"):
            expected = "permission_denied"
        elif unit not in self.world["torn_units"]:
            expected = "invalid_state"
        elif spoiled or not lines:
            expected = "invalid"
        else:
            expected = "ok"
        rows = self._call("teardown_record", expected, lambda: services.teardown_record(
            actor=self.users[actor], unit_id=unit, parts=lines)) or []
        assert len(rows) in (0, len(lines))
        for row, line in zip(rows, lines):
            self.torn[row.pk] = {"unit": unit, "part": line["part"], "quantity": line["quantity"],
                                 "outcome": line["outcome"], "sent": False}
            if line["outcome"] == "good" and actor == "quality":  # the bench's good parts wait for quality
                self.raw[line["part"]] += line["quantity"]
        return [row.pk for row in rows]

    def _refurbish_send(self, actor: str, ids: list, supplier: str) -> int | None:
        waiting = {pk for pk, row in self.torn.items() if row["outcome"] == "cosmetic" and not row["sent"]}
        if actor not in ("purchasing", "repair"):
            expected = "permission_denied"
        elif not supplier.strip():
            expected = "invalid"
        elif not ids or not all(pk in waiting for pk in ids):
            expected = "invalid_state"
        else:
            expected = "ok"
        order = self._call("refurbish_send", expected, lambda: services.refurbish_order_create(
            actor=self.users[actor], supplier=supplier, teardown_part_ids=ids))
        if order is None:
            return None
        self.refurbish[order.pk] = {"rows": sorted(ids), "state": "sent"}
        for pk in ids:
            self.torn[pk]["sent"] = True
        return order.pk

    def _refurbish_return(self, actor: str, pk: int, passed, cost: str) -> None:
        rows = [self.torn[row] for row in self.refurbish[pk]["rows"]]
        total = sum(row["quantity"] for row in rows)
        good_passed = isinstance(passed, int) and not isinstance(passed, bool) and 0 <= passed <= total
        if actor not in ("quality", "warehouse"):
            expected = "permission_denied"
        elif self.refurbish[pk]["state"] != "sent":
            expected = "invalid_state"
        elif not good_passed or cost in ("-5", "abc"):
            expected = "invalid"
        else:
            expected = "ok"
        if self._call("refurbish_return", expected, lambda: services.refurbish_order_return(
                actor=self.users[actor], order_id=pk, passed=passed, cost=cost)):
            self.refurbish[pk]["state"] = "returned"
            left = passed
            for row in rows:  # QC passes are counted row by row, in the order the rows were recorded
                take = min(left, row["quantity"])
                left -= take
                self.raw[row["part"]] += take
                self.refurbished[row["part"]] += take

    def _passed(self, data, pk: int):
        total = sum(self.torn[row]["quantity"] for row in self.refurbish[pk]["rows"])
        if now_and_then(data, 6, "bad passed"):
            return data.draw(st.sampled_from([-1, total + 1, "1", True, None]), label="passed")
        return data.draw(st.integers(0, total), label="passed")

    @rule(data=st.data())
    def teardown_record(self, data):
        unit = pick(data, self.world["torn_units"], self.world["torn_units"] + self.world["repair_units"][:1], "unit")
        actor = self._actor(data, "repair", "quality")
        lines, spoiled = _lines(data, min_size=0, max_size=4, most=3, spoil=10, label="torn parts")
        for line in lines:
            if isinstance(line, dict):
                line["outcome"] = data.draw(st.sampled_from(["good", "good", "cosmetic", "cosmetic", "scrap"]),
                                            label="outcome")
        if lines and isinstance(lines[0], dict) and now_and_then(data, 15, "bad outcome"):
            lines[0]["outcome"] = data.draw(st.sampled_from(["broken", "", None]), label="bad outcome")
            spoiled = True
        self._teardown(actor, unit, lines, spoiled)

    @precondition(lambda self: self.torn)
    @rule(data=st.data())
    def refurbish_send(self, data):
        waiting = [pk for pk, row in self.torn.items() if row["outcome"] == "cosmetic" and not row["sent"]]
        if waiting and not now_and_then(data, 5, "teardown parts: any"):
            ids = data.draw(st.lists(st.sampled_from(sorted(waiting)), min_size=1, max_size=3, unique=True),
                            label="teardown parts")
        else:
            ids = data.draw(st.lists(st.sampled_from([*sorted(self.torn), 10**9]), max_size=3, unique=True),
                            label="teardown parts")
        actor = self._actor(data, "purchasing", "repair")
        supplier = data.draw(st.sampled_from(["东莞外协厂"] * 5 + [" "]), label="supplier")
        self._refurbish_send(actor, ids, supplier)

    @precondition(lambda self: self.refurbish)
    @rule(data=st.data())
    def refurbish_return(self, data):
        sent = [pk for pk, order in self.refurbish.items() if order["state"] == "sent"]
        pk = pick(data, sent, list(self.refurbish), "refurbish order")
        passed = self._passed(data, pk)
        cost = data.draw(st.sampled_from(["18.00", "18.00", "0", "-5", "abc"]), label="cost")
        self._refurbish_return(self._actor(data, "quality", "warehouse"), pk, passed, cost)

    @rule(data=st.data())
    def teardown_to_refurbishment_and_back(self, data):
        """A teardown with cosmetic parts, sent out for refurbishment and back, by the right personas,
        stopping on the way now and then."""
        unit = data.draw(st.sampled_from(self.world["torn_units"]), label="unit")
        lines = data.draw(st.lists(st.fixed_dictionaries({
            "part": st.sampled_from(CODES), "quantity": st.integers(1, 3),
            "outcome": st.sampled_from(["cosmetic", "cosmetic", "good", "scrap"])}), min_size=1, max_size=4),
            label="torn parts")
        lines[0]["outcome"] = "cosmetic"
        steps = data.draw(st.sampled_from([3, 3, 3, 2]), label="steps")
        rows = self._teardown(data.draw(st.sampled_from(["repair", "quality"]), label="actor"), unit, lines, False)
        cosmetic = [pk for pk, line in zip(rows, lines) if line["outcome"] == "cosmetic"]
        pk = self._refurbish_send(data.draw(st.sampled_from(["purchasing", "repair"]), label="sender"), cosmetic,
                                  "东莞外协厂")
        if steps >= 3:
            self._refurbish_return(data.draw(st.sampled_from(["quality", "warehouse"]), label="checker"), pk,
                                   data.draw(st.integers(0, sum(self.torn[r]["quantity"] for r in cosmetic)),
                                             label="passed"), "18.00")

    # --- scrap ---

    def _scrap_apply(self, actor: str, lines: list, spoiled: bool, reason: str) -> int | None:
        if actor not in ("quality", "repair", "warehouse"):
            expected = "permission_denied"
        elif spoiled or not reason or not lines:
            expected = "invalid"
        else:
            expected = "ok"
        made = self._call("scrap_apply", expected, lambda: services.scrap_apply(
            actor=self.users[actor], reason=reason, parts=lines))
        if made is None:
            return None
        self.scraps[made.pk] = {"lines": lines, "state": "submitted"}
        return made.pk

    def _scrap_decide(self, actor: str, pk: int, approve: bool) -> None:
        application = self.scraps[pk]
        needed = _per_part(application["lines"])
        if actor != "manager":
            expected = "permission_denied"
        elif application["state"] != "submitted":
            expected = "invalid_state"
        elif approve and self._short(needed):
            expected = "insufficient_stock"
        else:
            expected = "ok"
        if self._call("scrap_decide", expected, lambda: services.scrap_decide(
                actor=self.users[actor], application_id=pk, approve=approve, comment="同意")):
            application["state"] = "approved" if approve else "rejected"
            if approve:
                self.raw.subtract(needed)
                self.scrapped.update(needed)

    def _scrap_lines(self, data, spoil: int | None) -> tuple[list, bool]:
        lines, spoiled = _lines(data, min_size=0 if spoil else 1, max_size=3, most=3, spoil=spoil,
                                label="scrap parts")
        if lines and not spoiled and now_and_then(data, 4, "greedy"):  # more than is likely in stock
            lines[0]["quantity"] += data.draw(st.integers(4, 12), label="more")
        return lines, spoiled

    @rule(data=st.data())
    def scrap_apply(self, data):
        actor = self._actor(data, "quality", "repair", "warehouse")
        lines, spoiled = self._scrap_lines(data, spoil=10)
        reason = data.draw(st.sampled_from(["维修材料报废"] * 5 + [""]), label="reason")
        self._scrap_apply(actor, lines, spoiled, reason)

    @precondition(lambda self: self.scraps)
    @rule(data=st.data())
    def scrap_decide(self, data):
        waiting = [pk for pk, application in self.scraps.items() if application["state"] == "submitted"]
        pk = pick(data, waiting, list(self.scraps), "application")
        self._scrap_decide(self._actor(data, "manager"), pk, data.draw(st.booleans(), label="approve"))

    @rule(data=st.data())
    def scrap_all_the_way(self, data):
        """Scrapped material applied for and decided by the right personas, one after the other."""
        lines, _spoiled = self._scrap_lines(data, spoil=None)
        actor = data.draw(st.sampled_from(["quality", "repair", "warehouse"]), label="actor")
        pk = self._scrap_apply(actor, lines, False, "维修材料报废")
        self._scrap_decide("manager", pk, data.draw(st.sampled_from([True, True, True, False]), label="approve"))

    # --- invariants ---

    def _balances(self) -> dict:
        return {(w, p): q for w, p, q in StockBalance.objects.filter(part__isnull=False).order_by()
                .values_list("warehouse_id", "part_id", "quantity")}

    @invariant()
    def balances_are_the_ledger(self):
        ledger: Counter = Counter()
        for source, target, part, quantity in StockMove.objects.filter(part__isnull=False).order_by() \
                .values_list("from_warehouse_id", "to_warehouse_id", "part_id", "quantity"):
            if source is not None:
                ledger[(source, part)] -= quantity
            if target is not None:
                ledger[(target, part)] += quantity
        balances = self._balances()
        assert all(quantity >= 0 for quantity in balances.values()), balances
        for key in set(ledger) | set(balances):
            assert balances.get(key, 0) == ledger.get(key, 0), (key, balances.get(key), ledger.get(key))

    @invariant()
    def stock_is_the_machines_books(self):
        balances = self._balances()
        for code, part in self.world["parts"].items():
            assert self.raw[code] >= 0 and self.scrapped[code] >= 0, (code, self.raw[code], self.scrapped[code])
            assert balances.get((self.world["raw"], part), 0) == self.raw[code], (
                "raw material", code, balances.get((self.world["raw"], part), 0), self.raw[code])
            assert balances.get((self.world["scrap"], part), 0) == self.scrapped[code], (
                "scrap", code, balances.get((self.world["scrap"], part), 0), self.scrapped[code])
        other = {key: q for key, q in balances.items() if key[0] not in (self.world["raw"], self.world["scrap"]) and q}
        assert not other, f"parts outside raw material and scrap: {other}"

    @invariant()
    def orders_consume_no_more_than_was_issued(self):
        code_of = {pk: code for code, pk in self.world["parts"].items()}
        issued, consumed, direct = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
        for order, unit, part, quantity, from_issue in PartUse.objects.order_by() \
                .values_list("order_id", "unit_id", "part_id", "quantity", "from_issue"):
            if unit is None:
                assert not from_issue
                issued[order][code_of[part]] += quantity
            elif from_issue:
                consumed[order][code_of[part]] += quantity
            else:
                direct[(order, unit)][code_of[part]] += quantity
        for order in self.world["orders"]:
            for code in CODES:
                assert consumed[order][code] <= issued[order][code], (order, code, consumed[order][code],
                                                                      issued[order][code])
            assert +issued[order] == +self.issued[order], (order, issued[order], self.issued[order])
            assert +consumed[order] == +self.consumed[order], (order, consumed[order], self.consumed[order])
        assert {k: +v for k, v in direct.items() if +v} == {k: +v for k, v in self.direct.items() if +v}
        # A direct use is a part_issue move out of raw material for that unit; an issue one without a unit.
        moved, issue_moves = defaultdict(Counter), Counter()
        for unit, part, quantity, source, target in StockMove.objects.filter(kind="part_issue").order_by() \
                .values_list("return_unit_id", "part_id", "quantity", "from_warehouse_id", "to_warehouse_id"):
            assert (source, target) == (self.world["raw"], None)
            if unit is None:
                issue_moves[code_of[part]] += quantity
            else:
                moved[unit][code_of[part]] += quantity
        by_unit = defaultdict(Counter)
        for (_order, unit), used in direct.items():
            by_unit[unit].update(used)
        assert {k: +v for k, v in moved.items()} == {k: +v for k, v in by_unit.items() if +v}
        assert +issue_moves == +sum(issued.values(), Counter())

    @invariant()
    def teardown_and_refurbishment_come_back_as_moves(self):
        code_of = {pk: code for code, pk in self.world["parts"].items()}
        good = Counter()
        for unit, part, quantity in TeardownPart.objects.filter(outcome="good", qc_passed=True).order_by() \
                .values_list("unit_id", "part_id", "quantity"):
            good[(unit, code_of[part])] += quantity
        torn = Counter()
        for unit, part, quantity, source, target in StockMove.objects.filter(kind="teardown", part__isnull=False) \
                .order_by().values_list("return_unit_id", "part_id", "quantity", "from_warehouse_id",
                                        "to_warehouse_id"):
            assert (source, target) == (None, self.world["raw"])
            torn[(unit, code_of[part])] += quantity
        assert torn == good, (torn, good)
        rows = {pk: (code_of[part], quantity, outcome, order) for pk, part, quantity, outcome, order in
                TeardownPart.objects.order_by().values_list("pk", "part_id", "quantity", "outcome",
                                                            "refurbish_order_id")}
        assert {pk: (r["part"], r["quantity"], r["outcome"]) for pk, r in self.torn.items()} == \
            {pk: row[:3] for pk, row in rows.items()}
        assert all(row[2] == "cosmetic" for row in rows.values() if row[3] is not None)
        back = Counter()
        for part, quantity, target in StockMove.objects.filter(kind="refurbished_in").order_by() \
                .values_list("part_id", "quantity", "to_warehouse_id"):
            assert target == self.world["raw"]
            back[code_of[part]] += quantity
        assert +back == +self.refurbished, (back, self.refurbished)
        for pk, state, passed, failed in RefurbishOrder.objects.order_by().values_list(
                "pk", "state", "passed_qc", "failed_qc"):
            assert state == self.refurbish[pk]["state"]
            sent = sum(rows[row][1] for row in self.refurbish[pk]["rows"])
            assert passed + failed == (sent if state == "returned" else 0), (pk, passed, failed, sent)
        assert sum(back.values()) == (RefurbishOrder.objects.aggregate(n=Sum("passed_qc"))["n"] or 0)

    @invariant()
    def orders_are_where_the_machine_put_them(self):
        assert self.order_states == dict(RepairOrder.objects.filter(pk__in=self.world["orders"])
                                         .values_list("pk", "state"))

    @invariant()
    def requests_are_where_the_machine_put_them(self):
        states = dict(MaterialRequest.objects.order_by().values_list("pk", "state"))
        assert states == {pk: r["state"] for pk, r in self.requests.items()}
        for pk, quantity, received, issued in MaterialRequestLine.objects.order_by().values_list(
                "request_id", "quantity", "received", "issued"):
            assert received == (quantity if states[pk] in ("received", "issued") else 0)
            assert issued == (quantity if states[pk] == "issued" else 0)


def test_parts_stock_is_conserved_under_random_part_operations(world):
    PartsStockMachine.world = world
    OUTCOMES.clear()
    run_state_machine_as_test(PartsStockMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=IN_CI,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    succeeded = {name for (name, outcome) in OUTCOMES if outcome == "ok"}
    # The walk must get through the chains, or it tested little.
    assert {"request_create", "request_decide", "request_receive", "request_issue", "records_add", "teardown_record",
            "refurbish_send", "refurbish_return", "scrap_apply", "scrap_decide", "fail_final"} <= succeeded, \
        sorted(OUTCOMES.items())
    for seen in [("records_add", "ok, parts from the issue"), ("records_add", "ok, parts from stock"),
                 ("records_add", "insufficient_stock"), ("scrap_decide", "insufficient_stock"),
                 ("records_add", "invalid"), ("records_add", "permission_denied")]:
        assert OUTCOMES[seen], (seen, sorted(OUTCOMES.items()))
