"""What the repair API reads and answers. The services parse the bodies (core/parsing and their own
checks); the input serializers document them, the output serializers describe the answers exactly
(the suite checks every answer against them: tests/api_schema.py)."""

from rest_framework import serializers

from aftersales.core.serializers import count_map, decimal_text, money

from .models import DelayReason, OrderKind, OrderState, PartOutcome, QuoteState, RefurbishState, RequestState, ScrapState

MAJOR_ANOMALY_CHOICES = ["design", "process", "incoming_material", "workmanship"]


# --- input ---

class PartLineInput(serializers.Serializer):
    part = serializers.CharField(help_text="The part's code.")
    quantity = serializers.IntegerField(min_value=1)


class OrderOpenInput(serializers.Serializer):
    case = serializers.IntegerField(help_text="The return case's id.")
    unit_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Units disposed for repair or refurbish.")
    kind = serializers.ChoiceField(choices=OrderKind.choices, required=False, default=OrderKind.REPAIR)
    method = serializers.CharField(required=False, allow_blank=True)
    team = serializers.CharField(required=False, allow_blank=True)
    is_batch = serializers.BooleanField(required=False, allow_null=True,
                                        help_text="Default: the case's volume class is batch.")


class OrderPlanInput(serializers.Serializer):
    expected_finish = serializers.DateTimeField(help_text="2026-12-01T17:00, in TIME_ZONE unless it says otherwise.")
    note = serializers.CharField(required=False, allow_blank=True, help_text="Required past the due moment.")


class OrderFindingsInput(serializers.Serializer):
    findings = serializers.CharField(allow_blank=True)
    method = serializers.CharField(required=False, allow_blank=True)


class OrderCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the order is cancelled (required).")


class FirstArticleInput(serializers.Serializer):
    passed = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True)


class RepairRecordInput(serializers.Serializer):
    unit = serializers.IntegerField(help_text="A unit of the order, in work (or waiting in a batch).")
    fault_found = serializers.CharField()
    cause = serializers.CharField(required=False, allow_blank=True)
    action = serializers.CharField()
    labour_hours = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    parts = PartLineInput(many=True, required=False)
    hardware_before = serializers.CharField(required=False, allow_blank=True)
    hardware_after = serializers.CharField(required=False, allow_blank=True,
                                           help_text="Default: the model's latest revision.")
    software_before = serializers.CharField(required=False, allow_blank=True)
    software_after = serializers.CharField(required=False, allow_blank=True,
                                           help_text="Default: the model's latest revision.")
    is_anomaly = serializers.BooleanField(required=False)
    major_anomaly = serializers.ChoiceField(choices=MAJOR_ANOMALY_CHOICES, required=False, allow_blank=True)


class RecordsInput(serializers.Serializer):
    records = RepairRecordInput(many=True, help_text="One or a thousand.")


class DelayInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DelayReason.choices)
    explanation = serializers.CharField()
    working_days = serializers.IntegerField(min_value=1)
    notice = serializers.CharField(help_text="The written notice to service.")


class MaterialRequestInput(serializers.Serializer):
    order = serializers.IntegerField(help_text="The rework order's id.")
    lines = PartLineInput(many=True)
    comment = serializers.CharField(required=False, allow_blank=True)
    need_by = serializers.DateField(required=False, allow_null=True, help_text="The date the material is needed by.")


class DecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Required to refuse.")


class QuoteRevisionInput(serializers.Serializer):
    parts = PartLineInput(many=True, required=False)
    labour_hours = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    transport = money(required=False)
    expected_return_date = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(help_text="What the bench found.")


class PartsQuoteInput(serializers.Serializer):
    shipment = serializers.IntegerField(help_text="The service request's parts shipment waiting for a quote.")
    transport = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)


class PartsQuoteAnswerInput(serializers.Serializer):
    accept = serializers.BooleanField()


class QuoteInput(serializers.Serializer):
    case = serializers.IntegerField(help_text="The return case's id.")
    unit_ids = serializers.ListField(child=serializers.IntegerField())
    parts = PartLineInput(many=True, required=False)
    labour_hours = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    transport = money(required=False)
    expected_return_date = serializers.DateField(required=False, allow_null=True)


class PaymentInput(serializers.Serializer):
    amount = money(help_text="At most what is outstanding.")


class WeightsInput(serializers.Serializer):
    metal = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    plastic = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    packaging = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    wire = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)
    other = serializers.DecimalField(max_digits=12, decimal_places=3, required=False)


class ScrapApplicationInput(serializers.Serializer):
    reason = serializers.CharField()
    case = serializers.IntegerField(required=False, allow_null=True, help_text="The return case's id (with units).")
    unit_ids = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     help_text="Units waiting for scrap approval.")
    parts = PartLineInput(many=True, required=False)
    weights_kg = WeightsInput(required=False)


class TeardownPartInput(PartLineInput):
    outcome = serializers.ChoiceField(choices=PartOutcome.choices)


class TeardownInput(serializers.Serializer):
    unit = serializers.IntegerField(help_text="A unit disposed for teardown (its id).")
    parts = TeardownPartInput(many=True)


class TeardownCheckInput(serializers.Serializer):
    teardown_part_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Good teardown parts.")
    passed = serializers.BooleanField()


class RefurbishOrderInput(serializers.Serializer):
    supplier = serializers.CharField()
    teardown_part_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Cosmetic teardown parts.")


class RefurbishReturnInput(serializers.Serializer):
    passed = serializers.IntegerField(min_value=0, help_text="How many passed QC.")
    cost = money(required=False)


# --- output ---

class OrderListItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    case = serializers.CharField(help_text="The return case's number.")
    case_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=OrderState.choices)
    kind = serializers.ChoiceField(choices=OrderKind.choices)
    team = serializers.CharField(allow_blank=True)
    due_at = serializers.DateTimeField()
    due_provisional = serializers.BooleanField()
    is_batch = serializers.BooleanField()


class PlanOutput(serializers.Serializer):
    expected_finish = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)
    beyond_due = serializers.BooleanField()
    by = serializers.CharField()


class FirstArticleCheckOutput(serializers.Serializer):
    unit = serializers.IntegerField()
    passed = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class DelayOutput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DelayReason.choices)
    working_days = serializers.IntegerField()
    notice = serializers.CharField()
    approved_by = serializers.CharField(allow_null=True, help_text="The manager who granted a delay past the limit.")
    due_before = serializers.DateTimeField()
    due_after = serializers.DateTimeField()


class RequestRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.ChoiceField(choices=RequestState.choices)


class StepOutput(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    case = serializers.CharField(help_text="The return case's number.")
    case_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrderKind.choices)
    state = serializers.ChoiceField(choices=OrderState.choices)
    state_display = serializers.CharField()
    method = serializers.CharField(allow_blank=True)
    findings = serializers.CharField(allow_blank=True)
    team = serializers.CharField(allow_blank=True)
    is_batch = serializers.BooleanField()
    first_article_unit = serializers.IntegerField(allow_null=True, help_text="The first article's unit id.")
    due_at = serializers.DateTimeField()
    due_provisional = serializers.BooleanField()
    delay_working_days = serializers.IntegerField()
    version = serializers.IntegerField()
    unit_ids = serializers.ListField(child=serializers.IntegerField())
    plan = PlanOutput(allow_null=True)
    first_article_checks = FirstArticleCheckOutput(many=True)
    records = serializers.IntegerField(help_text="How many repair records the order has.")
    delays = DelayOutput(many=True)
    material_requests = RequestRefOutput(many=True)
    allowed_actions = StepOutput(many=True, help_text="The steps you may take on the order now (its table).")


class RequestLineOutput(serializers.Serializer):
    part = serializers.CharField(help_text="The part's code.")
    quantity = serializers.IntegerField()
    received = serializers.IntegerField()
    issued = serializers.IntegerField()


class MaterialRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    order = serializers.CharField(help_text="The rework order's number.")
    order_id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=RequestState.choices)
    comment = serializers.CharField(allow_blank=True)
    need_by = serializers.DateField(allow_null=True)
    lines = RequestLineOutput(many=True)


class QuoteLineOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["part", "labour", "transport"])
    part = serializers.CharField(required=False, help_text="Parts: the part's code.")
    name = serializers.CharField(required=False)
    quantity = serializers.IntegerField(required=False)
    unit_cost = money(required=False, help_text="Parts, staff only: the company's cost.")
    unit_price = money(required=False)
    hours = decimal_text(required=False)
    rate = decimal_text(required=False)
    amount = money()


class QuoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(allow_null=True, help_text="The return case's number (null: a parts shipment's).")
    case_id = serializers.IntegerField(allow_null=True)
    parts_shipment = serializers.IntegerField(allow_null=True, help_text="The service request's parts shipment.")
    service_request = serializers.CharField(allow_null=True, help_text="The parts shipment's service request.")
    revision = serializers.IntegerField()
    state = serializers.ChoiceField(choices=QuoteState.choices)
    unit_ids = serializers.ListField(child=serializers.IntegerField())
    lines = QuoteLineOutput(many=True)
    parts_total = money()
    labour_total = money()
    transport = money()
    total_per_unit = money()
    reason = serializers.CharField(allow_blank=True)
    expected_return_date = serializers.DateField(allow_null=True)


class QuotePaymentOutput(QuoteOutput):
    paid_amount = money()
    amount_due = money()


class ScrapPartOutput(serializers.Serializer):
    part = serializers.CharField(help_text="The part's code.")
    quantity = serializers.IntegerField()


class ScrapApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.ChoiceField(choices=ScrapState.choices)
    case = serializers.CharField(allow_null=True, help_text="The return case's number, for units.")
    case_id = serializers.IntegerField(allow_null=True)
    unit_ids = serializers.ListField(child=serializers.IntegerField())
    parts = ScrapPartOutput(many=True)
    weights_kg = serializers.DictField(child=decimal_text(), help_text="Kilograms by scrap class.")
    reason = serializers.CharField()


class TeardownPartOutput(serializers.Serializer):
    id = serializers.IntegerField()
    part = serializers.CharField(help_text="The part's code.")
    quantity = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=PartOutcome.choices)
    qc_passed = serializers.BooleanField(allow_null=True, help_text="Good parts: passed by quality (then in "
                                         "raw-material stock), failed, or null while waiting for quality.")


class TeardownOutput(serializers.Serializer):
    parts = TeardownPartOutput(many=True)


class RefurbishPartOutput(serializers.Serializer):
    id = serializers.IntegerField()
    part = serializers.CharField(help_text="The part's code.")
    quantity = serializers.IntegerField()


class RefurbishOrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    supplier = serializers.CharField()
    state = serializers.ChoiceField(choices=RefurbishState.choices)
    passed_qc = serializers.IntegerField()
    failed_qc = serializers.IntegerField()
    cost = money()
    parts = RefurbishPartOutput(many=True)


class UnitCostOutput(serializers.Serializer):
    unit = serializers.IntegerField()
    parts = money()
    labour_hours = decimal_text()
    labour = money()


class CaseCostOutput(serializers.Serializer):
    parts = money()
    labour_hours = decimal_text()
    labour_rate = decimal_text()
    labour = money()
    transport = money()
    outsourcing = money()
    total = money()
    charged = money()
    absorbed = money()
    units = UnitCostOutput(many=True)


class AnomalyOutput(serializers.Serializer):
    order = serializers.CharField(help_text="The rework order's number.")
    case = serializers.CharField(help_text="The return case's number.")
    unit = serializers.IntegerField()
    serial = serializers.CharField(allow_blank=True)
    model = serializers.CharField(help_text="The product model's code.")
    fault_found = serializers.CharField()
    cause = serializers.CharField(allow_blank=True)
    action = serializers.CharField()
    major = serializers.CharField(allow_blank=True)
    technician = serializers.CharField()
    parts = count_map(help_text="Quantity by part code.")
    photos = serializers.ListField(child=serializers.CharField(), help_text="The unit's attachment addresses.")


class TeamDayOutput(serializers.Serializer):
    team = serializers.CharField(allow_blank=True)
    repaired = serializers.IntegerField()
    labour_hours = decimal_text()
    anomalies = AnomalyOutput(many=True)
    major_anomalies = AnomalyOutput(many=True)
    orders = serializers.ListField(child=serializers.CharField())


class DailyReportOutput(serializers.Serializer):
    date = serializers.DateField()
    teams = TeamDayOutput(many=True)
    repaired = serializers.IntegerField()
    records = serializers.IntegerField()
    labour_hours = decimal_text()


class FeeDueOutput(serializers.Serializer):
    quote = serializers.IntegerField(help_text="The quote's id.")
    case = serializers.CharField(allow_null=True, help_text="The return case's number (null: parts sent).")
    case_id = serializers.IntegerField(allow_null=True)
    service_request = serializers.CharField(allow_null=True, help_text="Parts sent: the service request's number.")
    customer = serializers.CharField(help_text="The customer's code.")
    units = serializers.IntegerField()
    amount_due = money()
    paid = money()
    outstanding = money()
    accepted_at = serializers.DateTimeField(allow_null=True)


class RepairDataOutput(serializers.Serializer):
    order = serializers.CharField(help_text="The rework order's number.")
    case = serializers.CharField(help_text="The return case's number.")
    team = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=OrderState.choices)
    units = serializers.IntegerField()
    recorded = serializers.IntegerField()
    labour_hours = decimal_text()
    parts_cost = money()
