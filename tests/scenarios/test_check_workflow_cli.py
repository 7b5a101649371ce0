"""`manage.py check_workflow`: the contract's exit codes, JSON output, and field-named errors on stderr."""

import io
import json

import pytest
from django.core.management import call_command

from policies.models import Check

pytestmark = pytest.mark.django_db

BASE = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "internal"}}


def run(workflow, *args, raw=None, tmp_path):
    path = tmp_path / "workflow.json"
    path.write_text(raw if raw is not None else json.dumps(workflow), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_workflow", str(path), *args, stdout=out, stderr=err)
    return exit_info.value.code, out.getvalue(), err.getvalue()


def test_allowed_exits_0_and_records_the_check(tmp_path):
    code, out, err = run(BASE, "--format", "json", tmp_path=tmp_path)
    decision = json.loads(out)
    assert code == 0 and err == ""
    assert decision["verdict"] == "allowed" and decision["policy_version"].startswith("sha256:")
    assert Check.objects.filter(pk=decision["check_id"], channel="cli", verdict="allowed").exists()


def test_conditional_exits_0(tmp_path):
    workflow = {**BASE, "student": {**BASE["student"], "release": "api"}, "deployment": {"jurisdictions": ["KR"]}}
    code, out, _ = run(workflow, tmp_path=tmp_path)
    assert code == 0 and "Verdict: CONDITIONAL" in out and "Not legal advice." in out


def test_review_exits_3(tmp_path):
    workflow = {**BASE, "teachers": [{"model": "nobody/never-heard-of-it"}]}
    code, out, _ = run(workflow, "--no-record", tmp_path=tmp_path)
    assert code == 3 and "Unresolved references:" in out
    assert not Check.objects.exists()


def test_prohibited_exits_4_with_findings_in_json(tmp_path):
    workflow = {**BASE, "student": {**BASE["student"], "competes_with_teachers": True}, "teachers": [{"model": "gpt-4o"}]}
    code, out, _ = run(workflow, "--format", "json", tmp_path=tmp_path)
    decision = json.loads(out)
    assert code == 4 and decision["verdict"] == "prohibited"
    finding = next(f for f in decision["findings"] if f["rule"] == "competing-models")
    assert finding["subject"] == "gpt-4o" and finding["binding"] == "direct" and finding["path"] == ["acme-7b", "gpt-4o"]
    assert finding["citations"][0]["url"].startswith("https://")


def test_as_of_option_overrides_the_workflow_date(tmp_path):
    workflow = {**BASE, "student": {**BASE["student"], "release": "api"}, "deployment": {"jurisdictions": ["KR"]}}
    code, out, _ = run(workflow, "--as-of", "2025-06-01", "--format", "json", tmp_path=tmp_path)
    assert code == 0 and json.loads(out)["as_of"] == "2025-06-01" and json.loads(out)["verdict"] == "allowed"


@pytest.mark.parametrize(
    "workflow, message",
    [
        ({**BASE, "student": {**BASE["student"], "purpose": "evil"}}, 'student.purpose: "evil" is not one of commercial, non_commercial, research'),
        ({**BASE, "student": {**BASE["student"], "release": 3}}, "student.release: a number is not one of open_weights, api, internal"),
        ({**BASE, "student": {**BASE["student"], "license": "MIT AND"}}, "student.license:"),
        ({**BASE, "student": {**BASE["student"], "training_compute_flop": "lots"}}, "student.training_compute_flop: must be a number"),
        ({**BASE, "as_of": "yesterday"}, "as_of:"),
        ({**BASE, "teachers": [{"model": "gpt-4o", "access": "stolen"}]}, "teachers[0].access:"),
        ({**BASE, "teachers": [{"model": "gpt-4o", "signal": "vibes"}]}, "teachers[0].signal:"),
        ({**BASE, "datasets": [{"name": "x", "license": "Not-A-License"}]}, "datasets[0].license:"),
        ({**BASE, "organization": {"country": "Deutschland"}}, "organization.country:"),
        ({**BASE, "deployment": {"jurisdictions": ["Mars"]}}, "deployment.jurisdictions[0]:"),
        ({**BASE, "extra": True}, "extra: unknown field"),
    ],
)
def test_invalid_input_exits_2_naming_the_field_and_stores_nothing(workflow, message, tmp_path):
    code, out, err = run(workflow, tmp_path=tmp_path)
    assert code == 2 and out == ""
    assert message in err
    assert not Check.objects.exists()


@pytest.mark.parametrize("bad, field", [("acme\x00bot", "student.name"), ("gpt\udc00", "teachers[0].model")])
def test_text_with_a_nul_or_a_lone_surrogate_exits_2_naming_the_field(bad, field, tmp_path):
    workflow = {**BASE, "student": {**BASE["student"], "name": bad}} if field == "student.name" else {**BASE, "teachers": [{"model": bad}]}
    code, out, err = run(workflow, tmp_path=tmp_path)  # json.dumps writes them as \u escapes
    assert code == 2 and out == ""
    assert f"{field}: contains a" in err and "which is not valid text" in err
    err.encode("utf-8")
    assert not Check.objects.exists()


def test_invalid_json_exits_2(tmp_path):
    code, _, err = run(None, raw="{not json", tmp_path=tmp_path)
    assert code == 2 and "invalid JSON" in err


def test_a_bad_as_of_option_exits_2(tmp_path):
    code, _, err = run(BASE, "--as-of", "2026-13-01", tmp_path=tmp_path)
    assert code == 2 and "as_of:" in err


def test_text_output_shows_each_citations_verification_and_provenant_page(tmp_path):
    # The 2024 rest-of-world Terms of Use were read in a third-party copy only: the text says so, as the
    # portal's badge does, beside the publisher's page and Provenant's own page of the clause.
    workflow = {**BASE, "as_of": "2024-06-01", "student": {**BASE["student"], "competes_with_teachers": True},
                "teachers": [{"model": "gpt-4o"}]}
    code, out, _ = run(workflow, "--no-record", tmp_path=tmp_path)
    assert code == 4
    assert ("cites: OpenAI Terms of Use, What you cannot do (Competing models), from 2024-01-31 [partly verified] "
            "<https://openai.com/policies/row-terms-of-use/> (Provenant: /terms/LicenseRef-OpenAI-Terms-of-Use#clause-2024-01-31-competing-models)") in out
    assert "[unverified] <https://openai.com/policies/business-terms/>" in out


def test_the_page_a_citation_names_holds_its_anchor(tmp_path, client):
    workflow = {**BASE, "student": {**BASE["student"], "competes_with_teachers": True}, "teachers": [{"model": "gpt-4o"}]}
    _, out, _ = run(workflow, "--format", "json", "--no-record", tmp_path=tmp_path)
    pages = {c["page"] for f in json.loads(out)["findings"] for c in f["citations"] if c.get("page", "").startswith("/terms/")}
    assert pages
    for page in pages:
        path, _, anchor = page.partition("#")
        assert f'id="{anchor}"' in client.get(path).content.decode(), page


def test_why_a_terms_version_was_read_is_shown_beside_its_citation(tmp_path):
    # Grouping keeps one message per point, so the choice of version travels with the citation it explains.
    workflow = {**BASE, "student": {**BASE["student"], "competes_with_teachers": True}, "datasets": [{"dataset": "tatsu-lab/alpaca"}]}
    _, out, _ = run(workflow, "--no-record", tmp_path=tmp_path)
    assert "      version read: terms as in force on 2023-03-13, when Stanford Alpaca data (alpaca_data.json, 52K) was released" in out
