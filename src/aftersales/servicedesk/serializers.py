"""What the service desk's API takes and answers (the OpenAPI schema is built from these)."""

from rest_framework import serializers as s

from .models import (
    Category,
    Channel,
    DecisionKind,
    Priority,
    RequestState,
    ShipmentState,
    Survey,
)


class DeskRegisterInput(s.Serializer):
    staff_member = s.CharField(required=False, help_text="A complaint about service staff (staff_complaint): the "
                               "username of the person it names; required when the desk registers one.")
    channel = s.ChoiceField(Channel.choices, required=False, help_text="Staff: required; a customer: portal.")
    customer = s.CharField(required=False, help_text="The customer's code (staff; filled from the serial).")
    contact_name = s.CharField(required=False, allow_blank=True)
    contact_phone = s.CharField(required=False, allow_blank=True)
    product_model = s.CharField(required=False, allow_blank=True)
    serial = s.CharField(required=False, allow_blank=True)
    category = s.ChoiceField(Category.choices)
    priority = s.ChoiceField(Priority.choices, required=False)
    description = s.CharField()


class DeskRequestRowOutput(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    state = s.ChoiceField(RequestState.choices)
    state_label = s.CharField()
    channel = s.ChoiceField(Channel.choices)
    category = s.ChoiceField(Category.choices)
    category_label = s.CharField()
    priority = s.ChoiceField(Priority.choices)
    priority_label = s.CharField()
    customer = s.CharField()
    customer_name = s.CharField()
    product_model = s.CharField(allow_null=True)
    serial = s.CharField(allow_blank=True)
    created_at = s.DateTimeField()
    reopen_count = s.IntegerField()
    overdue = s.BooleanField()


class DeskCaseLinkOutput(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    state = s.CharField()


class DeskDecisionOutput(s.Serializer):
    kind = s.ChoiceField(DecisionKind.choices)
    kind_label = s.CharField()
    solution = s.CharField(allow_blank=True)
    round = s.IntegerField()
    by = s.CharField(allow_null=True)
    at = s.DateTimeField()


class DeskFieldOrderOutput(s.Serializer):
    number = s.CharField()
    state = s.CharField()
    state_label = s.CharField()
    technician = s.CharField(allow_null=True, help_text="Username.")
    technician_name = s.CharField(allow_null=True)
    planned_date = s.DateField(allow_null=True)
    url = s.CharField(allow_null=True, help_text="The order's page.")


class DeskPartsLineOutput(s.Serializer):
    part = s.CharField()
    quantity = s.IntegerField()


class DeskPartsShipmentOutput(s.Serializer):
    id = s.IntegerField()
    state = s.ChoiceField(ShipmentState.choices, help_text="awaiting_quote: charged parts waiting for the "
                          "customer's accepted (per policy paid) quote; shipped; cancelled (the quote refused).")
    carrier = s.CharField(allow_blank=True)
    tracking = s.CharField(allow_blank=True)
    chargeable = s.BooleanField(help_text="Out of warranty: charged through a quote (/api/v1/parts-quotes/).")
    lines = DeskPartsLineOutput(many=True)
    shipped_at = s.DateTimeField(allow_null=True)


class DeskReferralOutput(s.Serializer):
    id = s.IntegerField()
    supplier = s.CharField()
    state = s.CharField()


class DeskEscalationOutput(s.Serializer):
    id = s.IntegerField()
    state = s.CharField()


class DeskSurveyRowOutput(s.Serializer):
    id = s.IntegerField()
    closing = s.IntegerField()
    answered = s.BooleanField()
    overall = s.IntegerField(allow_null=True)


class DeskContactOutput(s.Serializer):
    at = s.DateTimeField()
    by = s.CharField(allow_null=True)
    channel = s.ChoiceField(Channel.choices)
    channel_label = s.CharField()
    inbound = s.BooleanField()
    content = s.CharField()


class DeskTimelineOutput(s.Serializer):
    at = s.DateTimeField()
    actor = s.CharField(allow_null=True)
    action = s.CharField()
    label = s.CharField()
    from_state = s.CharField(allow_blank=True)
    to_state = s.CharField(allow_blank=True)
    changes = s.DictField(child=s.JSONField())


class DeskClockOutput(s.Serializer):
    kind = s.CharField()
    state = s.CharField()
    due_at = s.DateTimeField()
    late = s.BooleanField(allow_null=True)


class DeskAllowedActionOutput(s.Serializer):
    action = s.CharField()
    label = s.CharField()


class DeskPhotoOutput(s.Serializer):
    id = s.IntegerField()
    url = s.CharField(help_text="Where the photo is fetched (the request's readers only).")
    name = s.CharField(allow_blank=True)
    content_type = s.CharField()
    at = s.DateTimeField()


class DeskConductRecordOutput(s.Serializer):
    id = s.IntegerField()
    person = s.CharField(help_text="The staff member's username.")
    request = s.CharField()
    request_id = s.IntegerField()
    on = s.DateField()
    finding = s.CharField()
    verified_by = s.CharField()
    verified_at = s.DateTimeField()


class DeskRequestOutput(DeskRequestRowOutput):
    contact_name = s.CharField(allow_blank=True)
    contact_phone = s.CharField(allow_blank=True)
    description = s.CharField()
    warranty_status = s.CharField(allow_blank=True)
    warranty_label = s.CharField(allow_blank=True, help_text="The warranty status in the reader's language.")
    repeat_of = s.CharField(allow_null=True, help_text="The same unit's earlier request for the same kind of fault.")
    result = s.CharField(allow_blank=True)
    cause = s.CharField(allow_null=True, help_text="The complaint's cause on the cause tree (its code).")
    escalated_to_manager = s.BooleanField()
    answered_at = s.DateTimeField(allow_null=True)
    resolved_at = s.DateTimeField(allow_null=True)
    closed_at = s.DateTimeField(allow_null=True)
    return_case = DeskCaseLinkOutput(allow_null=True)
    decision = DeskDecisionOutput(allow_null=True)
    field_orders = DeskFieldOrderOutput(many=True)
    parts_shipments = DeskPartsShipmentOutput(many=True)
    supplier_referrals = DeskReferralOutput(many=True)
    quality_escalations = DeskEscalationOutput(many=True)
    surveys = DeskSurveyRowOutput(many=True)
    contacts = DeskContactOutput(many=True)
    timeline = DeskTimelineOutput(many=True)
    clocks = DeskClockOutput(many=True)
    photos = DeskPhotoOutput(many=True)
    staff_member = s.CharField(allow_null=True, help_text="A complaint about staff: the person named (staff only).")
    conduct_verdict = s.CharField(allow_blank=True, help_text="verified, rejected or blank (staff only).")
    conduct_record = DeskConductRecordOutput(allow_null=True)
    allowed_actions = DeskAllowedActionOutput(many=True)


class DeskRegisterMultipartInput(DeskRegisterInput):
    photos = s.ListField(child=s.FileField(), required=False, help_text="Photos of the problem (at most 10, 10 MB "
                         "each), judged by their content.")


class DeskPhotosInput(s.Serializer):
    photos = s.ListField(child=s.FileField(), help_text="Photos of the problem, judged by their content.")


class DeskVerifyInput(s.Serializer):
    finding = s.CharField(help_text="What the manager found (一经查实).")
    staff_member = s.CharField(required=False, help_text="The person's username, if the request does not name "
                               "them yet (or names the wrong one).")


class DeskShipInput(s.Serializer):
    carrier = s.CharField()
    tracking = s.CharField()


class DeskFindingInput(s.Serializer):
    finding = s.CharField(help_text="Why the complaint does not hold.")


class DeskContactInput(s.Serializer):
    content = s.CharField()
    channel = s.ChoiceField(Channel.choices, required=False)
    inbound = s.BooleanField(required=False)


class DeskResultInput(s.Serializer):
    result = s.CharField()


class DeskReasonInput(s.Serializer):
    reason = s.CharField()


class DeskPartsLineInput(s.Serializer):
    part = s.CharField()
    quantity = s.IntegerField(min_value=1)


class DeskDecideInput(s.Serializer):
    kind = s.ChoiceField(DecisionKind.choices)
    solution = s.CharField(required=False, help_text="Required when answered remotely.")
    parts = DeskPartsLineInput(many=True, required=False, help_text="parts: from raw-material stock.")
    carrier = s.CharField(required=False)
    tracking = s.CharField(required=False)
    technician = s.CharField(required=False, help_text="technician: a field technician's username (optional).")
    planned_date = s.DateField(required=False)
    supplier = s.CharField(required=False)
    part = s.CharField(required=False, help_text="supplier: the purchased part's code (optional).")
    problem = s.CharField(required=False, help_text="supplier, quality: the problem handed over.")


class DeskMadeOutput(s.Serializer):
    return_case = s.CharField(required=False)
    field_order = s.CharField(required=False)
    parts_shipment = s.IntegerField(required=False)
    supplier_referral = s.IntegerField(required=False)
    quality_escalation = s.IntegerField(required=False)


class DeskDecideOutput(s.Serializer):
    request = DeskRequestOutput()
    made = DeskMadeOutput()


class DeskHistoryRequestOutput(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    category = s.ChoiceField(Category.choices)
    category_label = s.CharField(help_text="The category in the reader's language.")
    state = s.ChoiceField(RequestState.choices)
    state_label = s.CharField(help_text="The state in the reader's language.")
    created_at = s.DateTimeField()


class DeskHistoryCaseOutput(s.Serializer):
    case = s.CharField()
    state = s.CharField()
    state_label = s.CharField(help_text="The case's state in the reader's language.")
    disposition = s.CharField(allow_blank=True)
    disposition_label = s.CharField(allow_blank=True, help_text="The unit's disposition in the reader's language.")


class DeskRepeatWarningOutput(s.Serializer):
    number = s.CharField()
    window_days = s.IntegerField()


class DeskSerialLookupOutput(s.Serializer):
    serial = s.CharField()
    found = s.BooleanField()
    product_model = s.CharField(allow_null=True)
    product_name = s.CharField(allow_null=True)
    customer = s.CharField(allow_null=True)
    customer_name = s.CharField(allow_null=True)
    shipped_date = s.DateField(allow_null=True)
    warranty_status = s.CharField(allow_null=True)
    warranty_until = s.DateField(allow_null=True)
    requests = DeskHistoryRequestOutput(many=True)
    return_cases = DeskHistoryCaseOutput(many=True)
    repeat_warning = DeskRepeatWarningOutput(allow_null=True)


class DeskSurveyInput(s.Serializer):
    response = s.IntegerField(min_value=1, max_value=5)
    attitude = s.IntegerField(min_value=1, max_value=5)
    fix_quality = s.IntegerField(min_value=1, max_value=5)
    overall = s.IntegerField(min_value=1, max_value=5)
    comment = s.CharField(required=False, allow_blank=True)
    followup = s.ChoiceField(Survey.Followup.choices, required=False,
                             help_text="When a score is low: reopen (default) or complain to the manager.")


class DeskSurveyOutput(s.Serializer):
    id = s.IntegerField()
    request = s.CharField(allow_null=True, help_text="The service request asked about (or null: a return case).")
    return_case = s.CharField(allow_null=True, help_text="The return case asked about (or null: a request).")
    closing = s.IntegerField()
    answered = s.BooleanField()
    response = s.IntegerField(allow_null=True)
    attitude = s.IntegerField(allow_null=True)
    fix_quality = s.IntegerField(allow_null=True)
    overall = s.IntegerField(allow_null=True)
    comment = s.CharField(allow_blank=True)
    followup = s.CharField(allow_blank=True)
    complaint = s.CharField(allow_null=True, help_text="The complaint request a low score on a return case raised.")


class DeskReferralRowOutput(s.Serializer):
    id = s.IntegerField()
    request = s.CharField()
    supplier = s.CharField()
    part = s.CharField(allow_null=True)
    problem = s.CharField()
    state = s.CharField()
    created_at = s.DateTimeField()


class DeskClassifyInput(s.Serializer):
    cause = s.CharField(help_text="A cause's code on the cause tree.")


class DeskCauseOutput(s.Serializer):
    id = s.IntegerField()
    code = s.CharField()
    name = s.CharField()
    parent = s.CharField(allow_null=True)
    improvement = s.CharField(allow_blank=True)
    is_active = s.BooleanField()


class DeskImprovementInput(s.Serializer):
    improvement = s.CharField()


class DeskComplaintOutput(s.Serializer):
    id = s.IntegerField()
    number = s.CharField()
    created_at = s.DateTimeField()
    category = s.ChoiceField(Category.choices)
    customer = s.CharField()
    customer_name = s.CharField()
    product_model = s.CharField(allow_null=True)
    serial = s.CharField(allow_blank=True)
    cause = s.CharField(allow_null=True)
    cause_name = s.CharField(allow_null=True)
    description = s.CharField()
    decision = s.ChoiceField(DecisionKind.choices, allow_null=True)
    decision_label = s.CharField(allow_null=True)
    result = s.CharField(allow_blank=True)
    state = s.ChoiceField(RequestState.choices)
    state_label = s.CharField(help_text="The state in the reader's language.")


class DeskParetoOutput(s.Serializer):
    key = s.CharField(allow_blank=True)
    count = s.IntegerField()
    share = s.FloatField(help_text="Percent of all counted.")
    cumulative = s.FloatField(help_text="Cumulative percent, most frequent first.")


class DeskSatisfactionOutput(s.Serializer):
    count = s.IntegerField(help_text="Surveys answered.")
    low = s.IntegerField(help_text="Of them not satisfied: a dimension at or below the policy's low score.")
    response = s.FloatField(allow_null=True, help_text="Average score (1-5).")
    attitude = s.FloatField(allow_null=True)
    fix_quality = s.FloatField(allow_null=True)
    overall = s.FloatField(allow_null=True)


class DeskSatisfactionGroupOutput(DeskSatisfactionOutput):
    key = s.CharField(allow_blank=True, help_text="The month (2026-11), the technician's username or the "
                                                  "department's role code.")
    label = s.CharField(allow_blank=True)


class DeskSatisfactionCommentOutput(s.Serializer):
    id = s.IntegerField()
    kind = s.ChoiceField(["request", "case"])
    number = s.CharField(help_text="The service request's or the return case's number.")
    customer = s.CharField()
    customer_name = s.CharField()
    technician = s.CharField(allow_null=True)
    department = s.CharField(allow_blank=True)
    department_label = s.CharField(allow_blank=True, help_text="The department in the reader's language.")
    answered_at = s.DateTimeField()
    response = s.IntegerField()
    attitude = s.IntegerField()
    fix_quality = s.IntegerField()
    overall = s.IntegerField()
    comment = s.CharField(allow_blank=True)
    followup = s.CharField(allow_blank=True)
    followup_label = s.CharField(allow_blank=True, help_text="The follow-up in the reader's language.")
    complaint = s.CharField(allow_null=True)
