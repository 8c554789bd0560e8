"""Input and output of the claims API (the OpenAPI schema types every request and answer)."""

from rest_framework import serializers

from .models import ClaimState, CompensationForm, CompensationState, SupplierAnswer


class ClaimItemInput(serializers.Serializer):
    unit = serializers.IntegerField(required=False, help_text="A unit of the claim's case (id).")
    part = serializers.CharField(required=False, help_text="A part (code).")
    quantity = serializers.IntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True)


class ClaimInput(serializers.Serializer):
    supplier = serializers.CharField(help_text="The supplier's code.")
    case = serializers.IntegerField(required=False, allow_null=True, help_text="The return case (id).")
    items = ClaimItemInput(many=True)
    description = serializers.CharField()
    amount_claimed = serializers.CharField(help_text="Yuan, e.g. \"1200.00\".")
    attachments = serializers.ListField(child=serializers.IntegerField(), required=False,
                                        help_text="Evidence: ids of the case's photos and files.")


class ClaimActionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False)
    answer = serializers.ChoiceField(choices=SupplierAnswer.choices, required=False)
    answer_text = serializers.CharField(required=False, allow_blank=True)
    amount_recovered = serializers.CharField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    amount_claimed = serializers.CharField(required=False, help_text="`amend`: the amount claimed (CNY).")
    description = serializers.CharField(required=False, help_text="`amend`: what is claimed.")


class AllowedOutput(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()


class ClaimItemOutput(serializers.Serializer):
    unit = serializers.IntegerField(allow_null=True)
    serial = serializers.CharField(allow_blank=True)
    product_model = serializers.CharField(allow_null=True)
    part = serializers.CharField(allow_null=True)
    part_name = serializers.CharField(allow_blank=True)
    quantity = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    inspection = serializers.DictField(allow_null=True, help_text="The unit's latest intake inspection.")


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField(allow_blank=True)
    url = serializers.CharField()


class ClaimListOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    supplier = serializers.CharField()
    supplier_name = serializers.CharField()
    case = serializers.CharField(allow_null=True)
    case_id = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=ClaimState.choices)
    amount_claimed = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_recovered = serializers.DecimalField(max_digits=14, decimal_places=2)
    due_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class ClaimOutput(ClaimListOutput):
    description = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    answer_text = serializers.CharField(allow_blank=True)
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    items = ClaimItemOutput(many=True)
    evidence = EvidenceOutput(many=True)
    allowed_actions = AllowedOutput(many=True)


class CompensationInput(serializers.Serializer):
    case = serializers.IntegerField(help_text="The return case (id).")
    amount = serializers.CharField(help_text="Yuan, e.g. \"300.00\".")
    form = serializers.ChoiceField(choices=CompensationForm.choices)
    goods = serializers.CharField(required=False, allow_blank=True, help_text="What is given (form goods).")
    reason = serializers.CharField()


class CompensationActionInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True)
    reference = serializers.CharField(required=False, allow_blank=True, help_text="Settlement: the voucher's number.")


class CompensationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    case = serializers.CharField()
    case_id = serializers.IntegerField()
    customer = serializers.CharField()
    state = serializers.ChoiceField(choices=CompensationState.choices)
    state_label = serializers.CharField(help_text="The state in the reader's language.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    form = serializers.ChoiceField(choices=CompensationForm.choices)
    form_label = serializers.CharField(help_text="The form in the reader's language.")
    goods = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    proposed_by = serializers.CharField()
    proposed_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField(allow_blank=True)
    settled_at = serializers.DateTimeField(allow_null=True)
    settlement_reference = serializers.CharField(allow_blank=True)
    allowed_actions = AllowedOutput(many=True)
