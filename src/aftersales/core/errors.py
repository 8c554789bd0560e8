"""Application errors: a stable code machines read, a message people read, details, a status.

Services raise these; one handler (api_errors.py) renders them as
`{"code": ..., "message": ..., "details": ...}` in the request's language.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorCode:
    status: int
    message: object  # the default message; a raise may say more precisely what went wrong


def _codes(status: int, **messages) -> dict[str, ErrorCode]:
    return {code: ErrorCode(status, message) for code, message in messages.items()}


# Every code the application answers, with its status and message: the one list (docs/api.md lists it
# too; a test keeps the three in step: this table, the codes raised in the source, the documentation).
CODES: dict[str, ErrorCode] = {
    # What was sent cannot be used (400).
    **_codes(
        400,
        invalid=_("The data sent is not valid."),
        parse_error=_("The body is not valid JSON."),
        invalid_credentials=_("Wrong username or password."),
        import_rejected=_("The file was not imported: fix the rows listed and upload it again."),
        file_too_large=_("The file is too large."),
        too_many_rows=_("The spreadsheet has more rows than are read."),
        too_many_columns=_("The spreadsheet has more columns than are read."),
        too_many_cells=_("The spreadsheet has more cells than are read."),
        workbook_too_large=_("The workbook unpacks to more than is read."),
        line_too_long=_("A line of the file is longer than is read."),
        file_not_allowed=_("This kind of file is not accepted."),
        image_too_large=_("The photo has more pixels than are accepted."),
        null_character=_("Null characters are not allowed in what is sent."),
        value_out_of_range=_("A value sent is out of range (too large or too long)."),
        calendar_horizon=_("No working time within ten years of this moment: check the calendar's overrides."),
        whole_working_days=_("Working days from a date are whole days."),
        moment_required=_("Hours are counted from a moment, not a date."),
        channel_config_invalid=_("The notification channel's configuration is not valid."),
    ),
    # Who is asking (401, 403).
    **_codes(401, not_authenticated=_("Sign in first."), authentication_failed=_("The credentials are not valid.")),
    **_codes(
        403,
        permission_denied=_("You do not have permission to do this."),
        no_approval_for_you=_("No approval of this case is waiting for you."),
        quality_sorting_required=_("This case is above the sorting threshold: quality inspects its units."),
        survey_link_expired=_("This survey link has expired."),
        not_your_order=_("This field service order is another technician's."),
        not_your_penalty=_("This penalty is another technician's."),
        not_your_claim=_("This expense claim is another technician's."),
        desk_refund_not_allowed=_("The e-commerce desk records the refund of an e-commerce no-reason line within its "
                                  "window only; finance records the others."),
    ),
    # What does not exist for this user (404; another customer's record is not found either).
    **_codes(404, not_found=_("Not found."), unknown_action=_("No such action."),
             not_your_case=_("This is not your customer's case."),
             not_your_request=_("This is not your customer's service request."),
             survey_link_invalid=_("This survey link is not valid.")),
    **_codes(405, method_not_allowed=_("This method is not allowed here.")),
    # The record's state (or someone else's change) does not allow it now (409).
    **_codes(
        409,
        conflict=_("Someone else changed this at the same time; reload and try again."),
        stale_version=_("The record was changed by someone else; reload it."),
        invalid_state=_("This cannot be done in the record's present state."),
        insufficient_stock=_("Not enough stock for this move."),
        serial_not_in_stock=_("A serial this move takes out of a warehouse is not in it."),
        replacement_not_in_stock=_("The replacement unit's serial is not in finished-goods stock."),
        not_company_responsible=_("Compensation is agreed only where inspection found the company responsible."),
        claim_amount_missing=_("Set the amount claimed before the claim is sent."),
        no_warehouse=_("No active warehouse of this kind."),
        serial_on_open_case=_("Some serials are already on another open return case."),
        refund_units_undecided=_("Decide every unit of the line (extra units too) before the refund."),
        first_article_pending=_("The first article of this batch's rework order is checked before the rest is worked."),
        batch_work_needs_order=_("A batch's units are worked through a rework order (first article first)."),
        first_article_not_ready=_("The first article is not reworked yet."),
        unit_on_order=_("Some units are already on an open order."),
        redisposal_only=_("Units leave an order only when quality changes their disposition on the case."),
        unit_not_on_order=_("Not a unit of this order."),
        order_not_finished=_("Some units have no repair record or are still in work."),
        quote_pending=_("These units already have a quote waiting for the customer: revise it instead."),
        delay_beyond_limit=_("A delay beyond the longest allowed needs a manager's approval."),
        no_lines=_("The case has no lines."),
        return_note_incomplete=_("The return note is incomplete: goods without a complete note are not received."),
        no_consent_pending=_("No consent is waiting for these units."),
        not_chargeable=_("These units are not chargeable, or the customer has already answered."),
        no_charge_quoted=_("No charge has been quoted for these units yet, or it was already answered."),
        not_a_batch_case=_("Only batch cases ship exchanges before the returns arrive."),
        no_charge_accepted=_("Only a charge the customer has accepted is revised."),
        no_exchange_to_ship=_("No exchange line of this case is waiting for new units."),
        no_refund_pending=_("No line of this case is waiting for its refund."),
        return_window_passed=_("A line is outside its return window: a manager may allow it, with a comment."),
        work_finished=_("The work on these units is finished: their disposition no longer changes."),
        one_approval_per_person=_("You gave another approval of this case already: one person gives one kind."),
        no_window_to_override=_("No line of this case is outside its return window."),
        no_in_warranty_repair=_("No in-warranty repair of this case is waiting to go back."),
        unit_awaits_refund=_("These units wait for their refund (recorded by finance), not for an exchange."),
        final_test_incomplete=_("The final test is not complete: every test item and complaint point needs a result."),
        final_test_failed=_("A test item failed: the unit fails its final inspection, it cannot pass."),
        # The service desk.
        return_case_open=_("The request's return case is not settled yet."),
        survey_answered=_("This survey has already been answered."),
        not_staff_complaint=_("Only a complaint about service staff is verified or rejected."),
        complaint_judged=_("This complaint about staff has already been verified or rejected."),
        quote_not_accepted=_("The customer has not accepted a quote for these parts yet."),
        quote_not_paid=_("The accepted quote for these parts is not paid in full yet."),
        parts_not_shipped=_("A parts shipment of this request is waiting for its quote: ship or cancel it first."),
        # Field service.
        call_confirmed=_("The call to headquarters is already confirmed."),
        technician_on_leave=_("The technician is on leave that day."),
        claim_empty=_("The claim has no receipt (an advance: no amount) yet."),
        advance_settled=_("This advance is settled by another claim already, or is not paid."),
    ),
    **_codes(422, idempotency_key_reused=_("This Idempotency-Key was used for a different request.")),
    **_codes(429, too_many_login_attempts=_("Too many failed login attempts. Try again later."),
             throttled=_("Too many requests. Try again later.")),
    **_codes(500, server_error=_("An unexpected error occurred; it has been logged.")),
}


def status_of(code: str, default: int = 400) -> int:
    entry = CODES.get(code)
    return entry.status if entry else default


def message_of(code: str):
    entry = CODES.get(code)
    return entry.message if entry else code


class AppError(Exception):
    code = "error"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message: Any = None, *, details: Any = None, code: str | None = None):
        if code is not None:
            self.code = code
        entry = CODES.get(self.code)
        if entry is not None:  # the code decides the status, whatever the class raised it
            self.status = entry.status
        if message is None:
            message = entry.message if entry is not None else self.default_message
        self.message = message
        self.details = details if details is not None else {}
        super().__init__(str(self.message))


class InvalidInput(AppError):
    code = "invalid"
    default_message = _("The data sent is not valid.")


class NotFound(AppError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(AppError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(AppError):
    code = "conflict"
    status = 409
    default_message = _("Someone else changed this at the same time; reload and try again.")


class TooManyLoginAttempts(AppError):
    code = "too_many_login_attempts"
    status = 429
    default_message = _("Too many failed login attempts. Try again later.")


class ImportRejected(AppError):
    """A file with any bad row imports nothing; `details.errors` lists every bad row."""

    code = "import_rejected"
    default_message = _("The file was not imported: fix the rows listed and upload it again.")


class TooLarge(AppError):
    """An upload past what the server reads: its size, or a spreadsheet's rows, columns or cells.
    The code names the limit (file_too_large, too_many_rows, ...); details give it and what the file has."""

    code = "file_too_large"
    default_message = _("The file is too large.")


class FileNotAllowed(AppError):
    """A file whose content is not one of the kinds accepted (or not what its name says)."""

    code = "file_not_allowed"
    default_message = _("This kind of file is not accepted.")
