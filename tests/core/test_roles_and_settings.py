import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from aftersales.accounts.services import check_user_roles, user_create
from aftersales.config.env import env_bool, env_int
from aftersales.core.errors import InvalidInput
from aftersales.core.roles import PERMISSIONS, ROLE_CODES


@pytest.mark.django_db
def test_each_role_is_a_group_holding_exactly_its_permissions():
    for code in ROLE_CODES:
        group = Group.objects.get(name=code)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == PERMISSIONS[code], code


def test_domain_roles_are_all_there():
    # DOMAIN.md's roles, and the e-commerce desk (电商) that 售后客返品管理流程 5.1.1-5.1.3 names beside service.
    assert set(ROLE_CODES) == {"service", "warehouse", "quality", "planning", "repair", "engineering", "purchasing",
                               "finance", "technician", "manager", "customer", "ecommerce"}


@pytest.mark.parametrize("customer,roles", [
    ("C", {"customer", "service"}),  # a customer user holds no staff role
    ("C", set()),
    (None, {"customer"}),  # the customer role needs a customer
    (None, {"boss"}),
])
def test_user_roles_rules(customer, roles):
    with pytest.raises(InvalidInput):
        check_user_roles(customer=customer, role_codes=roles)


def test_staff_may_hold_several_roles():
    check_user_roles(customer=None, role_codes={"quality", "engineering"})


@pytest.mark.django_db
def test_user_create_refuses_a_customer_user_with_staff_roles(customers):
    with pytest.raises(InvalidInput):
        user_create(username="mixed", password="x", role_codes={"customer", "service"}, customer=customers["alice"])
    from aftersales.accounts.models import User

    assert not User.objects.filter(username="mixed").exists()


@pytest.mark.django_db
def test_admin_form_refuses_customer_user_with_staff_role(customers, users):
    from aftersales.accounts.admin import UserForm

    user = users["alice"]
    form = UserForm(instance=user, data={
        "username": "alice", "customer": customers["alice"].pk, "language": "zh-hans",
        "groups": [Group.objects.get(name="customer").pk, Group.objects.get(name="service").pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00", "is_active": True,
    })
    assert not form.is_valid()
    assert "groups" in form.errors


def test_env_values_fail_fast(monkeypatch):
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False


def _run(args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "AFTERSALES_HTTPS"}}
    base["DJANGO_SETTINGS_MODULE"] = "aftersales.config.settings"
    return subprocess.run([sys.executable, "-m", "aftersales", *args], env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], DEBUG="false",
                  SECRET_KEY="k" * 20 + "Zq8#xL2!vN4@pR6$tY9%uB1^wC3&eD5*", ALLOWED_HOSTS="aftersales.example.com")
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_fails_fast_in_production():
    result = _run(["check"], DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
