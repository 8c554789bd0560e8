"""Repair's part of the demo: cases that go through a quote in the portal, rework orders (one of them a
batch waiting for its first article, with a material request), final inspection, a scrap application,
and one repaired and closed; built through the services with dates relative to today (returns/demo.py
explains the stories). Idempotent like the rest of the demo."""

from django.db import transaction

from aftersales.core.demo import clock_at, days_ago
from aftersales.returns.demo import (FAULT, REFERENCE, Demo, Story, approved, closed, disposed, final_passed,
                                     inspected, line, received, shipped_back, stories_run, submitted, units_line)
from aftersales.returns.models import ReturnCase, UnitState

from . import services
from .models import RepairOrder

PARTS = [{"part": "P-HT-001", "quantity": 1}]


def _record(unit_id: int, **extra) -> dict:
    return {"unit": unit_id, "fault_found": "加热管断路", "cause": "来料加热管绝缘不良", "action": "更换加热管",
            "labour_hours": "1.5", "parts": PARTS, **extra}


def build() -> dict:
    if ReturnCase.objects.filter(customer_reference__startswith=f"{REFERENCE}RW-").exists():
        return {"rework orders": 0}
    with transaction.atomic():
        demo = Demo()
        _stock(demo)
        stories_run(demo, _stories(demo))
    return {"rework orders": RepairOrder.objects.filter(return_case__customer_reference__startswith=REFERENCE).count()}


def _stock(demo: Demo) -> None:
    """Repair material in raw-material stock, bought before the demo's first case."""
    from aftersales.inventory.services import Move, stock_moves_apply, warehouse_of_kind
    from aftersales.masterdata.models import Part, WarehouseKind

    raw = warehouse_of_kind(WarehouseKind.RAW_MATERIAL)
    with clock_at(days_ago(96)):
        stock_moves_apply(actor=demo.users["warehouse"], moves=[
            Move("purchase_receipt", 200, None, raw, part_id=part.pk) for part in Part.objects.all()])


def _order(demo: Demo, *, batch: bool = False, start: bool = True, team: str = "维修一组"):
    def step(s: Story):
        s.order = services.order_open(actor=demo.users["planning"], case_id=s.case.pk,
                                      unit_ids=s.units_in(UnitState.DISPOSED), team=team, is_batch=batch,
                                      method="更换加热管，升级主控固件至最新版本")
        services.order_plan(actor=demo.users["repair"], order_id=s.order.pk, expected_finish=s.order.due_at)
        if start:
            services.order_start(actor=demo.users["repair"], order_id=s.order.pk)
    return step


def _records(demo: Demo):
    def step(s: Story):
        units = s.units_in(UnitState.IN_WORK, UnitState.DISPOSED)
        services.records_add(actor=demo.users["repair"], order_id=s.order.pk, records=[_record(pk) for pk in units])
    return step


def _stories(demo: Demo) -> list[Story]:
    sub, ok, rec, ins = submitted(demo), approved(demo), received(demo), inspected(demo)
    customer_fault = inspected(demo, {"defect_class": "function", "responsibility": "customer", "human_damage": True})
    passed = final_passed(demo)
    return [
        # Repaired under warranty, passed, shipped back and closed.
        Story("RW-0920", "D002", [units_line(demo, "D002", 2, defect="不加热")], 72,
              [(72, sub), (71.9, ok), (68, rec), (67, ins), (66.9, disposed(demo, "repair")),
               (66, _order(demo)), (63, _records(demo)),
               (62.9, lambda s: services.order_close(actor=demo.users["repair"], order_id=s.order.pk)),
               (62, passed), (61, shipped_back(demo)), (60, closed(demo))]),
        # Out of warranty: the quote waits for the customer's answer in the portal.
        Story("RW-1127", "D001", [units_line(demo, "D001", 1, old=True, defect="外壳破裂，不通电")], 6,
              [(6, sub), (5.9, ok), (4, rec), (3, customer_fault), (2.9, disposed(demo, "repair")),
               (1.5, lambda s: services.quote_send(actor=demo.users["service"], case_id=s.case.pk,
                                                  unit_ids=s.unit_ids, parts=PARTS + [{"part": "P-HT-004", "quantity": 1}],
                                                  labour_hours="2", transport="30"))],
              by_customer=True),
        # In repair: the order started yesterday.
        Story("RW-1122", "C001", [units_line(demo, "C001", 2, defect="温控失灵")], 10,
              [(10, sub), (9.9, ok), (6, rec), (5, ins), (4.9, disposed(demo, "repair")), (1, _order(demo))]),
        # A batch (sixty heaters of one model in one day): the VP's approval, a rework order waiting for
        # its first article, and a material request to purchasing.
        Story("RW-1118", "D002", [line(demo, "HT-2000", quantity=60, lot="260815-2", defect="批量不加热")], 14,
              [(14, sub), (13, approved(demo, "vp_heating")), (9, rec), (8, ins), (7.9, disposed(demo, "repair")),
               (5, _order(demo, batch=True, team="维修二组")),
               (4.5, lambda s: services.material_request_create(
                   actor=demo.users["repair"], order_id=s.order.pk, lines=[{"part": "P-HT-001", "quantity": 60}],
                   comment="批量更换加热管"))]),
        # Repaired, waiting for final inspection.
        Story("RW-1123", "E002", [units_line(demo, "E002", 1, defect="漏电保护跳闸")], 9,
              [(9, sub), (8.9, ok), (6, rec), (5, ins), (4.9, disposed(demo, "repair")), (3, _order(demo)),
               (0.5, _records(demo))]),
        # Not worth repairing: disposed for scrap, the application waiting for the manager.
        Story("RW-1121", "D001", [units_line(demo, "D001", 1, old=True, defect="内胆锈穿漏水")], 11,
              [(11, sub), (10.9, ok), (8, rec), (7, inspected(demo, {**FAULT, "repairable": False})),
               (6.9, disposed(demo, "scrap")),
               (6, lambda s: services.scrap_apply(actor=demo.users["quality"], case_id=s.case.pk, unit_ids=s.unit_ids,
                                                  reason="内胆锈穿，无维修价值", weights_kg={"metal": "12.5"}))],
              by_customer=True),
    ]

