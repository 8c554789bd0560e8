"""What the return case API reads and answers. Input serializers validate bodies; output serializers
describe the answers the selectors build (a 10,000-unit case is built as plain data, not serialized
field by field), and the suite checks every answer against them (tests/api_schema.py)."""

from rest_framework import serializers

from aftersales.core import parsing
from aftersales.core.serializers import any_map, count_map, money
from aftersales.deadlines.serializers import DeadlineSerializer
from aftersales.masterdata.models import Customer

from .models import (CaseState, Channel, Disposition, Outcome, Reason, ReturnCase, UnitExit, UnitState, VolumeClass,
                     WarrantyStatus)
from .workflow import ACTIONS

COMMENT_LENGTH = 5000


# --- input ---

class LineInput(serializers.Serializer):
    product_model = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                          help_text="The product model's code.")
    item_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    quantity = serializers.IntegerField(required=False, min_value=0, max_value=parsing.MAX_UNITS, allow_null=True)
    production_lot = serializers.CharField(required=False, allow_blank=True, max_length=60)
    serials = serializers.ListField(child=serializers.CharField(max_length=80), required=False,
                                    max_length=parsing.MAX_UNITS)
    requested_outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    reason = serializers.ChoiceField(choices=Reason.choices, required=False)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    defect_description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class CaseInput(serializers.Serializer):
    customer = serializers.SlugRelatedField(slug_field="code", queryset=Customer.objects.all(), required=False,
                                            help_text="The customer's code (customer users apply for their own).")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    customer_reference = serializers.CharField(required=False, allow_blank=True, max_length=80)
    delivered_date = serializers.DateField(required=False, allow_null=True)
    is_quality_incident = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    lines = LineInput(many=True, required=False, max_length=500)
    version = serializers.IntegerField(required=False, min_value=1, max_value=parsing.MAX_ID)


class ActionInput(serializers.Serializer):
    """The fields every action takes; each action's own fields (docs/api.md, docs/workflow.md) come beside
    them in the same object."""

    version = serializers.IntegerField(required=False, min_value=1, max_value=parsing.MAX_ID,
                                       help_text="The case version you acted on (409 `stale_version` if stale).")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_LENGTH)
    unit_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=parsing.MAX_ID),
                                     required=False, help_text="Unit actions: the units acted on (any number).")

    class Meta:
        ref_name = "ActionInput"


class ReceivingListInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX, 20 MB and 200,000 rows at most.")
    version = serializers.IntegerField(required=False)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField(help_text="10 MB at most; judged by its content.")
    description = serializers.CharField(required=False, max_length=200)
    line = serializers.IntegerField(required=False, help_text="The line's number on the note.")
    unit = serializers.IntegerField(required=False, help_text="The unit's id.")


# --- output ---

class CaseListOutput(serializers.ModelSerializer):
    customer = serializers.CharField(source="customer.code")
    customer_name = serializers.CharField(source="customer.name")
    state_display = serializers.CharField(source="get_state_display")
    unit_count = serializers.IntegerField(allow_null=True)
    noted_quantity = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ReturnCase
        fields = ["id", "number", "customer", "customer_name", "channel", "customer_reference", "state",
                  "state_display", "volume_class", "is_quality_incident", "unit_count", "noted_quantity",
                  "version", "created_at", "submitted_at", "closed_at"]


class CustomerRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AnswerOutput(serializers.Serializer):
    """Who answered for the customer (or overrode), when, how; no `by` for a customer user."""

    by = serializers.CharField(required=False, help_text="Absent for customer users.")
    at = serializers.DateTimeField()
    via = serializers.ChoiceField(choices=["portal", "service"])
    given = serializers.BooleanField(required=False, help_text="Consent: given or not.")
    accepted = serializers.BooleanField(required=False, help_text="Charge: accepted or not.")
    amount = money(required=False, help_text="Charge: the amount answered.")
    scrap = serializers.BooleanField(required=False, help_text="Charge refused: the unit is not wanted back.")
    comment = serializers.CharField(required=False, allow_blank=True, help_text="Override: the reason.")
    status = serializers.ChoiceField(choices=["in", "out"], required=False, help_text="Override: the warranty set.")
    chargeable = serializers.BooleanField(required=False, allow_null=True, help_text="Override: chargeable or not.")


class WarrantyOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=WarrantyStatus.choices)
    until = serializers.DateField(allow_null=True)
    chargeable = serializers.BooleanField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why, in the request's language.")
    override = AnswerOutput(allow_null=True)


class UnitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    line = serializers.IntegerField(help_text="The line's number on the note.")
    product_model = serializers.CharField(help_text="The product model's code.")
    serial = serializers.CharField(allow_blank=True)
    in_registry = serializers.BooleanField()
    is_extra = serializers.BooleanField()
    state = serializers.ChoiceField(choices=UnitState.choices)
    warehouse = serializers.CharField(allow_null=True, help_text="The warehouse's code while the unit is in one.")
    exit = serializers.ChoiceField(choices=UnitExit.choices, allow_blank=True)
    registered_to_other_customer = serializers.CharField(
        allow_null=True, required=False,
        help_text="Staff only: the code of the customer the registry says the unit was shipped to.")
    warranty = WarrantyOutput()
    disposition = serializers.ChoiceField(choices=Disposition.choices, allow_blank=True)
    needs_consent = serializers.BooleanField()
    consent = AnswerOutput(allow_null=True)
    charge_amount = money(allow_null=True)
    charge_answer = AnswerOutput(allow_null=True)
    replacement_serial = serializers.CharField(allow_blank=True)
    carrier = serializers.CharField(allow_blank=True)
    tracking_number = serializers.CharField(allow_blank=True)


class OtherCustomerSerial(serializers.Serializer):
    serial = serializers.CharField()
    customer = serializers.CharField(help_text="The customer's code.")


class NoteMissingOutput(serializers.Serializer):
    line = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())


class LineOutput(serializers.Serializer):
    line = serializers.IntegerField()
    product_model = serializers.CharField(allow_null=True, help_text="The product model's code.")
    item_name = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    production_lot = serializers.CharField(allow_blank=True)
    serials = serializers.ListField(child=serializers.CharField())
    requested_outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.ChoiceField(choices=Reason.choices)
    defect_description = serializers.CharField(allow_blank=True)
    unit_price = money()
    window_decision = any_map(help_text="Lines under a return window (policies): `applies`, `window`, `days`, "
                                        "`working_days`, `delivered`, `deadline`, `within`, `code`, `clause`, "
                                        "`windows` (all that apply), `override` (a manager allowed it: `comment`, "
                                        "`at`, `by`); empty otherwise.")
    exchanges_shipped = serializers.IntegerField()
    refund_amount = money(allow_null=True)
    refund_deduction = money()
    registered_to_other_customers = OtherCustomerSerial(many=True, required=False, help_text="Staff only.")


class ApprovalOutput(serializers.Serializer):
    kind = serializers.CharField()
    decision = serializers.CharField()
    comment = serializers.CharField(allow_blank=True)
    by = serializers.CharField(allow_null=True, help_text="Null for customer users.")
    at = serializers.DateTimeField()
    round = serializers.IntegerField()


class DiscrepancyOutput(serializers.Serializer):
    kind = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    serial = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class NoticeOutput(serializers.Serializer):
    kind = serializers.CharField()
    content = any_map(help_text="What the notice tells, per kind (amount, carrier, units received, ...).")
    at = serializers.DateTimeField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(help_text="/attachments/{id}/: the file, for whoever may read the case.")
    name = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField(allow_blank=True)
    inline = serializers.BooleanField()
    description = serializers.CharField(allow_blank=True)
    line_id = serializers.IntegerField(allow_null=True)
    unit_id = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()


class AllowedActionOutput(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(ACTIONS))
    label = serializers.CharField()
    level = serializers.ChoiceField(choices=["case", "unit"])
    unit_ids = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     help_text="Unit actions: the units it applies to now.")


class CaseDetailOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    version = serializers.IntegerField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    state_display = serializers.CharField()
    customer = CustomerRef()
    channel = serializers.ChoiceField(choices=Channel.choices)
    customer_reference = serializers.CharField(allow_blank=True)
    delivered_date = serializers.DateField(allow_null=True)
    agreed_return_date = serializers.DateField(allow_null=True, help_text="出货时限: the in-warranty repair's return "
                                               "date agreed with the customer (`agree_return_date`).")
    is_quality_incident = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    volume_class = serializers.ChoiceField(choices=VolumeClass.choices, allow_blank=True)
    volume_detail = any_map(help_text="The quantities that decided the volume class.")
    needs_quality_sorting = serializers.BooleanField()
    required_approvals = serializers.ListField(child=serializers.CharField())
    pending_approvals = serializers.ListField(child=serializers.CharField())
    created_by = serializers.CharField(allow_null=True, help_text="Null for customer users.")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    return_note_missing = NoteMissingOutput(many=True)
    lines = LineOutput(many=True)
    unit_counts = count_map(help_text="Units by state.")
    units = UnitOutput(many=True)
    approvals = ApprovalOutput(many=True)
    discrepancies = DiscrepancyOutput(many=True)
    notices = NoticeOutput(many=True)
    attachments = AttachmentOutput(many=True)
    deadlines = DeadlineSerializer(many=True, help_text="The case's clocked steps (a customer: its own only).")
    allowed_actions = AllowedActionOutput(many=True)


class ReceiveResultOutput(serializers.Serializer):
    result = serializers.ChoiceField(choices=["received", "duplicate", "extra", "wrong_case", "serial_on_open_case",
                                              "refused", "unknown_serial"])
    serial = serializers.CharField(required=False)
    line = serializers.IntegerField(required=False)
    case = serializers.CharField(required=False, help_text="The other open case's number.")
    quantity = serializers.IntegerField(required=False)
    extra = serializers.IntegerField(required=False)


class ActionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    version = serializers.IntegerField()
    results = ReceiveResultOutput(many=True, required=False, help_text="`receive`: what became of each item.")
    checks = serializers.IntegerField(required=False, help_text="`receive`: receiving checklist entries recorded.")
    accessories = serializers.IntegerField(required=False, help_text="`receive`: loose accessories recorded.")


class ReceivingListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=CaseState.choices)
    version = serializers.IntegerField()
    results = ReceiveResultOutput(many=True)


class RelatedDocumentOutput(serializers.Serializer):
    kind = serializers.CharField(help_text="supplier_claim, compensation, repair_order, material_request, quote, "
                                           "scrap_application, service_request...")
    kind_label = serializers.CharField()
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    url = serializers.CharField(help_text="The document's page.")
    at = serializers.DateTimeField(allow_null=True)
    direction = serializers.ChoiceField(choices=["up", "down"], help_text="up: the case came from it (上查); down: "
                                                                          "it follows from the case (下查).")
    parent = serializers.CharField(allow_null=True, help_text="The number of the document it belongs to.")


class TimelineEntryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    by = serializers.CharField(allow_null=True, help_text="Null for customer users.")
    at = serializers.DateTimeField()
    from_state = serializers.CharField(allow_blank=True)
    to_state = serializers.CharField(allow_blank=True)
    unit_count = serializers.IntegerField()
    unit_ids = serializers.ListField(child=serializers.IntegerField())
    unit_to_state = serializers.CharField(allow_blank=True)
    changes = any_map(help_text="What the action changed, per action.")
    comment = serializers.CharField(allow_blank=True)


class InspectedUnitOutput(serializers.Serializer):
    unit = serializers.IntegerField()
    serial = serializers.CharField(allow_blank=True)
    product_model = serializers.CharField()
    defect_class = serializers.CharField(allow_blank=True)
    grade = serializers.CharField(allow_blank=True)
    responsibility = serializers.CharField(allow_blank=True)
    responsible_department = serializers.CharField(allow_blank=True)
    repairable = serializers.BooleanField(allow_null=True)
    no_fault_found = serializers.BooleanField()
    notes = serializers.CharField(allow_blank=True)
    missing_accessories = serializers.CharField(allow_blank=True)
    inspector = serializers.CharField()
    at = serializers.DateTimeField()


class InspectionReportOutput(serializers.Serializer):
    case = serializers.CharField()
    inspected_units = serializers.IntegerField()
    by_defect_class = count_map()
    by_responsibility = count_map()
    by_department = count_map()
    by_grade = count_map()
    no_fault_found = serializers.IntegerField()
    human_damage = serializers.IntegerField()
    repairable = serializers.IntegerField()
    units = InspectedUnitOutput(many=True)


class ChecklistItemOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    requirement = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=[("model", "model"), ("complaint", "complaint")],
                                     help_text="The model's test item, or the customer's complaint point.")


class FinalChecklistOutput(serializers.Serializer):
    unit = serializers.IntegerField()
    serial = serializers.CharField(allow_blank=True)
    product_model = serializers.CharField()
    disposition = serializers.CharField(allow_blank=True)
    items = ChecklistItemOutput(many=True)


class HistoryInspectionOutput(serializers.Serializer):
    stage = serializers.CharField()
    defect_class = serializers.CharField(allow_blank=True)
    responsibility = serializers.CharField(allow_blank=True)
    no_fault_found = serializers.BooleanField()
    passed = serializers.BooleanField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    by = serializers.CharField()
    at = serializers.DateTimeField()


class ServiceHistoryEntryOutput(serializers.Serializer):
    case = serializers.CharField()
    case_id = serializers.IntegerField()
    case_state = serializers.ChoiceField(choices=CaseState.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    product_model = serializers.CharField()
    serial = serializers.CharField(allow_blank=True)
    replacement_serial = serializers.CharField(allow_blank=True)
    role = serializers.ChoiceField(choices=["returned", "replacement"])
    requested_outcome = serializers.ChoiceField(choices=Outcome.choices)
    state = serializers.ChoiceField(choices=UnitState.choices)
    disposition = serializers.ChoiceField(choices=Disposition.choices, allow_blank=True)
    exit = serializers.ChoiceField(choices=UnitExit.choices, allow_blank=True)
    warranty_status = serializers.ChoiceField(choices=WarrantyStatus.choices)
    inspections = HistoryInspectionOutput(many=True)


class ServiceHistoryOutput(serializers.Serializer):
    serial = serializers.CharField()
    entries = ServiceHistoryEntryOutput(many=True)


class InternalSaleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(help_text="The return case's number.")
    case_id = serializers.IntegerField()
    unit = serializers.IntegerField(help_text="The unit's id.")
    serial = serializers.CharField(allow_blank=True)
    product_model = serializers.CharField(help_text="The model's code.")
    price = money()
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    buyer_kind = serializers.ChoiceField(choices=["employee", "department"])
    buyer = serializers.CharField(help_text="The employee's username, or the department.")
    sold_on = serializers.DateField()
    recorded_by = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class ReplenishmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(help_text="The return case's number.")
    case_id = serializers.IntegerField()
    customer = serializers.CharField(help_text="The customer's code.")
    product_model = serializers.CharField(help_text="The model's code.")
    quantity = serializers.IntegerField()
    unit_ids = serializers.ListField(child=serializers.IntegerField())
    due_date = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=["open", "done"])
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
