import pytest
from django.test import Client



@pytest.fixture
def browser_as(users):
    """browser_as("quality") -> a Django test client logged in (session) as that persona."""

    def make(username):
        client = Client()
        client.force_login(users[username])
        return client

    return make
