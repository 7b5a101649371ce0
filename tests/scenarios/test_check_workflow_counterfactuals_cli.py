"""`check_workflow --counterfactuals`: what would make it allowed, in the text output and as the same
JSON field the API gives; unresolved references and their suggestions come first in the text."""

import io
import json

import pytest
from django.core.management import call_command

from policies.engine.evaluate import evaluate_workflow

pytestmark = pytest.mark.django_db

COMPETING = {
    "as_of": "2026-11-28",
    "student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
    "teachers": [{"model": "gpt-4o"}],
}


def run(workflow, *args, tmp_path):
    path = tmp_path / "workflow.json"
    path.write_text(json.dumps(workflow), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_workflow", str(path), "--no-record", *args, stdout=out, stderr=err)
    return exit_info.value.code, out.getvalue(), err.getvalue()


def test_json_output_carries_the_same_counterfactuals_as_the_engine(tmp_path):
    code, out, err = run(COMPETING, "--counterfactuals", "--format", "json", tmp_path=tmp_path)
    decision = json.loads(out)
    assert code == 4 and err == ""
    assert decision["counterfactuals"] == evaluate_workflow(COMPETING, counterfactuals=True).counterfactuals
    assert any(s["verdict"] == "allowed" and [c["field"] for c in s["changes"]] == ["teachers[0].model"] for s in decision["counterfactuals"])


def test_text_output_lists_each_suggestion_with_its_verdict_and_changes(tmp_path):
    code, out, _ = run(COMPETING, "--counterfactuals", tmp_path=tmp_path)
    assert code == 4
    section = out.split("What would make it allowed:", 1)[1]
    first = evaluate_workflow(COMPETING, counterfactuals=True).counterfactuals[0]
    assert f"1. {first['verdict'].upper()} if:" in section
    change = first["changes"][0]
    assert f"{change['field']}: {json.dumps(change['from'])} -> {json.dumps(change['to'])}" in section
    assert out.index("What would make it allowed:") < out.index("Not legal advice.")


def test_without_the_flag_there_is_no_section_and_no_field(tmp_path):
    _, out, _ = run(COMPETING, tmp_path=tmp_path)
    assert "What would make it allowed" not in out
    _, out, _ = run(COMPETING, "--format", "json", tmp_path=tmp_path)
    assert "counterfactuals" not in json.loads(out)


def test_unresolved_references_come_first_with_one_suggestion_per_model(tmp_path):
    workflow = {**COMPETING, "teachers": [{"model": "gpt4o"}]}
    _, out, _ = run(workflow, tmp_path=tmp_path)
    assert out.index("Unresolved references:") < out.index("[review]")
    line = next(line for line in out.splitlines() if line.strip().startswith("teachers[0].model: gpt4o"))
    suggestions = line.split("did you mean: ", 1)[1].rstrip(")").split(", ")
    assert suggestions[0] == "gpt-4o" and len(suggestions) == len(set(suggestions))
