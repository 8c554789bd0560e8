"""What field service's API takes and answers (the OpenAPI schema is built from these)."""

from rest_framework import serializers as s

from .models import (ClaimKind, ClaimState, ExpenseCategory, FeedbackTopic, OrderState, PenaltyRule, PenaltyState,
                     PhotoKind, Sanction, WorkKind)


class VanPartLineInput(s.Serializer):
    part = s.CharField()
    quantity = s.IntegerField(min_value=1)


class VanLineOutput(s.Serializer):
    part = s.CharField()
    name = s.CharField()
    quantity = s.IntegerField()


class FieldOrderOpenInput(s.Serializer):
    work = s.ChoiceField(WorkKind.choices)
    customer = s.CharField(help_text="The customer's code.")
    site_address = s.CharField()
    contact_name = s.CharField(required=False, allow_blank=True)
    contact_phone = s.CharField(required=False, allow_blank=True)
    product_model = s.CharField(required=False, allow_blank=True, help_text="The product model's code.")
    serial = s.CharField(required=False, allow_blank=True)
    description = s.CharField(required=False, allow_blank=True)
    contract_covered = s.BooleanField(required=False, help_text="Installation guidance the contract includes.")
    required_arrival = s.DateTimeField(required=False, help_text="The time the customer set for the technician.")
    technician = s.CharField(required=False, help_text="A technician's username: dispatched at once.")
    parts = VanPartLineInput(many=True, required=False, help_text="Parts to take on the trip (the spare-parts plan).")


class FieldOrderRowOutput(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    state = s.ChoiceField(OrderState.choices)
    state_label = s.CharField()
    work = s.ChoiceField(WorkKind.choices)
    work_label = s.CharField()
    customer = s.CharField(allow_null=True)
    site_address = s.CharField(allow_blank=True)
    product_model = s.CharField(allow_null=True)
    serial = s.CharField(allow_blank=True)
    technician = s.CharField(allow_null=True)
    technician_name = s.CharField(allow_null=True)
    required_arrival = s.DateTimeField(allow_null=True)
    planned_date = s.DateField(allow_null=True)
    late = s.BooleanField(required=False, help_text="Past the customer's time and not checked in, or checked in "
                          "late (staff).")
    repeat = s.BooleanField(required=False, help_text="A repeat repair of the same unit for the same kind of fault "
                            "(staff).")


class FieldReportPartOutput(s.Serializer):
    part = s.CharField()
    name = s.CharField()
    quantity = s.IntegerField()
    serial = s.CharField(allow_blank=True)


class FieldServiceReportOutput(s.Serializer):
    fault_cause = s.CharField(allow_blank=True)
    solution = s.CharField(allow_blank=True)
    hours = s.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    customer_opinion = s.CharField(allow_blank=True)
    signed_by = s.CharField(allow_blank=True)
    signed = s.BooleanField()
    people = s.IntegerField()
    days_on_site = s.CharField(allow_null=True)
    trained_people = s.ListField(child=s.CharField())
    training_topics = s.CharField(allow_blank=True)
    submitted_at = s.DateTimeField(allow_null=True)
    times_returned = s.IntegerField()
    parts = FieldReportPartOutput(many=True)


class FieldActionOutput(s.Serializer):
    action = s.CharField()
    label = s.CharField()


class FieldTimelineOutput(s.Serializer):
    action = s.CharField()
    label = s.CharField()
    by = s.CharField(allow_null=True)
    at = s.DateTimeField()
    from_state = s.CharField()
    to_state = s.CharField()
    changes = s.DictField()


class FieldRepeatOfOutput(s.Serializer):
    number = s.CharField()
    technician = s.CharField(allow_null=True)


class FieldPositionOutput(s.Serializer):
    latitude = s.FloatField()
    longitude = s.FloatField()


class PenaltyOutput(s.Serializer):
    id = s.IntegerField()
    technician = s.CharField()
    technician_name = s.CharField()
    rule = s.ChoiceField(PenaltyRule.choices)
    rule_label = s.CharField()
    amount = s.DecimalField(max_digits=9, decimal_places=2)
    sanction = s.ChoiceField(Sanction.choices, allow_blank=True)
    sanction_label = s.CharField(allow_blank=True)
    clause = s.CharField()
    order = s.CharField(allow_null=True)
    occurred_on = s.DateField()
    description = s.CharField()
    evidence = s.CharField(allow_blank=True)
    state = s.ChoiceField(PenaltyState.choices)
    state_label = s.CharField()
    proposed = s.BooleanField(help_text="Proposed by the system from what it saw on an order.")
    contest_note = s.CharField(allow_blank=True)
    decision_note = s.CharField(allow_blank=True)


class FieldPhotoOutput(s.Serializer):
    id = s.IntegerField()
    kind = s.ChoiceField(PhotoKind.choices)
    kind_label = s.CharField()
    name = s.CharField(allow_blank=True)
    url = s.CharField(help_text="Where the photo is fetched (its record's readers only).")
    uploaded_at = s.DateTimeField()


class FieldPhotosInput(s.Serializer):
    kind = s.ChoiceField([(PhotoKind.BEFORE, "before"), (PhotoKind.AFTER, "after")], required=False,
                         help_text="An order's photos: before or after the work.")
    photos = s.ListField(child=s.FileField(), help_text="JPG, PNG, WebP or GIF, at most 10 MB each.")


class FeedbackOutput(s.Serializer):
    id = s.IntegerField()
    order = s.CharField()
    topic = s.ChoiceField(FeedbackTopic.choices)
    topic_label = s.CharField()
    text = s.CharField()
    recorded_by = s.CharField()
    recorded_at = s.DateTimeField()
    answer = s.CharField(allow_blank=True)
    answered_by = s.CharField(allow_null=True)
    answered_at = s.DateTimeField(allow_null=True)


class FeedbackInput(s.Serializer):
    topic = s.ChoiceField(FeedbackTopic.choices)
    text = s.CharField()


class FeedbackAnswerInput(s.Serializer):
    answer = s.CharField()


class VisitPlanInput(s.Serializer):
    customer = s.CharField(help_text="A key customer's code.")
    every_days = s.IntegerField(min_value=1, max_value=366)
    first_visit = s.DateField()
    site_address = s.CharField()
    technician = s.CharField(required=False)
    note = s.CharField(required=False, allow_blank=True)


class VisitPlanOutput(s.Serializer):
    id = s.IntegerField()
    customer = s.CharField()
    customer_name = s.CharField()
    every_days = s.IntegerField()
    next_due = s.DateField()
    site_address = s.CharField()
    technician = s.CharField(allow_null=True)
    note = s.CharField(allow_blank=True)
    is_active = s.BooleanField()


class VisitScheduleInput(s.Serializer):
    until = s.DateField(required=False, help_text="Plans due by this day (default today).")


class VisitScheduleOutput(s.Serializer):
    opened = s.ListField(child=s.CharField(), help_text="The visit orders opened.")


class FieldOrderOutput(FieldOrderRowOutput):
    request = s.CharField(allow_null=True)
    request_id = s.IntegerField(allow_null=True)
    contact_name = s.CharField(allow_blank=True)
    contact_phone = s.CharField(allow_blank=True)
    description = s.CharField(allow_blank=True)
    contract_covered = s.BooleanField(required=False)
    dispatched_at = s.DateTimeField(allow_null=True)
    accepted_at = s.DateTimeField(allow_null=True)
    checked_in_at = s.DateTimeField(allow_null=True)
    arrived_late = s.BooleanField(allow_null=True, required=False)
    check_in_position = FieldPositionOutput(allow_null=True, required=False)
    call_confirmed_at = s.DateTimeField(allow_null=True)
    checked_out_at = s.DateTimeField(allow_null=True)
    left_without_call = s.BooleanField(required=False)
    repeat_of = FieldRepeatOfOutput(allow_null=True, required=False)
    report = FieldServiceReportOutput(allow_null=True)
    planned_parts = VanLineOutput(many=True, help_text="Parts to take on the trip.")
    feedback = FeedbackOutput(many=True, help_text="What the customer said on the visit, and engineering's answer.")
    photos = FieldPhotoOutput(many=True, help_text="Before and after the work.")
    allowed_actions = FieldActionOutput(many=True)
    timeline = FieldTimelineOutput(many=True, required=False)
    penalties = PenaltyOutput(many=True, required=False)


class FieldActionInput(s.Serializer):
    technician = s.CharField(required=False, help_text="assign: the technician's username.")
    reason = s.CharField(required=False, allow_blank=True, help_text="refuse (without one it is an ignored "
                         "dispatch), return_report and cancel (required).")
    latitude = s.DecimalField(max_digits=9, decimal_places=6, required=False, help_text="check_in, optional.")
    longitude = s.DecimalField(max_digits=9, decimal_places=6, required=False, help_text="check_in, optional.")


class FieldReportPartInput(s.Serializer):
    part = s.CharField(help_text="The part's code.")
    quantity = s.IntegerField(min_value=1)
    serial = s.CharField(required=False, allow_blank=True)


class FieldServiceReportInput(s.Serializer):
    fault_cause = s.CharField(required=False, allow_blank=True)
    solution = s.CharField(required=False, allow_blank=True)
    hours = s.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    customer_opinion = s.CharField(required=False, allow_blank=True)
    signed_by = s.CharField(required=False, allow_blank=True)
    signature = s.CharField(required=False, allow_blank=True, help_text="The customer's signature drawn on the "
                            "phone: a PNG as a data URL (data:image/png;base64,...), at most 300 KB.")
    people = s.IntegerField(required=False, min_value=1, help_text="Technicians on the job (person-times).")
    days_on_site = s.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True,
                                  help_text="Days on site (installation: required; person-days = people × days).")
    trained_people = s.ListField(child=s.CharField(), required=False)
    training_topics = s.CharField(required=False, allow_blank=True)
    parts = FieldReportPartInput(many=True, required=False, help_text="Replaces the parts listed so far.")


class VanMoveInput(s.Serializer):
    technician = s.CharField()
    parts = VanPartLineInput(many=True)
    order = s.CharField(required=False, help_text="issue: the field order the parts are for.")
    carrier = s.CharField(required=False, allow_blank=True, help_text="issue: when the parts are sent.")
    tracking = s.CharField(required=False, allow_blank=True, help_text="issue: the carrier's tracking number.")


class VanStockOutput(s.Serializer):
    technician = s.CharField()
    warehouse = s.CharField()
    parts = VanLineOutput(many=True)


class VanIssueRowOutput(s.Serializer):
    issue = s.CharField(help_text="The issue document's number (VI-2026-000001), the moves' reference.")
    technician = s.CharField()
    order = s.CharField(allow_null=True)
    carrier = s.CharField(allow_blank=True)
    tracking = s.CharField(allow_blank=True)
    issued_by = s.CharField()
    issued_at = s.DateTimeField()
    lines = VanPartLineInput(many=True)


class VanIssueOutput(VanIssueRowOutput):
    warehouse = s.CharField()
    parts = VanLineOutput(many=True, help_text="The van stock after the issue.")


class SparePartOutput(s.Serializer):
    part = s.CharField()
    name = s.CharField()
    demand = s.IntegerField(help_text="Planned by the open field orders.")
    in_stock = s.IntegerField(help_text="Raw material warehouse.")
    in_vans = s.IntegerField(help_text="Technicians' van stocks.")
    shortfall = s.IntegerField()
    orders = s.IntegerField(help_text="Open orders planning the part.")


class SparePartsPlanOutput(s.Serializer):
    parts = SparePartOutput(many=True)


class BoardTechnicianOutput(s.Serializer):
    username = s.CharField()
    name = s.CharField()
    today = s.IntegerField(help_text="Orders for the day.")
    open = s.IntegerField(help_text="Open orders.")
    on_leave = s.BooleanField()
    available = s.BooleanField(help_text="A working day and not on leave.")


class BoardCountOutput(s.Serializer):
    state = s.ChoiceField(OrderState.choices)
    label = s.CharField()
    count = s.IntegerField()


class BoardOutput(s.Serializer):
    date = s.DateField()
    working_day = s.BooleanField()
    counts = s.DictField(child=s.IntegerField(), help_text="Open orders per state.")
    count_rows = BoardCountOutput(many=True, help_text="The same, with each state's label, in the table's order.")
    late = s.IntegerField()
    page = s.IntegerField()
    orders = FieldOrderRowOutput(many=True)
    technicians = BoardTechnicianOutput(many=True)


class DayOrderOutput(FieldOrderRowOutput):
    contact_name = s.CharField(allow_blank=True)
    contact_phone = s.CharField(allow_blank=True)


class DayOutput(s.Serializer):
    date = s.DateField()
    orders = DayOrderOutput(many=True)
    van_stock = VanLineOutput(many=True)


class PenaltyInput(s.Serializer):
    technician = s.CharField()
    rule = s.ChoiceField(PenaltyRule.choices)
    amount = s.DecimalField(max_digits=9, decimal_places=2, required=False,
                            help_text="The fixed rules take the policy's amount when none is given.")
    sanction = s.ChoiceField(Sanction.choices, required=False, allow_blank=True)
    occurred_on = s.DateField(required=False)
    description = s.CharField()
    evidence = s.CharField()
    order = s.CharField(required=False, help_text="A field order's number.")
    conduct_record = s.IntegerField(required=False, help_text="A verified complaint about the technician.")


class PenaltyDetailOutput(PenaltyOutput):
    allowed_actions = FieldActionOutput(many=True)
    timeline = FieldTimelineOutput(many=True)


class PenaltyNoteInput(s.Serializer):
    note = s.CharField(required=False, allow_blank=True, help_text="contest and withdraw: required.")


class TechnicianLeaveInput(s.Serializer):
    technician = s.CharField()
    first_day = s.DateField()
    last_day = s.DateField()
    note = s.CharField(required=False, allow_blank=True)


class TechnicianLeaveOutput(s.Serializer):
    id = s.IntegerField()
    technician = s.CharField()
    first_day = s.DateField()
    last_day = s.DateField()
    note = s.CharField(allow_blank=True)


class TechnicianFigureOutput(s.Serializer):
    technician = s.CharField()
    name = s.CharField()
    orders_done = s.IntegerField()
    response_hours = s.CharField(allow_null=True, help_text="Average hours from dispatch to acceptance.")
    on_time_rate = s.CharField(allow_null=True, help_text="Percent of timed visits checked in on time.")
    first_time_fix_rate = s.CharField(allow_null=True, help_text="Percent of repairs not repeated since.")
    repeat_repairs = s.IntegerField(help_text="Repeat repairs this month of units the technician repaired.")
    report_completeness = s.CharField(allow_null=True, help_text="Percent of reports never returned.")
    satisfaction = s.CharField(allow_null=True, help_text="Average overall score of the surveys (1-5).")
    penalties = s.IntegerField()
    penalty_total = s.CharField(help_text="Confirmed penalties, yuan.")
    expenses = s.CharField(help_text="Travel expenses paid this month, yuan.")


class TechnicianFiguresOutput(s.Serializer):
    month = s.CharField()
    technicians = TechnicianFigureOutput(many=True)


class ExpenseLineInput(s.Serializer):
    category = s.ChoiceField(ExpenseCategory.choices)
    amount = s.DecimalField(max_digits=12, decimal_places=2)
    place = s.CharField(required=False, allow_blank=True, help_text="Where the receipt is from (a town).")
    receipt_on = s.DateField(required=False)
    note = s.CharField(required=False, allow_blank=True)


class ExpenseClaimInput(s.Serializer):
    kind = s.ChoiceField(ClaimKind.choices)
    trip_from = s.DateField()
    trip_to = s.DateField()
    places = s.CharField(required=False, allow_blank=True, help_text="Towns of the trip besides the orders' sites.")
    orders = s.ListField(child=s.CharField(), required=False, help_text="The trip's field order numbers.")
    amount = s.DecimalField(max_digits=12, decimal_places=2, required=False, help_text="advance: the amount asked.")
    advance = s.CharField(required=False, help_text="claim: the number of the paid advance it settles.")
    lines = ExpenseLineInput(many=True, required=False, help_text="claim: its receipts.")


class ExpenseClaimRowOutput(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    kind = s.ChoiceField(ClaimKind.choices)
    kind_label = s.CharField()
    technician = s.CharField()
    technician_name = s.CharField()
    trip_from = s.DateField()
    trip_to = s.DateField()
    state = s.ChoiceField(ClaimState.choices)
    state_label = s.CharField()


class ExpenseLineOutput(s.Serializer):
    category = s.ChoiceField(ExpenseCategory.choices)
    category_label = s.CharField()
    amount = s.CharField()
    place = s.CharField(allow_blank=True)
    receipt_on = s.DateField(allow_null=True)
    note = s.CharField(allow_blank=True)
    place_mismatch = s.BooleanField(help_text="No site of the trip matches the receipt's place.")
    outside_trip = s.BooleanField(help_text="The receipt is dated outside the trip.")
    withheld = s.BooleanField(help_text="A phone allowance withheld by a confirmed phone-off penalty.")


class ExpenseClaimOutput(ExpenseClaimRowOutput):
    places = s.CharField(allow_blank=True)
    advance = s.CharField(allow_null=True)
    orders = s.ListField(child=s.CharField())
    lines = ExpenseLineOutput(many=True)
    flagged = s.BooleanField()
    total = s.CharField(help_text="What the claim asks (withheld lines left out), yuan.")
    withheld = s.CharField()
    advance_paid = s.CharField(help_text="The advance this claim settles, yuan.")
    balance = s.CharField(help_text="What finance pays: the total less the advance (negative: paid back).")
    decision_note = s.CharField(allow_blank=True)
    paid_at = s.DateTimeField(allow_null=True)
    receipts = FieldPhotoOutput(many=True, help_text="The receipts' photos.")
    allowed_actions = FieldActionOutput(many=True)
    timeline = FieldTimelineOutput(many=True)
