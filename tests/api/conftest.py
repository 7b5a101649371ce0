import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apitokens.services import issue_token


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with a full budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def client_with_token(username, scheme="Token"):
    _user, _created, token = issue_token(username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")
    return client


@pytest.fixture
def alice(kb_db):
    return client_with_token("alice")


@pytest.fixture
def bob(kb_db):
    return client_with_token("bob")


def errors_of(response):
    """(field, message) pairs of the shared error body."""
    body = response.json()
    assert set(body) == {"errors"}, body
    return [(error["field"], error["message"]) for error in body["errors"]]
