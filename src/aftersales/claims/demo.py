"""Claims' part of the demo: two suppliers as master data, a supplier claim purchasing has sent and waits on,
one answered and closed, and a compensation waiting for the manager on a case where inspection found the
company responsible. Idempotent: once a demo supplier exists, nothing is added."""

from decimal import Decimal

from django.db import transaction

from aftersales.accounts.models import User
from aftersales.core.demo import clock_at, days_ago
from aftersales.masterdata.models import Part, ProductModel, Supplier
from aftersales.returns.models import Inspection, ReturnCase

from .services import claim_act, claim_create, compensation_propose

SUPPLIERS = [
    ("S-DEMO-01", "宁波温控元件有限公司", "陈经理", "0574-88880001", ["P-HT-002"], [], 12),
    ("S-DEMO-02", "苏州电子科技有限公司", "刘工", "0512-66660002", ["P-HT-005"], [], 18),
]


def build() -> dict:
    if Supplier.objects.filter(code__startswith="S-DEMO-").exists():
        return {"suppliers": 0, "supplier claims": 0, "compensations": 0}
    users = {u.username: u for u in User.objects.filter(username__in=["purchasing", "service"])}
    if set(users) != {"purchasing", "service"}:
        return {"suppliers": 0, "supplier claims": 0, "compensations": 0}
    made = {"suppliers": 0, "supplier claims": 0, "compensations": 0}
    with transaction.atomic():
        for code, name, contact, phone, parts, models, months in SUPPLIERS:
            supplier = Supplier.objects.create(code=code, name=name, contact_name=contact, phone=phone,
                                               warranty_months=months, warranty_terms="自我司收货起保修")
            supplier.parts.set(Part.objects.filter(code__in=parts))
            supplier.product_models.set(ProductModel.objects.filter(code__in=models))
            made["suppliers"] += 1
        if Part.objects.filter(code__in=["P-HT-002", "P-HT-005"]).count() == 2:
            with clock_at(days_ago(12)):
                answered = claim_create(actor=users["purchasing"], supplier="S-DEMO-02",
                                        items=[{"part": "P-HT-005", "quantity": 6, "note": "上电无显示"}],
                                        description="主控板来料不良，售后退回 6 块", amount_claimed="390.00")
                claim_act(actor=users["purchasing"], claim_id=answered.pk, action="send")
            with clock_at(days_ago(6)):
                claim_act(actor=users["purchasing"], claim_id=answered.pk, action="answer",
                          params={"answer": "partly", "answer_text": "确认 4 块为来料不良",
                                  "amount_recovered": "260.00"})
                claim_act(actor=users["purchasing"], claim_id=answered.pk, action="close")
            with clock_at(days_ago(3)):
                waiting = claim_create(actor=users["purchasing"], supplier="S-DEMO-01",
                                       items=[{"part": "P-HT-002", "quantity": 10, "note": "温控失灵"}],
                                       description="温控器批次 2610 失灵，售后更换 10 只", amount_claimed="125.00")
                claim_act(actor=users["purchasing"], claim_id=waiting.pk, action="send")
            made["supplier claims"] += 2
        responsible = (ReturnCase.objects.filter(
            units__inspections__stage=Inspection.Stage.INTAKE, units__inspections__responsibility="company")
            .order_by("id").first())
        if responsible is not None:
            with clock_at(days_ago(1)):
                compensation_propose(actor=users["service"], case_id=responsible.pk, amount=Decimal("200.00"),
                                     form="credit", reason="我司责任，补偿客户运费及误工")
            made["compensations"] += 1
    return made
