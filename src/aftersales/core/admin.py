from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import policies
from .errors import InvalidInput
from .models import LoginAttempt, Policy


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their services (ledgers, timelines, workflow)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PolicyForm(forms.ModelForm):
    reason = forms.CharField(label=_("reason for the change"), required=False)

    class Meta:
        model = Policy
        fields = ["value"]

    def clean_value(self):
        try:
            return policies.to_storage(self.instance.definition, self.cleaned_data["value"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.details["value"]) from None


@admin.register(Policy)
class PolicyAdmin(SimpleHistoryAdmin):
    form = PolicyForm
    list_display = ["key", "label", "value", "unit", "source", "updated_at"]
    readonly_fields = ["key", "label", "description", "unit", "default", "source"]
    fields = ["key", "label", "description", "value", "unit", "default", "source", "reason"]

    @admin.display(description=_("name"))
    def label(self, obj):
        return obj.definition.label if obj.definition else ""

    @admin.display(description=_("description"))
    def description(self, obj):
        return obj.definition.description if obj.definition else ""

    @admin.display(description=pgettext_lazy("unit of measure", "unit"))
    def unit(self, obj):
        return policies.UNITS[obj.definition.unit] if obj.definition else ""

    @admin.display(description=_("default"))
    def default(self, obj):
        return obj.definition.default if obj.definition else ""

    @admin.display(description=_("source"))
    def source(self, obj):
        return obj.definition.source if obj.definition else ""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        policies.policy_update(actor=request.user, key=obj.key, new_value=obj.value,
                               reason=form.cleaned_data.get("reason", ""))


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ["username", "ip_address", "succeeded", "attempted_at"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip_address"]
