"""The service desk's part of the demo: a few weeks of calls through the services, with dates relative to
today, so that the desk's inbox shows requests new, unanswered, overdue, decided and reopened, and closed ones
with their surveys. Idempotent: once a demo request exists (its description starts with DEMO), nothing is added."""

from django.db import transaction

from aftersales.accounts.models import User
from aftersales.core.demo import clock_at, days_ago
from aftersales.masterdata.models import Customer, ShippedUnit

from .models import ServiceRequest
from .services import (request_close, request_decide, request_register, request_reopen, request_reply,
                       request_resolve, survey_answer)

MARK = "DEMO"


def build() -> dict:
    if ServiceRequest.objects.filter(description__startswith=MARK).exists():
        return {"service requests": 0}
    users = {u.username: u for u in User.objects.filter(username__in=["service", "customer", "technician"])}
    customer = Customer.objects.filter(users__username="customer").first() or Customer.objects.order_by("id").first()
    if "service" not in users or customer is None:
        return {"service requests": 0}
    serials = list(ShippedUnit.objects.filter(customer=customer).order_by("-shipped_date")
                   .values_list("serial", flat=True)[:4])
    serial = iter(serials + [""] * 4)
    desk = users["service"]
    made = 0
    with transaction.atomic():
        def register(ago, **fields):
            nonlocal made
            with clock_at(days_ago(ago)):
                made += 1
                return request_register(actor=desk, customer=customer.code, channel="phone", **fields)

        done = register(20, serial=next(serial), category="repair", description=f"{MARK} 不加热，指示灯不亮")
        for ago, step in ((19.9, lambda r: request_reply(actor=desk, request_id=r.pk, content="已收到，请复位温控器")),
                          (19.8, lambda r: request_decide(actor=desk, request_id=r.pk, kind="remote",
                                                          solution="复位温控器后恢复正常")),
                          (19, lambda r: request_resolve(actor=desk, request_id=r.pk, result="客户确认已恢复")),
                          (18, lambda r: request_close(actor=desk, request_id=r.pk))):
            with clock_at(days_ago(ago)):
                step(done)
        with clock_at(days_ago(17)):
            survey_answer(actor=None, survey_id=done.surveys.get().pk, response=5, attitude=5, fix_quality=4,
                          overall=5, comment="响应很快")
        visit = register(6, serial=next(serial), category="installation", description=f"{MARK} 新机需要上门安装调试")
        with clock_at(days_ago(5.9)):
            request_reply(actor=desk, request_id=visit.pk, content="已安排技术员")
            request_decide(actor=desk, request_id=visit.pk, kind="technician",
                           technician=users["technician"].username if "technician" in users else None)
        again = register(10, serial=next(serial), category="product_complaint", description=f"{MARK} 漏水")
        with clock_at(days_ago(9.9)):
            request_reply(actor=desk, request_id=again.pk, content="请拍照发来")
            request_decide(actor=desk, request_id=again.pk, kind="remote", solution="更换密封圈")
            request_resolve(actor=desk, request_id=again.pk, result="已寄密封圈")
        with clock_at(days_ago(3)):
            request_reopen(actor=desk, request_id=again.pk, reason="更换后仍漏水")
        register(4, serial=next(serial), category="repair", priority="high", description=f"{MARK} 开机跳闸")
        register(0.1, category="consultation", description=f"{MARK} 咨询保修期")
    return {"service requests": made}
