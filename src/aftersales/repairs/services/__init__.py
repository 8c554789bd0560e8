"""Repair and rework: one module per document (orders and their records, material requests, quotes,
scrap applications, teardown and outsourced refurbishment).

Units move through the return case's workflow (`apply_action`: start_work, finish_work, fail_final,
quote_charge, revise_charge, approve_scrap); the documents through their own tables (repairs/workflow.py);
parts through the stock ledger (`stock_moves_apply`, never negative). Each function is one transaction.
"""

from .common import next_number
from .material_requests import (material_request_create, material_request_decide, material_request_issue,
                                material_request_receive)
from .orders import (delay_add, first_article_check, order_cancel, order_clock, order_close, order_findings,
                     order_open, order_plan, order_start)
from .parts_quotes import parts_charge_refusal, parts_quote_answer, parts_quote_send
from .quotes import quote_compute, quote_payment, quote_revise, quote_send, quotes_follow_answers
from .records import MAJOR_ANOMALIES, records_add
from .scrap import scrap_apply, scrap_decide
from .teardown import refurbish_order_create, refurbish_order_return, teardown_parts_check, teardown_record

__all__ = [
    "MAJOR_ANOMALIES", "delay_add", "first_article_check", "material_request_create", "material_request_decide",
    "material_request_issue", "material_request_receive", "next_number", "order_cancel", "order_clock",
    "order_close", "order_findings", "order_open", "order_plan", "order_start", "parts_charge_refusal",
    "parts_quote_answer", "parts_quote_send", "quote_compute", "quote_payment",
    "quote_revise", "quote_send", "quotes_follow_answers", "records_add", "refurbish_order_create",
    "refurbish_order_return", "scrap_apply", "scrap_decide", "teardown_parts_check", "teardown_record",
]
