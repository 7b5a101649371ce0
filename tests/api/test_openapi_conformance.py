"""Schemathesis against our own OpenAPI schema: generated requests (bounded) to every read-only
operation and to POST checks, with a token; no 5xx, no undocumented status, no response that breaks
the schema."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from apitokens.services import issue_token

schema = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", get_wsgi_application())
cache.clear()  # loading the schema counted against the anonymous throttle

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the WSGI handler, which closes the database connection after each one;
    the test's transaction lives on that connection, so (as Django's test client does) keep it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(kb_db):
    return issue_token("schemathesis")[2]


@pytest.fixture
def unthrottled(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}


@pytest.mark.django_db
@schema.include(method="GET").parametrize()
@settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_read_operations_conform_to_the_schema(case, token, unthrottled):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.mark.django_db
@schema.include(method="POST", path="/api/v1/checks").parametrize()
@settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_post_checks_conforms_to_the_schema(case, token, unthrottled):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
