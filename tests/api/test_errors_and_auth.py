"""Every failure has the same body: {"errors": [{"field", "message", "code"}]}; tokens are stored hashed."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.api.conftest import client_with_token, errors_of

pytestmark = pytest.mark.django_db


def test_400_names_the_query_parameter(api, kb_db):
    response = api.get("/api/v1/provisions", {"in_force_on": "28/11/2026"})
    assert response.status_code == 400
    assert [field for field, _ in errors_of(response)] == ["in_force_on"]


def test_401_without_a_token_on_an_authenticated_endpoint(api, kb_db):
    response = api.get("/api/v1/ping")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [(None, "Authentication credentials were not provided.")]


@pytest.mark.parametrize("header", ["Token prv_0000", "Bearer nonsense", "Token", "Bearer a b"])
def test_401_for_a_wrong_or_malformed_token(api, kb_db, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/models")  # even on an open endpoint: a bad token is an error, not anonymity
    assert response.status_code == 401
    assert errors_of(response)[0][0] is None


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer"])
def test_token_and_bearer_schemes_both_authenticate(kb_db, scheme):
    client = client_with_token("carol", scheme=scheme)
    response = client.get("/api/v1/ping")
    assert response.status_code == 200 and response.json() == {"user": "carol"}


def test_404_for_unknown_objects_and_unknown_paths(api, kb_db):
    for path in ("/api/v1/models/no-such-model", "/api/v1/models/no-such-model/lineage", "/api/v1/no-such-endpoint",
                 "/api/v1/models?page=999"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert errors_of(response)[0][0] is None


def test_405_for_writes_to_the_read_only_knowledge_base(api, kb_db):
    response = api.delete("/api/v1/models/deepseek-r1")
    assert response.status_code == 405
    assert errors_of(response) == [(None, 'Method "DELETE" not allowed.')]
    assert api.post("/api/v1/models", {"slug": "x"}).status_code == 405


def test_429_when_an_anonymous_client_exceeds_its_rate(api, kb_db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "100/minute"}}
    statuses = [api.get("/api/v1/organizations").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/organizations")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "throttled" in errors_of(response)[0][1].lower()


def test_429_counts_per_user_not_per_address(kb_db, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100/minute", "user": "2/minute"}}
    alice, bob = client_with_token("alice"), client_with_token("bob")
    assert [alice.get("/api/v1/ping").status_code for _ in range(3)] == [200, 200, 429]
    assert bob.get("/api/v1/ping").status_code == 200  # same address, different user: own budget


def test_create_api_token_creates_the_user_prints_the_token_once_and_stores_only_a_digest(kb_db):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "pipeline-bot", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("prv_") and "Created user pipeline-bot" in err.getvalue()
    stored = AuthToken.objects.get(user__username="pipeline-bot")
    assert token not in (stored.digest, stored.token_key) and len(stored.digest) == 128  # SHA-512 hex
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/ping").json() == {"user": "pipeline-bot"}

    call_command("create_api_token", "pipeline-bot", stdout=io.StringIO(), stderr=(err2 := io.StringIO()))
    assert "Created user" not in err2.getvalue()
    assert AuthToken.objects.filter(user__username="pipeline-bot").count() == 2


def test_an_inactive_users_token_is_refused(kb_db):
    client = client_with_token("gone")
    AuthToken.objects.get(user__username="gone").user.__class__.objects.filter(username="gone").update(is_active=False)
    assert client.get("/api/v1/ping").status_code == 401


def test_the_admin_issues_a_token_and_shows_it_once(admin_client, django_user_model):
    user = django_user_model.objects.create(username="ci-runner")
    response = admin_client.post("/admin/knox/authtoken/add/", {"user": user.pk, "expiry": ""})
    assert response.status_code == 200  # on the answer page itself, never in a message (a cookie); tests/security/test_tokens.py
    token = response.context["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/ping").json() == {"user": "ci-runner"}


def test_an_expired_token_is_refused_and_deleted(kb_db):
    client = client_with_token("temp")
    AuthToken.objects.filter(user__username="temp").update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/ping").status_code == 401
    assert not AuthToken.objects.filter(user__username="temp").exists()


def test_token_authentication_costs_one_query(kb_db):
    client = client_with_token("counted")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/ping").status_code == 200
    assert len(queries) == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/models/a%00b", "/api/v1/models/a%00b/lineage", "/api/v1/terms/%00", "/api/v1/provisions/%01", "/api/v1/organizations/a%0Ab"]
)
def test_control_characters_in_a_lookup_are_404_not_a_database_error(api, kb_db, path):
    response = api.get(path)
    assert response.status_code == 404 and errors_of(response)[0][0] is None


def test_control_characters_in_a_filter_are_400_naming_it(api, kb_db):
    response = api.get("/api/v1/models", {"organization": "a\x00b"})
    assert response.status_code == 400 and [f for f, _ in errors_of(response)] == ["organization"]
