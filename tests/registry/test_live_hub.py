"""The live Hub path, with huggingface_hub's HfApi answering from records in the Hub API's shape
(data/hub-api-models.json): listing, resuming after a failure, waiting out a 429, one model on demand.
Tests never touch the network: HfApi's methods are replaced here, in the tests only."""

import io
import json
from pathlib import Path

import httpx2
import pytest
from django.core.management import CommandError, call_command
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.hf_api import ModelInfo

from registry import hub, services
from registry.models import HubEdge, HubModel, ImportCursor

pytestmark = pytest.mark.django_db

MODELS = json.loads((Path(__file__).parent / "data" / "hub-api-models.json").read_text())["models"]


def http_error(status, headers=None):
    response = httpx2.Response(status, headers=headers or {}, request=httpx2.Request("GET", "https://huggingface.co/api/models"))
    return HfHubHTTPError(f"{status} from the Hub", response=response)


class FakeHub:
    """list_models and model_info as HfApi has them, answering from MODELS; `fail_after` raises once."""

    def __init__(self, fail_after=None, error=None):
        self.fail_after, self.error, self.calls = fail_after, error, []

    def list_models(self, api, **kwargs):
        self.calls.append(kwargs)
        models = [m for m in MODELS if not kwargs.get("author") or m["author"] == kwargs["author"]]
        for i, data in enumerate(models):
            if self.fail_after is not None and i == self.fail_after:
                self.fail_after = None
                raise self.error
            yield ModelInfo(**data)

    def model_info(self, api, repo_id, **kwargs):
        self.calls.append({"repo_id": repo_id, **kwargs})
        for data in MODELS:
            if data["id"] == repo_id:
                return ModelInfo(**data)
        raise http_error(404)


@pytest.fixture
def fake_hub(monkeypatch):
    def install(**kwargs):
        fake = FakeHub(**kwargs)
        monkeypatch.setattr(HfApi, "list_models", lambda api, **kw: fake.list_models(api, **kw))
        monkeypatch.setattr(HfApi, "model_info", lambda api, repo_id, **kw: fake.model_info(api, repo_id, **kw))
        return fake

    return install


def test_an_authors_models_are_listed_with_their_cards_and_imported(kb_db, fake_hub):
    fake = fake_hub()
    out = io.StringIO()
    call_command("import_hf", author="unsloth", stdout=out, stderr=io.StringIO())
    assert fake.calls == [{"author": "unsloth", "search": None, "limit": None, "full": True, "cardData": True}]
    assert "2 records: 2 created" in out.getvalue()
    gguf = HubModel.objects.get(repo_key="unsloth/qwen3-8b-gguf")
    assert (gguf.sha, gguf.license, gguf.downloads, str(gguf.created_at)) == (MODELS[0]["sha"], "apache-2.0", 41234, "2025-04-28 21:36:10+00:00")
    # The .gguf file says quantized, as the Hub infers it (the card gives no relation).
    assert list(gguf.parent_edges.values_list("parent_repo_id", "relation", "relation_basis", "evidence")) == [
        ("Qwen/Qwen3-8B", "quantized", "hub_rule", "declared")
    ]
    # No base_model: the name says the parent, a curated model has that name.
    assert list(HubEdge.objects.filter(child__repo_key="unsloth/gemma-2-9b-it-bnb-4bit").values_list("parent_repo_id", "evidence", "pattern")) == [
        ("google/gemma-2-9b-it", "inferred", "bnb+bits")
    ]
    assert ImportCursor.objects.get(query="author=unsloth").finished


def test_adapter_files_and_a_stated_merge_become_their_relations(kb_db, fake_hub):
    fake_hub()
    call_command("import_hf", all=True, stdout=io.StringIO(), stderr=io.StringIO())
    adapter = HubEdge.objects.get(child__repo_key="mithun501/kannadagpt-0.6b")
    assert (adapter.relation, adapter.relation_basis) == ("adapter", "hub_rule")
    assert HubModel.objects.get(repo_key="mithun501/kannadagpt-0.6b").gated == "manual"
    assert set(HubEdge.objects.filter(child__repo_key="opengvlab/internvl2-1b").values_list("relation", "relation_basis")) == {("merge", "card")}


def test_an_interrupted_listing_resumes_after_what_was_committed(kb_db, fake_hub):
    fake_hub(fail_after=3, error=http_error(502))
    with pytest.raises(HfHubHTTPError):
        services.import_hub_listing(batch_size=1)
    cursor = ImportCursor.objects.get(query="all")
    assert (cursor.done, cursor.finished, HubModel.objects.count()) == (3, False, 3)
    fake_hub()
    result = services.import_hub_listing(batch_size=1)
    assert (result.resumed_from, result.seen, result.created) == (3, 1, 1)
    assert HubModel.objects.count() == 4
    assert ImportCursor.objects.get(query="all").finished


def test_a_rate_limit_is_waited_out_for_as_long_as_the_hub_says(kb_db, fake_hub):
    fake_hub(fail_after=2, error=http_error(429, {"Retry-After": "7"}))
    waited = []
    result = services.import_hub_listing(batch_size=1, sleep=waited.append)
    assert waited == [7]
    assert (result.seen, HubModel.objects.count()) == (4, 4)


def test_other_http_errors_are_not_waited_for(kb_db, fake_hub):
    fake_hub(fail_after=0, error=http_error(500))
    with pytest.raises(HfHubHTTPError):
        services.import_hub_listing(sleep=lambda s: pytest.fail("waited on a 500"))


def test_one_model_is_fetched_with_the_timeout(kb_db, fake_hub):
    fake = fake_hub()
    record = hub.fetch_model(repo_id="OpenGVLab/InternVL2-1B", timeout=2.5)
    assert fake.calls == [{"repo_id": "OpenGVLab/InternVL2-1B", "timeout": 2.5}]
    assert record["cardData"]["base_model"] == ["OpenGVLab/InternViT-300M-448px", "Qwen/Qwen2-0.5B-Instruct"]
    assert services.import_records(records=[record]).created == 1


def test_a_failed_fetch_says_why(kb_db, fake_hub):
    fake_hub()
    with pytest.raises(hub.HubUnavailable, match="nobody/nothing: the Hub did not answer .*404"):
        hub.fetch_model(repo_id="nobody/nothing", timeout=1)
    with pytest.raises(hub.HubUnavailable, match="not a Hub repository id"):
        hub.fetch_model(repo_id="../etc", timeout=1)


def test_the_repo_id_command_fails_cleanly_when_the_hub_does(kb_db, fake_hub):
    fake_hub()
    with pytest.raises(CommandError, match="nobody/nothing.*\nNothing was written"):
        call_command("import_hf", repo_id=["unsloth/Qwen3-8B-GGUF", "nobody/nothing"], stdout=io.StringIO(), stderr=io.StringIO())
    assert HubModel.objects.count() == 0
