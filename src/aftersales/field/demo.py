"""Field service's part of the demo, through the services with dates relative to today: the technician's van
stock, an order done last week with its signed report, one on site today, one waiting for acceptance, one waiting
for dispatch, and a late arrival proposed to the penalty ledger. Idempotent: once a demo order exists (its
description starts with the MARK), nothing is added."""

import base64
import datetime as dt
import io

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.demo import clock_at, days_ago
from aftersales.masterdata.models import Customer, Part, ShippedUnit

from .models import FieldOrder
from .services import (claim_create, claim_step, field_order_create, order_accept, order_call_confirm,
                       order_check_in, order_check_out, order_report_submit, report_save, van_issue)

MARK = "DEMO·派工"  # distinct from the desk's DEMO requests, whose technician decision opens an order too
THERMOSTAT = "P-HT-002"  # the demo's part (masterdata/demo.py)


def _signature() -> str:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(picture).line([(20, 70), (80, 30), (140, 75), (200, 25), (270, 60)], fill="black", width=4)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def build() -> dict:
    if FieldOrder.objects.filter(description__startswith=MARK).exists():
        return {"field orders": 0}
    users = {u.username: u for u in User.objects.filter(username__in=["service", "technician", "warehouse", "manager",
                                                                       "finance"])}
    customer = Customer.objects.filter(users__username="customer").first() or Customer.objects.order_by("id").first()
    part = Part.objects.filter(code=THERMOSTAT).first() or Part.objects.order_by("id").first()
    if len(users) < 5 or customer is None or part is None:
        return {"field orders": 0}
    unit = ShippedUnit.objects.filter(customer=customer).select_related("product_model").order_by("id").first()
    desk, tech = users["service"], users["technician"]
    site = "上海市浦东新区张江路 100 号"
    made = 0

    def order(ago, **fields):
        nonlocal made
        made += 1
        with clock_at(days_ago(ago)):
            return field_order_create(actor=desk, customer=customer, site_address=site, contact_name="王先生",
                                      contact_phone="13800000001",
                                      product_model=unit.product_model if unit else None,
                                      serial=unit.serial if unit else "", **fields)

    with transaction.atomic():
        with clock_at(days_ago(8)):
            van_issue(actor=users["warehouse"], technician=tech.username, parts=[{"part": part.code, "quantity": 5}])
        done = order(7, description=f"{MARK} 不加热，上门检修", technician=tech,
                     required_arrival=days_ago(6.8))
        for ago, step in ((6.95, lambda: order_accept(actor=tech, order_id=done.pk)),
                          (6.85, lambda: order_check_in(actor=tech, order_id=done.pk)),
                          (6.8, lambda: report_save(actor=tech, order_id=done.pk, body={
                              "fault_cause": "温控器触点烧蚀", "solution": "更换温控器，试机正常", "hours": "1.5",
                              "customer_opinion": "响应及时，满意", "signed_by": "王先生", "signature": _signature(),
                              "parts": [{"part": part.code, "quantity": 1}]})),
                          (6.79, lambda: order_report_submit(actor=tech, order_id=done.pk)),
                          (6.78, lambda: order_call_confirm(actor=desk, order_id=done.pk)),
                          (6.77, lambda: order_check_out(actor=tech, order_id=done.pk))):
            with clock_at(days_ago(ago)):
                step()
        today = order(0.3, work="installation", description=f"{MARK} 新机安装调试并培训操作",
                      technician=tech, required_arrival=timezone.now() - dt.timedelta(hours=2))
        with clock_at(days_ago(0.25)):
            order_accept(actor=tech, order_id=today.pk)
        with clock_at(days_ago(0.05)):
            order_check_in(actor=tech, order_id=today.pk)  # two hours after the customer's time: proposed penalty
        order(0.1, description=f"{MARK} 漏水，需上门", technician=tech,
              required_arrival=timezone.now() + dt.timedelta(days=1))
        order(0.02, work="visit", description=f"{MARK} 重点客户季度走访",
              required_arrival=timezone.now() + dt.timedelta(days=3))
        # The trip of the order done last week: an advance paid before it, the claim with a receipt from elsewhere.
        trip = {"trip_from": (timezone.localdate() - dt.timedelta(days=8)).isoformat(),
                "trip_to": (timezone.localdate() - dt.timedelta(days=6)).isoformat(), "orders": [done.number]}
        with clock_at(days_ago(8)):
            advance = claim_create(actor=tech, body={"kind": "advance", "amount": "600", **trip})
            claim_step(actor=tech, claim_id=advance.pk, action="submit")
            claim_step(actor=users["manager"], claim_id=advance.pk, action="approve")
            claim_step(actor=users["finance"], claim_id=advance.pk, action="pay")
        with clock_at(days_ago(5)):
            claim = claim_create(actor=tech, body={"kind": "claim", "advance": advance.number, **trip, "lines": [
                {"category": "transport", "amount": "236", "place": "上海", "receipt_on": trip["trip_from"]},
                {"category": "lodging", "amount": "380", "place": "上海", "receipt_on": trip["trip_from"]},
                {"category": "meals", "amount": "95", "place": "杭州", "receipt_on": trip["trip_to"]},
                {"category": "phone_allowance", "amount": "30"}]})
            claim_step(actor=tech, claim_id=claim.pk, action="submit")
    return {"field orders": made}
