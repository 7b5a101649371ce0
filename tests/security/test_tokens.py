"""Tokens: failed authentication is throttled per address (429), a token issued in the admin is shown
once and never stored in a cookie, and draft rule text is shown only to editors."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from apitokens.services import issue_token
from policies.models import Rule
from tests.api.conftest import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_failures(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth_failures": "3/hour"}}


def with_token(token, address="203.0.113.7"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_failed_authentication_is_throttled_per_address_then_even_a_good_token_waits(kb_db, few_failures):
    _user, _created, good = issue_token("frank")
    guesser = with_token("prv_not-a-real-token")
    assert [guesser.get("/api/v1/checks").status_code for _ in range(3)] == [401, 401, 401]
    response = guesser.get("/api/v1/checks")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert errors_of(response) == [(None, "Too many failed authentications from this address. Expected available in 3600 seconds.")]
    # From that address every token waits (guesses must not go on), from another the good one works.
    assert with_token(good).get("/api/v1/checks").status_code == 429
    assert with_token(good, address="198.51.100.1").get("/api/v1/checks").status_code == 200


def test_successful_authentication_is_not_counted_as_failure(kb_db, few_failures):
    _user, _created, good = issue_token("gina")
    client = with_token(good)
    assert {client.get("/api/v1/checks").status_code for _ in range(6)} == {200}


def test_a_token_issued_in_the_admin_is_shown_once_on_the_page_and_not_in_a_cookie(admin_client, kb_db):
    someone = User.objects.create_user("hank")
    response = admin_client.post("/admin/knox/authtoken/add/", {"user": someone.pk, "expiry": ""})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    token = body.split('<code id="issued-token">', 1)[1].split("</code>", 1)[0]
    assert token.startswith("prv_") and "shown only this once" in body
    assert all(token not in morsel.value for morsel in response.cookies.values())
    assert "messages" not in response.cookies
    # The token works, and the next admin page does not show it again.
    assert with_token(token).get("/api/v1/checks").status_code == 200
    assert token not in admin_client.get("/admin/knox/authtoken/").content.decode()
    assert AuthToken.objects.filter(user=someone).count() == 1


def make_draft(rule, **changes):
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.status = Rule.Status.DRAFT
    rule._change_reason = "draft for a test"
    rule.save()
    return rule


@pytest.fixture
def editor(kb_db):
    person = User.objects.create_user("ed", password="pw", is_staff=True)
    person.user_permissions.add(*Permission.objects.filter(codename__in=["view_rule", "change_rule"]))
    client = APIClient()
    client.force_login(person)
    return client


def test_draft_rule_text_is_shown_to_editors_only(editor, kb_db):
    rule = Rule.objects.get(slug="competing-models")
    published = {"title": rule.title, "message": rule.message, "effect": rule.effect, "clauses": sorted(c.key for c in rule.clauses.all())}
    make_draft(rule, title="Unreviewed title", message="Unreviewed message", effect="permit")
    rule.clauses.clear()

    anonymous = APIClient().get("/api/v1/rules/competing-models").json()
    assert (anonymous["status"], anonymous["title"], anonymous["message"], anonymous["effect"]) == (
        "published", published["title"], published["message"], published["effect"])
    assert sorted(c["key"] for c in anonymous["clauses"]) == published["clauses"]
    listed = {r["slug"]: r for r in APIClient().get("/api/v1/rules", {"page_size": 200}).json()["results"]}
    assert listed["competing-models"]["title"] == published["title"]
    # Filters apply to what the reader sees: the draft's effect does not place the rule.
    assert "competing-models" not in {r["slug"] for r in APIClient().get("/api/v1/rules", {"effect": "permit", "page_size": 200}).json()["results"]}
    assert "competing-models" in {r["slug"] for r in APIClient().get("/api/v1/rules", {"effect": published["effect"], "page_size": 200}).json()["results"]}

    seen = editor.get("/api/v1/rules/competing-models").json()
    assert (seen["status"], seen["title"], seen["effect"], seen["clauses"]) == ("draft", "Unreviewed title", "permit", [])


def test_a_rule_never_published_is_not_found_by_readers(editor, kb_db):
    Rule.objects.create(slug="secret-plan", title="Not yet", effect="review", message="m", status=Rule.Status.DRAFT)
    response = Client().get("/api/v1/rules/secret-plan")
    assert response.status_code == 404 and errors_of(response)[0][0] is None
    assert "secret-plan" not in {r["slug"] for r in APIClient().get("/api/v1/rules", {"page_size": 200}).json()["results"]}
    assert "Not yet" not in Client().get("/rules/").content.decode()
    assert editor.get("/api/v1/rules/secret-plan").json()["title"] == "Not yet"
