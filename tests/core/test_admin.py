"""Every admin list and add page renders; workflow records are read-only there."""

import pytest
from django.contrib import admin
from django.urls import reverse

from aftersales.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client):
    user = User.objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(user)
    return client


def test_every_changelist_renders(boss, units):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert boss.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ["returns_returncase", "returns_returnunit", "inventory_stockmove",
                                  "inventory_stockbalance", "core_loginattempt"])
def test_workflow_and_ledger_records_cannot_be_added_in_the_admin(boss, name):
    assert boss.get(reverse(f"admin:{name}_add")).status_code == 403


def test_policy_change_in_the_admin_is_validated_and_audited(boss):
    from aftersales.core.models import Policy

    policy = Policy.objects.get(key="warranty_months")
    url = reverse("admin:core_policy_change", args=[policy.pk])
    assert boss.get(url).status_code == 200
    bad = boss.post(url, {"value": '"a year"', "reason": ""})
    assert bad.status_code == 200  # the form again, with the error
    policy.refresh_from_db()
    assert policy.value == 12
    boss.post(url, {"value": "18", "reason": "重点客户"})
    policy.refresh_from_db()
    assert policy.value == 18
    assert policy.history.latest().history_user.username == "boss"
