"""The service desk's writers: one module per area (requests and their steps, decisions, surveys). Every
change of a request's state goes through its machine (workflow.py) in one transaction with its timeline
row and its clocks."""

from .complaints import cause_improvement_set, request_classify
from .decisions import request_decide
from .requests import (contact_add, request_close, request_register, request_reopen, request_reply,
                       request_resolve)
from .surveys import survey_answer, survey_from_token, survey_token

__all__ = ["cause_improvement_set", "request_classify", "contact_add", "request_close", "request_decide", "request_register", "request_reopen", "request_reply",
           "request_resolve", "survey_answer", "survey_from_token", "survey_token"]
