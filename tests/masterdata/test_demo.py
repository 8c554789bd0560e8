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


def test_the_demo_shows_the_product_at_work():
    """Three months of a small factory through the services: cases closed and cancelled, open ones at
    every step (some overdue, some due today), a batch with its rework order waiting for the first
    article and a material request, a scrap application, and a quote waiting in the portal."""
    from django.utils import timezone

    from aftersales.deadlines.models import Deadline
    from aftersales.repairs.models import MaterialRequest, Quote, RepairOrder, ScrapApplication
    from aftersales.returns.models import CaseEvent, ReturnCase

    call_command("demo")
    states = set(ReturnCase.objects.values_list("state", flat=True))
    assert {"submitted", "approved", "receiving", "inspecting", "disposed", "in_work", "final_inspection", "ready",
            "closed", "cancelled"} <= states
    assert set(RepairOrder.objects.values_list("state", flat=True)) >= {"first_article", "in_progress", "done"}
    assert MaterialRequest.objects.filter(state="submitted").exists()
    assert ScrapApplication.objects.filter(state="submitted").exists()
    quote = Quote.objects.get(state="sent")
    assert quote.return_case.customer.users.filter(username="customer").exists()  # waits in the demo portal
    now = timezone.now()
    assert Deadline.objects.filter(state="open", due_at__lte=now).exists()  # overdue steps
    from aftersales.claims.models import Compensation, SupplierClaim

    assert set(SupplierClaim.objects.values_list("state", flat=True)) == {"sent", "closed"}  # purchasing's claims
    assert Compensation.objects.filter(state="proposed").exists()  # waits for the manager
    first = CaseEvent.objects.order_by("at").first().at
    assert (now - first).days >= 80  # the story began weeks ago, through the services' own timestamps
    before = snapshot(), ReturnCase.objects.count(), CaseEvent.objects.count()
    call_command("demo")
    assert (snapshot(), ReturnCase.objects.count(), CaseEvent.objects.count()) == before
