"""Schemathesis against the WSGI application in-process, with the test database: for every operation of the
schema it generates a few requests, sends each as staff (the manager) and as a customer user (alice), and
checks that no answer is a server error and that each answer's status, content type, headers and body are
what the schema documents for the operation."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

EXAMPLES = 3  # generated per operation, besides the coverage cases: about a minute for the whole schema
# What the answers must be. Left out: whether the schema's input types alone decide acceptance (the services
# also refuse a customer code that does not exist, a state that does not allow the write), and the checks
# that the generated credentials are refused (the test sends real tokens).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]

# The coverage phase sends each operation the values just outside what its schema allows (an array for an
# object, a string for a number, a value past a bound): where server errors hide. Its positive half (every
# boundary of every filter) would take minutes, and the methods a path does not have are DRF's 405s.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {
    "unexpected-methods": [], "generation": {"mode": "negative"}}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def in_the_test_transaction():
    """Requests reach the WSGI application directly, not through Django's test client: like the client, keep
    Django from closing the database connection at the end of each request (on PostgreSQL that would close
    the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db, users, units, product_models, in_the_test_transaction):
    """Staff (the manager, who reads and writes most) and a customer user, with some master data to find."""
    return {name: Token.objects.get_or_create(user=users[name])[0].key for name in ("manager", "alice")}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])
def test_every_operation_answers_as_documented(case, tokens):
    for token in tokens.values():
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
