"""The data of the field order's printed form: the service report (售后服务报告单) with the customer's signature
as drawn on the phone. The shell prints it (`web/printing.py`); the order page links it (views: print_form)."""

import base64

from django.utils.translation import gettext_lazy

from aftersales.core.registry import PrintForm
from aftersales.web.printing import moment


def service_report_data(order) -> dict:
    report = getattr(order, "report", None)
    signature = bytes(report.signature) if report is not None and report.signature else b""
    return {
        "report": report, "work": order.get_work_display(),
        "parts": list(report.parts.select_related("part")) if report is not None else [],
        "signature_src": f"data:image/png;base64,{base64.b64encode(signature).decode()}" if signature else "",
        "required": moment(order.required_arrival), "checked_in": moment(order.checked_in_at),
        "checked_out": moment(order.checked_out_at), "submitted": moment(report.submitted_at) if report else "",
        "call_confirmed": moment(order.call_confirmed_at),
    }


def has_report(order) -> bool:
    return getattr(order, "report", None) is not None


FORMS = [
    PrintForm("service_report", "field/print/service_report.html", "售后服务报告单", "After-sales Service Report",
              service_report_data, gettext_lazy("Service report"), staff_only=True, order=10, available=has_report),
]
