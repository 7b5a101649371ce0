"""GET /api/v1/search: the portal's search interface (kb.search) as JSON."""

import pytest
from django.test import override_settings

from kb.search.base import get_backend, search
from kb.search.sync import rebuild_index
from tests.api.conftest import errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built_index(django_db_setup, django_db_blocker, tmp_path_factory):
    """The shipped knowledge base indexed once for the module: these tests only read it."""
    path = tmp_path_factory.mktemp("search-index")
    with override_settings(SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=path), django_db_blocker.unblock():
        rebuild_index(get_backend())
    return path


@pytest.fixture
def index(kb_db, settings, built_index):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = built_index


def test_search_returns_the_same_hits_as_the_portal_in_order(api, index):
    response = api.get("/api/v1/search", {"q": "llama", "page_size": 5})
    assert response.status_code == 200
    body = response.json()
    portal = search("llama", page=1, page_size=5)
    assert body["count"] == portal.total > 0
    assert [(h["kind"], h["title"]) for h in body["results"]] == [(h.kind, h.title) for h in portal.hits]
    assert all(h["url"].startswith("http://testserver/") for h in body["results"])
    assert set(body["facets"]) and body["suggestion"] == portal.suggestion


def test_search_filters_and_pages_like_the_portal(api, index):
    models = api.get("/api/v1/search", {"q": "kind:model llama"}).json()
    assert models["results"] and {h["kind"] for h in models["results"]} == {"model"}
    first = api.get("/api/v1/search", {"q": "license", "page_size": 1}).json()
    if first["count"] > 1:
        second = api.get(first["next"].removeprefix("http://testserver")).json()
        assert second["results"] != first["results"] and second["previous"]


def test_filters_may_also_be_query_parameters_as_in_any_list_endpoint(api, index):
    as_parameters = api.get("/api/v1/search", {"q": "llama", "kind": "model", "org": "meta", "page_size": 50}).json()
    in_the_query = api.get("/api/v1/search", {"q": "llama kind:model org:meta", "page_size": 50}).json()
    unfiltered = api.get("/api/v1/search", {"q": "llama", "page_size": 50}).json()
    assert as_parameters["results"] == in_the_query["results"]
    assert 0 < as_parameters["count"] < unfiltered["count"]
    assert {h["kind"] for h in as_parameters["results"]} == {"model"}
    assert [v["value"] for v in as_parameters["facets"]["kind"] if v["selected"]] == ["model"]
    # Repeating a parameter means either value, as kind:a kind:b does in the query.
    either = api.get("/api/v1/search", [("q", "llama"), ("kind", "model"), ("kind", "dataset")]).json()
    assert {h["kind"] for h in either["results"]} <= {"model", "dataset"}
    assert either["count"] == api.get("/api/v1/search", {"q": "llama kind:model kind:dataset"}).json()["count"]


def test_search_snippets_are_escaped_html(api, index):
    for hit in api.get("/api/v1/search", {"q": "llama"}).json()["results"]:
        assert "<script" not in hit["snippet_html"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": "  "}, "q"), ({"q": "llama", "page": "0"}, "page"), ({"q": "llama", "page_size": "51"}, "page_size"),
     ({"q": "llama", "kind": 'mo"del'}, "kind"), ({"q": "llama", "org": " "}, "org")],
)
def test_search_rejects_bad_parameters_naming_them(api, index, params, field):
    response = api.get("/api/v1/search", params)
    assert response.status_code == 400 and [f for f, _ in errors_of(response)] == [field]


def test_a_page_past_the_end_is_404(api, index):
    response = api.get("/api/v1/search", {"q": "llama", "page": "999"})
    assert response.status_code == 404 and errors_of(response)[0][0] is None
