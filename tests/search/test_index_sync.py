"""The search index (whoosh files or the PostgreSQL search table) follows the database after commit;
concurrent whoosh writers in several processes lose nothing."""

import io
import multiprocessing

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from kb import models as kb
from kb.search.base import get_backend
from kb.search.documents import SearchDocument, doc_id
from kb.search.whoosh_backend import WhooshBackend
from tests.search.conftest import make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["whoosh", "postgres"])
def synced(request, settings, tmp_path):
    """Each backend's index, which both keep in step with the knowledge-base tables."""
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL search table needs DATABASE_URL=postgres://…")
    settings.SEARCH_BACKEND = request.param
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    return get_backend()


def test_load_kb_rebuilds_the_index_once_its_transaction_commits(synced, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_kb", fixtures=str(settings.KB_FIXTURES_DIR), stdout=io.StringIO(), stderr=io.StringIO())
    ids = synced.ids()
    assert doc_id("model", kb.AIModel.objects.get(slug="llama-3-1-8b").pk) in ids
    assert len(ids) >= kb.AIModel.objects.count() + kb.LicenseClause.objects.count() + kb.Provision.objects.count()


def test_rebuild_index_command_indexes_every_document(synced):
    out = io.StringIO()
    call_command("rebuild_index", stdout=out, stderr=io.StringIO())
    assert "Indexed" in out.getvalue()
    assert doc_id("clause", kb.LicenseClause.objects.first().pk) in synced.ids()


def test_a_save_reaches_the_index_after_commit_and_a_delete_removes_it(synced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        dataset = make_dataset("quillon-set", "Quillon set")
    assert doc_id("dataset", dataset.pk) not in synced.ids()  # not before the commit
    for callback in pending:
        callback()
    assert doc_id("dataset", dataset.pk) in synced.ids()

    with django_capture_on_commit_callbacks(execute=True):
        dataset.name = "Quillon set, renamed"
        dataset.save()
    from kb.search.base import search

    assert [hit.title for hit in search("quillon", backend=synced).hits] == ["Quillon set, renamed"]

    pk = dataset.pk
    with django_capture_on_commit_callbacks(execute=True):
        dataset.delete()
    assert doc_id("dataset", pk) not in synced.ids()


def test_renaming_an_organization_reindexes_its_models(synced, django_capture_on_commit_callbacks):
    call_command("rebuild_index", stdout=io.StringIO(), stderr=io.StringIO())
    from kb.search.base import search

    with django_capture_on_commit_callbacks(execute=True):
        meta = kb.Organization.objects.get(slug="meta")
        meta.name = "Frobnicated Platforms"
        meta.save()
    results = search("frobnicated kind:model", backend=synced)
    assert results.total == kb.AIModel.objects.filter(organization=meta).count() > 0


def test_a_rolled_back_save_never_reaches_the_index(synced, django_capture_on_commit_callbacks):
    from kb.search.base import search

    call_command("rebuild_index", stdout=io.StringIO(), stderr=io.StringIO())
    before = synced.ids()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                make_dataset("ghost-set", "Ghost set")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert search("ghost", backend=synced).total == 0
    assert not kb.Dataset.objects.filter(slug="ghost-set").exists()
    assert synced.ids() == before


def _writer_process(index_dir, worker, count):
    backend = WhooshBackend(index_dir)
    for i in range(count):
        # One commit per document, like gunicorn workers each saving one row at a time.
        backend.update(
            [SearchDocument(kind="dataset", pk=worker * 1000 + i, title=f"worker {worker} doc {i}", url="/x", body="concurrent write")]
        )


def test_concurrent_writers_in_several_processes_lose_no_update(tmp_path):
    index_dir = tmp_path / "search-index"
    WhooshBackend(index_dir).rebuild([])
    workers, per_worker = 4, 15
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_writer_process, args=(index_dir, w, per_worker)) for w in range(workers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * workers, "a writer failed (lock error?)"
    expected = {doc_id("dataset", w * 1000 + i) for w in range(workers) for i in range(per_worker)}
    assert WhooshBackend(index_dir).ids() == expected


def test_a_rule_edit_and_its_citations_reach_the_index(synced, django_capture_on_commit_callbacks):
    from kb.search.base import search
    from policies.models import Rule

    call_command("rebuild_index", stdout=io.StringIO(), stderr=io.StringIO())
    rule = Rule.objects.get(slug="competing-models")
    assert doc_id("rule", rule.pk) in synced.ids()
    with django_capture_on_commit_callbacks(execute=True):
        rule.title = "Outputs may not train a blorptastic competitor"
        rule.save()
    assert [hit.title for hit in search("blorptastic", backend=synced).hits] == [rule.title]

    mit = kb.LicenseClause.objects.filter(version__document__spdx_id="MIT").first()
    with django_capture_on_commit_callbacks(execute=True):
        rule.clauses.add(mit)  # a citation alone changes the rule's license facet
    assert search("blorptastic license:mit", backend=synced).total == 1
