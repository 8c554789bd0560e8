import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from aftersales.accounts.models import User
from aftersales.core.roles import ROLE_CODES
from aftersales.masterdata.demo import DEMO_PASSWORD
from aftersales.masterdata.models import Customer, ShippedUnit

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "users": list(User.objects.order_by("pk").values_list("username", "password", "customer_id")),
        "customers": Customer.history.count(),
        "units": ShippedUnit.history.count(),
    }


def test_demo_data_is_idempotent():
    call_command("demo")
    first = snapshot()
    call_command("demo")
    assert snapshot() == first
    assert first["units"] > 0


def test_one_demo_user_per_role_with_the_documented_password():
    call_command("demo")
    for code in ROLE_CODES:
        user = authenticate(username=code, password=DEMO_PASSWORD)
        assert user is not None, code
        assert set(user.groups.values_list("name", flat=True)) == {code}
    assert User.objects.get(username="customer").customer is not None
    assert User.objects.get(username="service").customer is None
