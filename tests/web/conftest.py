import pytest
from django.test import Client

from tests.returns.conftest import detail, flow, new_case, registry  # noqa: F401  the return case's flow helpers


@pytest.fixture
def browser_as(users):
    """browser_as("quality") -> a Django test client logged in (session) as that persona."""

    def make(username):
        client = Client()
        client.force_login(users[username])
        return client

    return make
