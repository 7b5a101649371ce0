"""The terms watch on the real Open Terms Archive bundle (genai-eu-versions; Open Terms Archive
contributors, ODC-BY 1.0), cloned into a temporary directory.

The August 2026 xAI change: on 2026-08-14 the Grok Acceptable Use Policy (commit 56a0225) rewrote the
bullet that bans developing competing models ("machine learning models or related AI services that
compete with xAI" became "(or assist anyone in developing) machine learning models or any products or
services that compete with SpaceXAI, whether directly or indirectly"). The knowledge base's current
xAI version (2026-08-14) holds the competing-models and distilling clauses read in that text.
"""

import io

import pytest
from django.core.management import call_command

from kb.models import LicenseClause
from kb.validation import validate_knowledge_base
from termswatch import selectors
from termswatch.models import CapturedVersion, ClauseFlag, TrackedDocument
from termswatch.services import run_watch
from tests.termswatch.conftest import git, needs_bundle

pytestmark = [pytest.mark.django_db, needs_bundle]

XAI_AUP_AUGUST = "56a0225d0e296f0f7b2eebf0366cdec7f6a24ef3"
XAI_ENTERPRISE_AUGUST = "f136aa7c90d8b65ff68911006492307d47764e23"


def import_to(clone, rev="HEAD"):
    out = io.StringIO()
    call_command("import_terms_versions", str(clone), "--rev", rev, stdout=out)
    return out.getvalue()


def xai_clause(key):
    return LicenseClause.objects.get(version__document__spdx_id="LicenseRef-xAI-Terms", version__version="2026-08-14", key=key)


def test_the_whole_bundle_is_imported_and_every_document_is_in_the_mapping(kb_db, ota_clone):
    output = import_to(ota_clone)
    assert "1020 commit(s) read" in output
    assert "new document not in the mapping" not in output
    added_or_modified = git(ota_clone, "log", "--format=", "--name-only", "--no-renames", "--diff-filter=AM").splitlines()
    assert CapturedVersion.objects.count() == len([p for p in added_or_modified if p.count("/") == 1 and p.endswith(".md")]) == 1036
    at_head = {tuple(p[:-3].split("/")) for p in git(ota_clone, "ls-files").splitlines() if p.count("/") == 1 and p.endswith(".md")}
    tracked = {(d.service, d.document_type) for d in TrackedDocument.objects.filter(removed_at__isnull=True, versions__isnull=False).distinct()}
    assert tracked == at_head
    assert "already imported" in import_to(ota_clone)


def test_the_xai_change_of_august_2026_touches_the_section_with_the_curated_competing_models_clause(kb_db, ota_clone):
    import_to(ota_clone, f"{XAI_AUP_AUGUST}^")
    run_watch()  # the baseline: everything before the change
    import_to(ota_clone, XAI_ENTERPRISE_AUGUST)
    report = run_watch()
    change = next(c for c in report.changes if c.version.commit == XAI_AUP_AUGUST)
    assert change.version.document.terms.spdx_id == "LicenseRef-xAI-Terms"
    assert "SpaceXAI Acceptable Use Policy" in change.sections
    affected = {(f.clause.key, f.reason) for f in change.clauses}
    assert ("competing-models", ClauseFlag.Reason.SECTION_CHANGED) in affected
    assert ("distilling", ClauseFlag.Reason.SECTION_CHANGED) in affected
    # Clauses read in the August text are up to date: nothing to re-verify, no stale quote.
    assert not [f for f in report.open_flags if f.clause.version.document.spdx_id == "LicenseRef-xAI-Terms"]
    assert not [s for s in report.stale if s.clause.version.document.spdx_id == "LicenseRef-xAI-Terms"]


@pytest.fixture
def clause_read_before_the_change(ota_clone):
    """The competing-models clause as a curator would have recorded it from the June 2026 text."""
    june = git(ota_clone, "log", "-1", "--format=%H", f"{XAI_AUP_AUGUST}^", "--", "Grok/Acceptable Use Policy.md")
    clause = xai_clause("competing-models")
    clause.quote = "Using the Service or any Output to develop machine learning models or related AI services that compete with xAI"
    clause.source_url = f"https://github.com/OpenTermsArchive/genai-eu-versions/blob/{june}/Grok/Acceptable%20Use%20Policy.md"
    clause.save()
    return clause


def test_a_clause_read_before_the_change_is_stale_and_needs_re_verification(kb_db, ota_clone, clause_read_before_the_change):
    import_to(ota_clone)
    report = run_watch()
    stale = next(s for s in report.stale if s.clause.pk == clause_read_before_the_change.pk)
    assert stale.vanished_in.commit == XAI_AUP_AUGUST
    assert stale.section == "xAI Acceptable Use Policy"
    assert "-        *   Using the Service or any Output to develop machine learning models or related AI services that compete with xAI" in stale.diff
    flags = [f for f in report.open_flags if f.clause_id == clause_read_before_the_change.pk]
    assert {(f.version.commit, f.reason) for f in flags} >= {
        (XAI_AUP_AUGUST, ClauseFlag.Reason.SECTION_CHANGED),
        (XAI_AUP_AUGUST, ClauseFlag.Reason.QUOTE_VANISHED),
    }
    warnings = [str(w) for w in validate_knowledge_base().warnings]
    assert any("LicenseRef-xAI-Terms/2026-08-14/competing-models" in w and "needs re-verification" in w for w in warnings)


def test_re_verifying_the_clause_against_the_new_text_closes_its_flags(kb_db, ota_clone, clause_read_before_the_change):
    import_to(ota_clone)
    run_watch()
    assert clause_read_before_the_change.pk in selectors.clauses_needing_reverification()
    clause = clause_read_before_the_change
    clause.quote = "Using the Service or any Output to develop (or assist anyone in developing) machine learning models or any products or services that compete with SpaceXAI, whether directly or indirectly"
    clause.source_url = f"https://github.com/OpenTermsArchive/genai-eu-versions/blob/{XAI_AUP_AUGUST}/Grok/Acceptable%20Use%20Policy.md"
    clause.save()
    assert clause.pk not in selectors.clauses_needing_reverification()
    assert not [s for s in selectors.stale_clauses() if s.clause.pk == clause.pk]


def test_every_current_clause_read_in_a_tracked_text_is_found_in_its_latest_version(kb_db, ota_clone):
    """The shipped knowledge base against the bundle's last versions: a failure names a curated quote
    the services have since changed (or one that was never verbatim)."""
    import_to(ota_clone)
    stale = selectors.stale_clauses()
    assert not stale, [(f"{s.clause.version.document.spdx_id}/{s.clause.key}", s.section, s.vanished_in and s.vanished_in.commit) for s in stale]


def test_a_run_with_no_new_versions_reports_none(kb_db, ota_clone):
    import_to(ota_clone)
    first = run_watch()
    assert len(first.changes) == CapturedVersion.objects.count()
    again = run_watch()
    assert again.changes == []
    assert again.run.up_to_version == first.run.up_to_version
