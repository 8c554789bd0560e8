"""The return cases of the demo: three months of a small factory, built through the services (never raw
rows) with dates relative to today, so that a newcomer's inbox, lists and charts show the product at
work: cases closed and cancelled in the past weeks, and open ones at every step, some overdue, some
due today. Idempotent: once the demo's cases exist (their reference starts with DEMO-), nothing is added.

`Story` and `stories_run` are shared with the repairs demo (repairs/demo.py), which adds the cases that
go through rework orders, quotes and scrap applications.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from aftersales.accounts.models import User
from aftersales.core.demo import clock_at, days_ago
from aftersales.inventory.services import stock_receive_from_production
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit

from .models import ReturnCase, ReturnUnit, UnitState
from .services.actions import apply_action
from .services.cases import case_create

REFERENCE = "DEMO-"
APPROVERS = ("vp_heating", "vp_motors", "gm", "rsm_east", "rsm_south")  # masterdata/demo.py: the approval matrix
ROLES = ("service", "warehouse", "quality", "planning", "repair", "purchasing", "finance", "manager", "customer")
FAULT = {"defect_class": "function", "responsibility": "company", "repairable": True}
SHIP = {"carrier": "顺丰速运", "tracking_number": "SF1402"}


@dataclass
class Story:
    """One demo case: who applies for what, when, and the steps after it (days ago, function of the
    story). Steps run with the clock at their moment; `case` and `units` are filled as they go."""

    name: str
    customer: str
    lines: list[dict]
    applied: float  # days ago
    steps: list[tuple[float, Callable]] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    by_customer: bool = False
    case: ReturnCase | None = None

    @property
    def unit_ids(self) -> list[int]:
        return list(ReturnUnit.objects.filter(return_case=self.case).order_by("id").values_list("id", flat=True))

    def units_in(self, *states: str) -> list[int]:
        return list(ReturnUnit.objects.filter(return_case=self.case, state__in=states).order_by("id")
                    .values_list("id", flat=True))


class Demo:
    """What the stories need: the demo's users by role and serials of each customer not yet returned."""

    def __init__(self):
        self.users = {role: User.objects.get(username=role) for role in ROLES}
        self.users.update({user.username: user for user in User.objects.filter(username__in=APPROVERS)})
        self.customers = {c.code: c for c in Customer.objects.all()}
        self.models = {m.code: m for m in ProductModel.objects.all()}
        self._used: set[str] = set(ReturnUnit.objects.exclude(serial="").values_list("serial", flat=True))

    def pick(self, customer: str, count: int, *, old: bool = False) -> tuple[str, list[str]]:
        """(model code, serials) of units shipped to the customer and not returned yet, of the model it has
        most of: the newest shipped (in warranty), or with `old` the longest shipped (out of warranty)."""
        free: dict[str, list[str]] = {}
        for model, serial in (ShippedUnit.objects.filter(customer__code=customer)
                              .order_by("shipped_date" if old else "-shipped_date")
                              .values_list("product_model__code", "serial")):
            if serial not in self._used:
                free.setdefault(model, []).append(serial)
        model = max(free, key=lambda code: len(free[code]))
        if len(free[model]) < count:
            raise RuntimeError(f"the demo registry has too few units of {customer}")
        self._used.update(free[model][:count])
        return model, free[model][:count]

    def act(self, role: str, story: Story, action: str, *, unit_ids=None, comment: str = "", **params):
        actor = self.users[role]
        return apply_action(actor=actor, case_id=story.case.pk, action=action, unit_ids=unit_ids, params=params,
                            comment=comment)


def line(demo: Demo, model: str, *, serials=None, quantity=None, outcome: str = "repair", defect: str = "不加热",
         lot: str = "260910-1", **extra) -> dict:
    body = {"product_model": demo.models[model], "item_name": demo.models[model].name, "production_lot": lot,
            "defect_description": defect, "requested_outcome": outcome, **extra}
    if serials is not None:
        body["serials"] = serials
    if quantity is not None:
        body["quantity"] = quantity
    return body


def units_line(demo: Demo, customer: str, count: int, *, old: bool = False, **fields) -> dict:
    """A note line for `count` registered units of the customer (see Demo.pick)."""
    model, serials = demo.pick(customer, count, old=old)
    return line(demo, model, serials=serials, **fields)


def stories_run(demo: Demo, stories: list[Story]) -> int:
    """Create the cases in the order they were applied for (so their numbers follow the calendar), then
    every step at its moment."""
    for story in sorted(stories, key=lambda s: -s.applied):
        applicant = demo.users["customer" if story.by_customer else "service"]
        with clock_at(days_ago(story.applied)):
            story.case = case_create(actor=applicant, customer=demo.customers[story.customer], lines=story.lines,
                                     customer_reference=f"{REFERENCE}{story.name}", **story.fields)
    for story in stories:
        for when, step in story.steps:
            with clock_at(days_ago(when)):
                step(story)
    return len(stories)


# --- the steps every story is made of ---

def submitted(demo: Demo, *, by: str = "service"):
    return lambda s: demo.act(by, s, "submit")


def approved(demo: Demo, by: str = "service"):
    return lambda s: demo.act(by, s, "approve")


def received(demo: Demo, scanned: int | None = None):
    """Receiving started and the note's serials scanned (all, or the first `scanned`), quantity lines counted."""
    def step(s: Story):
        demo.act("warehouse", s, "start_receiving")
        items = []
        for number, note_line in enumerate(s.case.lines.order_by("line_no"), start=1):
            if note_line.serials:
                items += [{"serial": serial} for serial in note_line.serials]
            else:
                items.append({"line": number, "quantity": note_line.quantity})
        demo.act("warehouse", s, "receive", items=items[:scanned] if scanned is not None else items)
        if scanned is None:
            demo.act("warehouse", s, "close_receipt")
    return step


def inspected(demo: Demo, result: dict | None = None):
    return lambda s: demo.act("quality", s, "inspect", unit_ids=s.units_in(UnitState.RECEIVED), result=result or FAULT)


def disposed(demo: Demo, disposition: str):
    return lambda s: demo.act("quality", s, "dispose", unit_ids=s.units_in(UnitState.INSPECTED),
                              disposition=disposition)


def shipped_back(demo: Demo):
    return lambda s: demo.act("warehouse", s, "ship_back", unit_ids=s.units_in(UnitState.READY_TO_SHIP), **SHIP)


def final_passed(demo: Demo, notes: str = "通电测试 2 小时合格"):
    """Quality passes the units waiting for final inspection, every checklist item passed."""
    from .selectors import final_checklist_entries

    def step(s: Story):
        entries = final_checklist_entries(ReturnUnit.objects.filter(
            return_case=s.case, state=UnitState.FINAL_INSPECTION).select_related("line", "product_model"))
        results = {item["code"]: {"passed": True} for entry in entries for item in entry["items"]}
        demo.act("quality", s, "pass_final", unit_ids=[entry["unit"] for entry in entries], results=results,
                 notes=notes)
    return step


def closed(demo: Demo):
    return lambda s: demo.act("service", s, "close")


def build() -> dict:
    if ReturnCase.objects.filter(customer_reference__startswith=REFERENCE).exists():
        return {"return cases": 0}
    with transaction.atomic():
        demo = Demo()
        with clock_at(days_ago(95)):  # finished goods that exchanges are shipped from
            for model in demo.models.values():
                # By serial: an exchange ships a serial that is in stock.
                stock_receive_from_production(actor=demo.users["warehouse"], product_model=model,
                                              serials=[f"{model.code}-EX{n:04d}" for n in range(1, 21)])
        made = stories_run(demo, _stories(demo))
    return {"return cases": made}


def _stories(demo: Demo) -> list[Story]:
    sub, ok, rec, ins, disp, ship, close = (submitted(demo), approved(demo), received(demo), inspected(demo),
                                            disposed, shipped_back(demo), closed(demo))
    no_fault = inspected(demo, {"defect_class": "none", "no_fault_found": True, "responsibility": "customer"})
    return [
        # Closed in the past weeks: no fault found, returned as is.
        Story("NFF-0901", "D001", [units_line(demo, "D001", 2)], 84,
              [(84, sub), (83.9, ok), (80, rec), (79, no_fault), (78.9, disp(demo, "return_as_is")), (78, ship),
               (77, close)], by_customer=True),
        # An e-commerce no-reason refund within its window: the e-commerce desk's own (approved at submit), the
        # unit resold.
        Story("TM-0915", "E001", [units_line(demo, "E001", 1, outcome="refund",
                                       reason="no_reason", defect="七天无理由退货", unit_price="899.00")], 70,
              [(70, sub), (67, rec), (66, inspected(demo, {"defect_class": "none"})),
               (65.9, disp(demo, "resale")), (65.5, final_passed(demo, "外观、功能检验合格")),
               (65, lambda s: demo.act("finance", s, "settle_refund", line=1)), (64, close)],
              fields={"channel": "ecommerce", "delivered_date": days_ago(73).date()}),
        # An exchange: the regional sales manager's approval, a new unit out, the old one to defective stock.
        Story("EX-0926", "D002", [units_line(demo, "D002", 1,
                                       outcome="exchange", defect="漏水")], 58,
              [(58, sub), (57.9, ok), (57.8, approved(demo, "rsm_south")), (54, rec), (53, ins),
               (52.9, disp(demo, "replace")),
               (52, lambda s: demo.act("warehouse", s, "settle_exchange", unit_ids=s.unit_ids,
                                       new_serial=f"{s.case.lines.get().product_model.code}-EX0001",
                                       **SHIP)), (51, close)]),
        # Cancelled by the customer before the goods left.
        Story("CX-1010", "C001", [units_line(demo, "C001", 1)], 45,
              [(45, sub), (44, lambda s: demo.act("service", s, "cancel", comment="客户来电：问题已自行解决"))]),
        # Open: applied this morning in the portal, the first reply due today.
        Story("NEW-1201", "D001", [units_line(demo, "D001", 1)], 0.05,
              [(0.04, submitted(demo, by="customer"))], by_customer=True),
        # Open: waiting for approval for a week, overdue.
        Story("OLD-1124", "D002", [units_line(demo, "D002", 2)], 7,
              [(7, sub)]),
        # Open: approved, the goods on their way (the warehouse sees it in its inbox).
        Story("WAY-1128", "C001", [units_line(demo, "C001", 2)], 4,
              [(4, sub), (3, ok)]),
        # Open: receiving, two of three units scanned.
        Story("RCV-1130", "D001", [units_line(demo, "D001", 3)], 3,
              [(3, sub), (2.9, ok), (0.1, received(demo, scanned=2))], by_customer=True),
        # Open: received and inspected, the disposition due.
        Story("INS-1125", "D002", [units_line(demo, "D002", 2)], 8,
              [(8, sub), (7.9, ok), (4, rec), (1, ins)]),
        # Open: no fault found, ready to ship back.
        Story("SHP-1126", "C001", [units_line(demo, "C001", 1)], 6,
              [(6, sub), (5.9, ok), (3, rec), (2, no_fault), (1.9, disp(demo, "return_as_is"))]),
    ]
