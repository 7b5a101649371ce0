"""load_kb removes what the fixtures no longer contain: a database loaded before must not keep a fact
the curators took back. Imported rows stay (they are their importer's), and rows the decision log
relies on are ended, never deleted."""

import datetime

import pytest
from django.utils import timezone

from kb import models as kb

from .test_load_kb import load, row_snapshot

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 28)
SOURCED = {"source_url": "https://example.org/stale", "checked_on": DAY, "verification": kb.Verification.VERIFIED}


def stale_curated_rows():
    """What an old database held and the fixtures dropped: the grok-3 <- gpt-4o edge the source never
    stated, Norway stored as "False" by a YAML accident, a model, an organization, a dataset and a
    license nobody lists any more."""
    org = kb.Organization.objects.create(slug="defunct-lab", name="Defunct Lab")
    kb.AIModel.objects.create(slug="defunct-7b", name="Defunct 7B", organization=org, access=kb.Access.OPEN_WEIGHTS, **SOURCED)
    kb.LineageEdge.objects.create(
        child_model=kb.AIModel.objects.get(slug="grok-3"), parent_model=kb.AIModel.objects.get(slug="gpt-4o"),
        relation=kb.LineageEdge.Relation.OUTPUT_DISTILLATION, evidence_kind=kb.LineageEdge.EvidenceKind.REPORTED, **SOURCED,
    )
    kb.Jurisdiction.objects.create(code="False", name="Norway")
    kb.Dataset.objects.create(slug="defunct-set", name="Defunct set", **SOURCED)
    kb.TermsDocument.objects.create(spdx_id="LicenseRef-Defunct", name="Defunct License", kind=kb.TermsDocument.Kind.OPEN_WEIGHTS)


def test_curated_rows_the_fixtures_dropped_are_removed_and_listed(fixtures):
    stale_curated_rows()
    out = load(fixtures)
    for line in (
        "removed lineage edges grok-3 <- output_distillation <- gpt-4o",
        "removed models defunct-7b",
        "removed datasets defunct-set",
        "removed terms documents LicenseRef-Defunct",
        "removed jurisdictions False",
        "removed organizations defunct-lab",
    ):
        assert line in out, out
    assert "models: 0 created, 0 updated" in out and "1 removed" in out
    assert not kb.LineageEdge.objects.filter(child_model__slug="grok-3", parent_model__slug="gpt-4o").exists()
    assert not kb.Jurisdiction.objects.filter(code="False").exists()
    assert kb.Jurisdiction.objects.get(code="NO").name == "Norway"
    assert not kb.Organization.objects.filter(slug="defunct-lab").exists()
    # The shipped knowledge base itself is whole, and a second load has nothing left to do.
    assert kb.AIModel.objects.filter(slug="gpt-4o").exists()
    assert "already up to date" in load(fixtures)


def test_a_dry_run_lists_the_removals_and_writes_nothing(fixtures):
    stale_curated_rows()
    before = row_snapshot()
    out = load(fixtures, "--dry-run")
    assert "removed models defunct-7b" in out and "removed lineage edges grok-3 <- output_distillation <- gpt-4o" in out
    assert "Dry run: nothing was written." in out
    assert row_snapshot() == before


def test_keep_stale_leaves_rows_the_fixtures_dropped(fixtures):
    stale_curated_rows()
    out = load(fixtures, "--keep-stale")
    assert "removed" not in out
    assert kb.AIModel.objects.filter(slug="defunct-7b").exists()


def test_imported_rows_are_the_importers_and_stay(fixtures):
    """A DPI dataset, its declared generated_by edge and the organization only it names are not fixtures'."""
    org = kb.Organization.objects.create(slug="dataset-maker", name="Dataset Maker")
    imported = kb.Dataset.objects.create(
        slug="dpi-some-set", name="Some set", organization=org, imported_from="dpi",
        source_url="https://example.org/dpi", checked_on=DAY, verification=kb.Verification.DECLARED,
    )
    kb.LineageEdge.objects.create(
        child_dataset=imported, parent_model=kb.AIModel.objects.get(slug="gpt-4o"), relation=kb.LineageEdge.Relation.GENERATED_BY,
        evidence_kind=kb.LineageEdge.EvidenceKind.DECLARED, source_url="https://example.org/dpi", checked_on=DAY,
        verification=kb.Verification.DECLARED,
    )
    out = load(fixtures)
    assert kb.Dataset.objects.filter(slug="dpi-some-set").exists()
    assert kb.LineageEdge.objects.filter(child_dataset=imported).exists()
    assert kb.Organization.objects.filter(slug="dataset-maker").exists()
    assert "kept organizations dataset-maker (no longer in the fixtures): still named by 1 dataset(s)" in out, out
    assert "removed" not in out


def test_kept_forever_rows_are_ended_with_a_note_not_deleted(fixtures):
    """Logged decisions and as_of checks cite provisions and terms versions: a withdrawn one ends today."""
    today = timezone.localdate()
    instrument = kb.Instrument.objects.get(slug="eu-ai-act")
    provision = kb.Provision.objects.create(
        ref="EU-AIA-STALE", instrument=instrument, article="Art. 0", title="Withdrawn", summary="s",
        effective_from=datetime.date(2024, 8, 1), **SOURCED,
    )
    document = kb.TermsDocument.objects.create(spdx_id="LicenseRef-Withdrawn", name="Withdrawn License", kind=kb.TermsDocument.Kind.OPEN_WEIGHTS)
    version = kb.TermsVersion.objects.create(document=document, version="1.0", effective_from=datetime.date(2024, 1, 1), **SOURCED)
    out = load(fixtures)
    provision.refresh_from_db()
    version.refresh_from_db()
    assert provision.effective_to == today and version.effective_to == today
    assert "not a date in the source" in provision.notes and "Withdrawn from the knowledge base" in version.notes
    assert "ended provisions EU-AIA-STALE" in out and "ended terms versions LicenseRef-Withdrawn@1.0" in out
    assert "kept terms documents LicenseRef-Withdrawn (no longer in the fixtures): its versions are kept forever" in out
    # As of a day before the withdrawal the provision still applied; the next load leaves it alone.
    assert provision.in_force_on(today - datetime.timedelta(days=1)) and not provision.in_force_on(today)
    second = load(fixtures)
    assert "ended provisions" not in second and "ended terms versions" not in second
    provision.refresh_from_db()
    assert provision.notes.count("Withdrawn from the knowledge base") == 1


def test_a_clause_dropped_from_a_version_still_in_the_fixtures_is_kept_and_reported(fixtures):
    version = kb.TermsVersion.objects.get(document__spdx_id="MIT", version="MIT")
    kb.LicenseClause.objects.create(
        version=version, key="invented", clause_type="attribution_notice", summary="Not in the MIT License.",
        parameters={"notice_file": True}, **SOURCED,
    )
    out = load(fixtures)
    assert kb.LicenseClause.objects.filter(version=version, key="invented").exists()
    assert "kept clauses MIT@MIT#invented (no longer in the fixtures): clauses are kept forever" in out, out


def test_a_directory_without_a_section_leaves_that_section_alone(tmp_path):
    """Loading a directory that holds only one section (here, one organization) must not empty the rest."""
    (tmp_path / "orgs.yaml").write_text("organizations:\n  - {slug: new-lab, name: New Lab}\n", encoding="utf-8")
    models_before = kb.AIModel.objects.count()
    out = load(tmp_path)
    assert kb.AIModel.objects.count() == models_before
    assert kb.Organization.objects.filter(slug="new-lab").exists()
    # Organizations the shipped models still name are kept, and said to be.
    assert "kept organizations openai (no longer in the fixtures): still named by" in out
    assert "removed models" not in out


def test_a_record_a_person_created_in_the_admin_is_not_the_fixtures_to_remove(fixtures, django_user_model):
    """Admin edits become fixtures through dump_kb; until then a load must not delete them."""
    editor = django_user_model.objects.create_user("curator")
    model = kb.AIModel(slug="hand-made-7b", name="Hand-made 7B", organization=kb.Organization.objects.get(slug="openai"),
                       access=kb.Access.API, **SOURCED)
    model._history_user = editor  # what the admin's request sets
    model.save()
    out = load(fixtures)
    assert kb.AIModel.objects.filter(slug="hand-made-7b").exists()
    assert "kept models hand-made-7b (no longer in the fixtures): curator created it in the admin; run dump_kb" in out, out


def test_a_rule_dropped_from_the_fixtures_is_disabled_and_a_dropped_example_deleted(fixtures):
    from policies.models import Rule, RuleExample

    retired = Rule.objects.create(slug="retired-rule", title="Retired", effect=Rule.Effect.REVIEW, message="m")
    shipped = Rule.objects.get(slug="competing-models")
    RuleExample.objects.create(rule=shipped, name="an example nobody lists", workflow={"student": {"name": "x"}}, expected="none")
    out = load(fixtures)
    retired.refresh_from_db()
    assert (retired.enabled, retired.status) == (False, Rule.Status.PUBLISHED)  # kept, never deleted
    assert "ended rules retired-rule (kept forever: disabled" in out, out
    assert "removed rule examples competing-models: an example nobody lists" in out
    assert not shipped.examples.filter(name="an example nobody lists").exists()
    assert "already up to date" in load(fixtures)
