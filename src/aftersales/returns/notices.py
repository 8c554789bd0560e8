"""What the customer is told (notification kind `customer_notice`): the notice shown in the portal, and
the notification (e-mail) to the customer's users, written with the event."""

from aftersales.notifications.kinds import NotificationKind, register
from aftersales.notifications.services import notify, recipients

from .models import CustomerNotice


def notify_customer_notice(case, notice) -> int:
    """A customer notice (receipt, charge, consent, shipment, refund, decision) to the customer's users."""
    context = {"notice": notice.kind, "case": case.number, "content": notice.content}
    return notify(recipients(customer_id=case.customer_id), "customer_notice", context,
                  subject_type="return_case", subject_id=case.pk)


def customer_notice_send(case, kind: str, **content) -> CustomerNotice:
    """Tell the customer: the notice in the portal, and a notification (e-mail) to its users. Other apps
    (repairs: the reworked batch's delivery date) tell the customer through this too."""
    notice = CustomerNotice.objects.create(return_case=case, kind=kind, content=content)
    notify_customer_notice(case, notice)
    return notice


def _notice_reads(context: dict) -> dict:
    context["notice_label"] = CustomerNotice.Kind(context["notice"]).label
    return context


register(NotificationKind("customer_notice", _notice_reads))
