"""Queries that could stall the server are refused with a clear message, or answered, never a 500
(both backends: see conftest's `backend`). bench/search.py times the same worst cases."""

import pytest
from django.core.cache import cache

from kb.search.base import search
from kb.search.query import MAX_QUERY_CHARS, MAX_QUERY_TERMS, MAX_SUGGESTED_WORDS, QueryError, parse

pytestmark = pytest.mark.django_db

TOO_LONG = "llama " * 400  # 2,400 characters
REPEATED = " ".join(["llama"] * 300)  # within 2,000 characters, 300 terms
MANY_TERMS = " ".join(f"w{i}" for i in range(1000))  # the RecursionError of issue 18


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def test_a_query_over_the_length_limit_is_refused_with_the_limit_in_the_message():
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_CHARS}"):
        parse("x" * (MAX_QUERY_CHARS + 1))
    assert parse("x" * MAX_QUERY_CHARS).terms()


@pytest.mark.parametrize("text", [" ".join(["llama"] * (MAX_QUERY_TERMS + 1)), MANY_TERMS[:MAX_QUERY_CHARS], " OR ".join(["llama"] * (MAX_QUERY_TERMS + 1))])
def test_a_query_over_the_term_limit_is_refused_with_the_limit_in_the_message(text):
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_TERMS}"):
        parse(text)


def test_nul_and_other_control_characters_count_as_spaces():
    assert [t.text for t in parse("llama\x003.1\x01\x7f8b").terms()] == ["llama", "3.1", "8b"]


def test_pathological_queries_within_the_limits_are_answered(backend):
    nul = search("llama\x00 3.1\x00", backend=backend)
    assert nul.total == search("llama 3.1", backend=backend).total > 0
    repeated = search(" ".join(["llama"] * MAX_QUERY_TERMS), backend=backend)
    assert repeated.total == search("llama", backend=backend).total
    alternatives = search(" OR ".join(["llama"] * MAX_QUERY_TERMS), backend=backend)
    assert alternatives.total == repeated.total


def test_did_you_mean_looks_at_only_the_first_few_unknown_words(backend):
    assert search("lama zqxv0", backend=backend).suggestion.lower() == "llama zqxv0"
    unknown_first = " ".join(f"zqxv{i}" for i in range(MAX_SUGGESTED_WORDS))
    assert search(f"{unknown_first} lama", backend=backend).suggestion == ""  # "lama" is past the words looked at


@pytest.mark.parametrize("text", [TOO_LONG, REPEATED, MANY_TERMS])
def test_the_api_answers_an_outsize_query_with_a_400_naming_q(client, backend, text):
    response = client.get("/api/v1/search", {"q": text})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "q" and "at most" in error["message"]


def test_the_api_refuses_a_query_with_nul_characters_naming_the_parameter(client, backend):
    # A NUL is not text: the request is refused before any search or database query (config/security.py).
    response = client.get("/api/v1/search", {"q": "llama\x00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("q contains a NUL character")


@pytest.mark.parametrize("text", [TOO_LONG, REPEATED, MANY_TERMS])
def test_the_portal_shows_the_limit_for_an_outsize_query(client, backend, text):
    response = client.get("/search", {"q": text})
    assert response.status_code == 400
    assert "at most" in response.content.decode()


def test_the_portal_search_is_throttled_like_the_api(client, backend, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"}}
    assert [client.get("/search", {"q": "llama"}).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/search", {"q": "llama"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many searches" in refused.content.decode()
    # The API counts against the same budget.
    assert client.get("/api/v1/search", {"q": "llama"}).status_code == 429
