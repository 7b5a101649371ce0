"""import_terms_versions on a small repository made in the test: what is stored, incrementality, errors."""

import io

import pytest
from django.core.management import CommandError, call_command

from termswatch.models import CapturedVersion, Repository, TrackedDocument
from tests.termswatch.conftest import git

pytestmark = pytest.mark.django_db

AUP = "Acceptable Use Policy\n=====================\n\n*   Do not distil our models.\n"


def run(*args):
    out = io.StringIO()
    call_command("import_terms_versions", *args, stdout=out)
    return out.getvalue()


def test_every_version_is_stored_with_its_commit_date_and_mapped_terms(kb_db, fake_repo):
    first = fake_repo.record("Grok", "Acceptable Use Policy", AUP, when="2026-06-26T10:00:00+00:00")
    second = fake_repo.record("Grok", "Acceptable Use Policy", AUP.replace("distil", "distil or scrape"), when="2026-08-14T22:32:23+00:00")
    output = run(str(fake_repo.path), "--name", "genai-eu-versions")
    assert "2 commit(s) read, 2 version(s) stored" in output
    document = TrackedDocument.objects.get(repository__name="genai-eu-versions", service="Grok", document_type="Acceptable Use Policy")
    assert document.terms.spdx_id == "LicenseRef-xAI-Terms"  # from fixtures/termswatch/mapping.yaml
    versions = list(document.versions.order_by("sequence"))
    assert [v.commit for v in versions] == [first, second]
    assert versions[1].captured_at.isoformat() == "2026-08-14T22:32:23+00:00"
    assert "distil or scrape" in versions[1].text
    assert versions[1].changed_sections == {"old": ["Acceptable Use Policy"], "new": ["Acceptable Use Policy"]}


def test_a_second_run_reads_only_the_new_commits(kb_db, fake_repo):
    fake_repo.record("Grok", "Acceptable Use Policy", AUP)
    run(str(fake_repo.path), "--name", "genai-eu-versions")
    assert "already imported" in run(str(fake_repo.path), "--name", "genai-eu-versions")
    head = fake_repo.record("Grok", "Terms of Service", "Terms\n=====\n\nTexas law.\n", when="2026-02-01T00:00:00+00:00")
    assert "1 commit(s) read, 1 version(s) stored" in run(str(fake_repo.path), "--name", "genai-eu-versions")
    assert Repository.objects.get(name="genai-eu-versions").last_commit == head
    assert CapturedVersion.objects.count() == 2


def test_a_document_outside_the_mapping_is_stored_and_named(kb_db, fake_repo):
    fake_repo.record("New Service", "Terms of Service", "Terms\n")
    output = run(str(fake_repo.path), "--name", "genai-eu-versions")
    assert "new document not in the mapping: New Service / Terms of Service" in output
    assert TrackedDocument.objects.get(service="New Service").terms is None


def test_a_deleted_file_marks_its_document_no_longer_tracked(kb_db, fake_repo):
    fake_repo.record("Grok", "Acceptable Use Policy", AUP)
    fake_repo.delete("Grok", "Acceptable Use Policy")
    assert "no longer tracked (file deleted): Grok / Acceptable Use Policy" in run(str(fake_repo.path), "--name", "genai-eu-versions")
    assert TrackedDocument.objects.get(service="Grok", document_type="Acceptable Use Policy").removed_at is not None


def test_a_rewritten_history_is_refused_and_nothing_is_written(kb_db, fake_repo):
    fake_repo.record("Grok", "Acceptable Use Policy", AUP)
    run(str(fake_repo.path), "--name", "genai-eu-versions")
    git(fake_repo.path, "checkout", "-q", "--orphan", "other")
    fake_repo.record("Grok", "Acceptable Use Policy", AUP + "\nAnother history.\n")
    with pytest.raises(CommandError, match="not in the history of HEAD.*--full"):
        run(str(fake_repo.path), "--name", "genai-eu-versions")
    assert CapturedVersion.objects.count() == 1


def test_a_path_that_is_not_a_repository_is_named(kb_db, tmp_path):
    with pytest.raises(CommandError, match="is it a git repository"):
        run(str(tmp_path), "--name", "genai-eu-versions")
