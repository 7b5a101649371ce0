import datetime
import io
import json

import pytest
from django.core.management import call_command

from kb import models as kb

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("validate_kb", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_the_shipped_knowledge_base_is_valid(kb_db):
    code, out, err = run()
    assert code == 0, err
    assert "Knowledge base is valid." in out
    assert f"AI models: {kb.AIModel.objects.count()}" in out


def test_json_report_counts_every_kind(kb_db):
    code, out, _ = run("--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True
    assert report["counts"]["lineage edges"] == kb.LineageEdge.objects.count()
    assert report["problems"] == []


def test_a_model_without_terms_for_its_service_is_a_problem(kb_db):
    model = kb.AIModel.objects.get(slug="gpt-4o")
    model.service_terms.clear()
    code, out, err = run("--format", "json")
    problems = json.loads(out)["problems"]
    assert code == 1
    assert {"kind": "AI models", "record": "gpt-4o", "field": "service_terms",
            "message": 'a service without terms (list them or say "unknown")'} in problems


def test_explicit_unknown_terms_are_accepted(kb_db):
    model = kb.AIModel.objects.get(slug="gpt-4o")
    model.service_terms.clear()
    model.service_terms_unknown = True
    model.save()
    assert run()[0] == 0


def test_missing_source_and_bad_parameters_are_problems(kb_db):
    clause = kb.LicenseClause.objects.filter(clause_type="user_threshold").first()
    kb.LicenseClause.objects.filter(pk=clause.pk).update(parameters={"monthly_active_users": "many"}, source_url="")
    code, out, err = run()
    assert code == 1
    assert "source_url: missing source URL" in err
    assert "monthly_active_users" in err


def test_overlapping_versions_are_a_problem(kb_db):
    document = kb.TermsDocument.objects.get(spdx_id="LicenseRef-OpenAI-Terms-of-Use")
    kb.TermsVersion.objects.create(document=document, version="overlap-test", effective_from=datetime.date(2030, 1, 1),
                                   source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    first = document.versions.exclude(version="overlap-test").order_by("effective_from").last()
    kb.TermsVersion.objects.filter(pk=first.pk).update(effective_to=None)
    code, _, err = run()
    assert code == 1 and "overlaps the next version 'overlap-test'" in err


def test_terms_and_model_families_not_rechecked_within_180_days_are_listed_as_overdue(kb_db):
    from kb.validation import stale_records

    today = datetime.date(2026, 12, 6)
    long_ago = today - datetime.timedelta(days=181)
    recent = today - datetime.timedelta(days=10)
    # Every record re-read recently, except one terms document and one publisher's model.
    for model in (kb.TermsVersion, kb.LicenseClause, kb.AIModel):
        model.objects.update(checked_on=recent)
    kb.TermsVersion.objects.filter(document__spdx_id="MIT").update(checked_on=long_ago)
    kb.LicenseClause.objects.filter(version__document__spdx_id="MIT").update(checked_on=long_ago)
    kb.AIModel.objects.filter(slug="gpt-4o").update(checked_on=long_ago)

    overdue = {(p.kind, p.record) for p in stale_records(today=today)}

    assert ("terms documents", "MIT") in overdue
    assert ("model family", "openai") in overdue
    assert len(overdue) == 2
    message = next(p.message for p in stale_records(today=today) if p.record == "openai")
    assert message.startswith("1 of ") and f"(oldest {long_ago})" in message


def test_overdue_records_are_warnings_unless_asked_to_fail(kb_db):
    kb.TermsVersion.objects.filter(document__spdx_id="MIT").update(checked_on=datetime.date(2020, 1, 1))
    kb.LicenseClause.objects.filter(version__document__spdx_id="MIT").update(checked_on=datetime.date(2020, 1, 1))
    code, out, _ = run()
    assert code == 0 and "overdue: terms documents MIT: checked_on: last checked 2020-01-01" in out
    code, _, _ = run("--fail-stale")
    assert code == 1


def test_a_citation_that_points_at_a_sites_home_page_is_a_problem(kb_db):
    # A prohibition "as of 2024" once cited https://news.ycombinator.com/: a front page proves nothing.
    clause = kb.LicenseClause.objects.filter(clause_type="competing_models").first()
    kb.LicenseClause.objects.filter(pk=clause.pk).update(source_url="https://news.ycombinator.com/")
    kb.Provision.objects.filter(pk=kb.Provision.objects.first().pk).update(url="https://www.example.org")
    code, _, err = run()
    assert code == 1
    assert "source_url: https://news.ycombinator.com/ is a site's home page, not the page of the text; cite the exact page" in err
    assert "url: https://www.example.org is a site's home page" in err


def test_an_organizations_home_page_is_not_a_citation_and_passes(kb_db):
    assert kb.Organization.objects.filter(url="https://openai.com").exists()
    code, _, err = run()
    assert code == 0 and "home page" not in err


def test_regional_variants_may_run_in_parallel_but_must_name_known_jurisdictions_and_say_whom_they_bind(kb_db):
    # OpenAI's Europe and rest-of-world Terms of Use are both in force in 2026: not an overlap.
    document = kb.TermsDocument.objects.get(spdx_id="LicenseRef-OpenAI-Terms-of-Use")
    open_ended = [v for v in document.versions.filter(effective_to__isnull=True)]
    assert sorted(bool(v.applies_in) for v in open_ended) == [False, True]
    assert run()[0] == 0
    europe = document.versions.get(version="EU 2026-01-16")
    kb.TermsVersion.objects.filter(pk=europe.pk).update(applies_in=["EU", "ATLANTIS"], applicability="")
    code, _, err = run()
    assert code == 1
    assert 'applies_in: "ATLANTIS" is not a jurisdiction in the knowledge base' in err
    assert "applicability: quote the publisher's words on who this version binds" in err
