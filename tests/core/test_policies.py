from decimal import Decimal

import pytest

from aftersales.core import policies
from aftersales.core.errors import InvalidInput
from aftersales.core.models import Policy

# --- pure rules, no database ---


def test_every_policy_default_is_valid_for_its_own_type():
    for definition in policies.DEFINITIONS:
        stored = policies.to_storage(definition, definition.default)
        assert policies.from_storage(definition, stored) == definition.default


def test_domain_defaults_are_registered():
    defaults = {d.key: d.default for d in policies.DEFINITIONS}
    assert defaults["warranty_months"] == 12
    assert defaults["ecommerce_no_reason_return_days"] == 7
    assert defaults["ecommerce_no_reason_exchange_days"] == 15
    assert defaults["batch_threshold_per_model_per_day"] == 50
    assert defaults["batch_threshold_all_models_per_day"] == 100
    assert defaults["quality_sorting_threshold_units"] == 20
    assert defaults["service_first_reply_hours"] == 24
    assert defaults["repair_plan_reply_hours"] == 8
    assert defaults["batch_repair_extra_hours"] == 48
    assert defaults["max_delay_working_days"] == 15
    assert defaults["monthly_statistics_due_day"] == 4
    assert defaults["penalty_ignored_dispatch"] == Decimal("100")


@pytest.mark.parametrize("key,value", [
    ("warranty_months", "twelve"), ("warranty_months", 12.5), ("warranty_months", -1), ("warranty_months", True),
    ("monthly_statistics_due_day", 31), ("warranty_void_on_tampering", "yes"), ("penalty_late_on_site", "abc"),
    ("penalty_late_on_site", "NaN"),
])
def test_bad_values_are_refused(key, value):
    with pytest.raises(InvalidInput) as info:
        policies.to_storage(policies.REGISTRY[key], value)
    assert "value" in info.value.details


# --- stored, read, changed by a manager, audited ---

@pytest.mark.django_db
def test_policies_are_seeded_and_read_through_the_module():
    assert Policy.objects.count() == len(policies.DEFINITIONS)
    assert policies.value("warranty_months") == 12
    assert policies.snapshot()["penalty_phone_off"] == Decimal("10")


@pytest.mark.django_db
def test_manager_changes_a_policy_and_the_change_is_audited(api, users):
    response = api("manager").patch("/api/v1/policies/batch_threshold_per_model_per_day/",
                                    {"value": 30, "reason": "旺季调整"})
    assert response.status_code == 200, response.json()
    assert response.json()["value"] == 30
    assert policies.value("batch_threshold_per_model_per_day") == 30
    history = api("manager").get("/api/v1/policies/batch_threshold_per_model_per_day/history/").json()["results"]
    assert history[0]["user"] == "manager"
    assert history[0]["reason"] == "旺季调整"
    assert history[0]["changes"] == [{"field": "value", "old": 50, "new": 30}]


@pytest.mark.django_db
def test_policy_list_documents_each_policy(api, users):
    body = api("warehouse").get("/api/v1/policies/", {"page_size": 500}, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    warranty = next(p for p in body if p["key"] == "warranty_months")
    assert warranty["type"] == "int"
    assert warranty["default"] == 12
    assert warranty["unit"] == "months"
    assert warranty["source"].startswith("返品处理管理规定")
    assert warranty["label"] == "Warranty period"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["warehouse", "service", "quality", "finance", "technician", "alice"])
def test_only_managers_change_policies(api, users, role):
    response = api(role).patch("/api/v1/policies/warranty_months/", {"value": 24})
    assert response.status_code == 403
    assert policies.value("warranty_months") == 12


@pytest.mark.django_db
def test_bad_policy_value_answers_the_field_and_changes_nothing(api, users):
    response = api("manager").patch("/api/v1/policies/warranty_months/", {"value": "a year"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "value" in response.json()["details"]
    assert policies.value("warranty_months") == 12
    assert Policy.history.filter(key="warranty_months").count() == 1  # only the seeding


@pytest.mark.django_db
def test_unknown_policy_is_404(api, users):
    assert api("manager").patch("/api/v1/policies/no_such_policy/", {"value": 1}).status_code == 404
