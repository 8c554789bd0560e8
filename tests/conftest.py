"""Personas for permission tests (after Healthchecks' hc/test.py):

- one staff user per role, username = role code (service, warehouse, quality, ..., manager);
- alice: customer user of customer C-ALICE; bob: customer user of customer C-BOB.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from aftersales.accounts.services import user_create
from aftersales.core.roles import STAFF_ROLE_CODES
from aftersales.masterdata.models import Customer, ProductModel, ShippedUnit

PASSWORD = "s3cret-Passw0rd"
# The return case's flow fixtures (new_case, received, refused, ...) for every test directory.
pytest_plugins = ["tests.flows"]


@pytest.fixture(autouse=True)
def answers_as_documented(monkeypatch):
    """Every API answer a test produces (APIClient and Django's client alike) is checked against the
    OpenAPI schema of its operation and status (tests/api_schema.py): the schema cannot drift from
    what the API sends without a test failing."""
    from tests import api_schema

    sent = Client.request

    def request(self, **environ):
        response = sent(self, **environ)
        api_schema.check(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""), response.status_code,
                         response.get("Content-Type", ""), b"" if response.streaming else response.content)
        return response

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def customers(db):
    return {
        "alice": Customer.objects.create(code="C-ALICE", name="华东经销商（上海）", kind="dealer", region="华东"),
        "bob": Customer.objects.create(code="C-BOB", name="天猫旗舰店", kind="ecommerce", region="全国"),
    }


@pytest.fixture
def users(db, customers):
    found = {code: user_create(username=code, password=PASSWORD, role_codes={code}) for code in STAFF_ROLE_CODES}
    found["alice"] = user_create(username="alice", password=PASSWORD, role_codes={"customer"}, customer=customers["alice"])
    found["bob"] = user_create(username="bob", password=PASSWORD, role_codes={"customer"}, customer=customers["bob"])
    found["nobody"] = user_create(username="nobody", password=PASSWORD, role_codes=set())
    return found


@pytest.fixture
def api(users):
    """api("manager") -> an APIClient logged in as that persona; api(None) -> anonymous."""

    def make(username):
        client = APIClient()
        if username is not None:
            client.force_authenticate(users[username])
        return client

    return make


@pytest.fixture
def browser_as(users):
    """browser_as("quality") -> a Django test client logged in (session) as that persona, for the pages."""

    def make(username):
        client = Client()
        client.force_login(users[username])
        return client

    return make


@pytest.fixture
def product_models(db):
    return {
        "HT-2000": ProductModel.objects.create(code="HT-2000", name="电热水器 2000W", spec="60L", category="电热水器",
                                               warranty_months=12),
        "MC-750": ProductModel.objects.create(code="MC-750", name="无刷电机控制器", spec="48V 750W",
                                              category="电机控制器", warranty_months=18),
    }


@pytest.fixture
def units(customers, product_models):
    made = []
    for index in range(6):
        customer = customers["alice"] if index < 4 else customers["bob"]
        made.append(ShippedUnit.objects.create(
            serial=f"HT2601{index:05d}", product_model=product_models["HT-2000"], customer=customer,
            production_lot="260105-1" if index % 2 == 0 else "260105-2", shipped_date="2026-01-05",
            sales_order=f"SO2601{index:04d}"))
    return made


SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """A moment in China's time: at("2026-11-02T09:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """clock("2026-11-02T09:00"): the moment the next actions happen, for the deadlines' own clock."""
    moment = {"now": None}
    monkeypatch.setattr("aftersales.deadlines.services.now", lambda: moment["now"])

    def set_to(text: str) -> None:
        moment["now"] = at(text)

    return set_to


@pytest.fixture
def db_worker(monkeypatch):
    """db_worker(): run django-tasks-db's worker over every task waiting, in this test's transaction.
    (The worker closes stale connections between tasks; inside a test's transaction that would close
    the test's own connection, so that step is left out here.)"""
    from django.core.management import call_command

    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
