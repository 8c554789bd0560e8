"""Field service's writers (one module per area)."""

from .orders import (  # noqa: F401
    ORDER_STEPS,
    field_order_create,
    field_order_open,
    leave_record,
    order_accept,
    order_assign,
    order_call_confirm,
    order_cancel,
    order_check_in,
    order_check_out,
    order_refuse,
    order_report_return,
    order_report_submit,
    order_step,
    report_save,
)
from .penalties import penalty_confirm, penalty_contest, penalty_record, penalty_withdraw  # noqa: F401
from .van import van_issue, van_return  # noqa: F401
from .expenses import claim_create, claim_step  # noqa: F401
from .visits import feedback_add, feedback_answer, visit_plan_create, visits_schedule  # noqa: F401
from .photos import claim_receipts_add, order_photos_add  # noqa: F401
