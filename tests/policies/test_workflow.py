"""Parsing the contract's workflow: defaults, and every bad value rejected with the field named."""

import pytest

from policies.engine.workflow import WorkflowError, build_licensing, parse_workflow

LICENSING = build_licensing(["LicenseRef-Llama-3.1-Community", "CreativeML-OpenRAIL-M"])
STUDENT = {"name": "acme-7b", "purpose": "commercial", "release": "open_weights"}


def parse(**overrides):
    data = {"student": dict(STUDENT), **overrides}
    return parse_workflow(data, LICENSING)


def test_a_minimal_workflow_gets_the_contracts_defaults():
    wf = parse(as_of="2026-11-28")
    assert wf["as_of"] == "2026-11-28"
    assert wf["student"]["modalities"] == ["text"]
    assert wf["student"]["base_model"] is None and wf["student"]["competes_with_teachers"] is None
    assert wf["teachers"] == [] and wf["datasets"] == [] and wf["deployment"] == {"jurisdictions": []}
    assert wf["organization"]["country"] is None


def test_teacher_signal_defaults_to_outputs_and_access_stays_open():
    wf = parse(teachers=[{"model": "gpt-4o"}])
    assert wf["teachers"] == [{"model": "gpt-4o", "signal": "outputs", "access": None}]


def test_license_expressions_are_normalised_and_know_the_kb_ids():
    wf = parse(student={**STUDENT, "license": "apache-2.0 AND LicenseRef-Llama-3.1-Community"})
    assert wf["student"]["license"] == "Apache-2.0 AND LicenseRef-Llama-3.1-Community"
    assert wf["student"]["license_keys"] == ["Apache-2.0", "LicenseRef-Llama-3.1-Community"]
    assert parse(student={**STUDENT, "license": "CreativeML-OpenRAIL-M"})["student"]["license_keys"] == ["CreativeML-OpenRAIL-M"]


HUB_ALIASES = {"llama3.1": "LicenseRef-Llama-3.1-Community", "gemma": "LicenseRef-Gemma-Terms-of-Use", "mit": "MIT"}


def test_the_hubs_license_ids_read_as_the_knowledge_base_documents_they_name():
    licensing = build_licensing(["LicenseRef-Llama-3.1-Community", "LicenseRef-Gemma-Terms-of-Use"], HUB_ALIASES)
    wf = parse_workflow({"student": {**STUDENT, "license": "llama3.1"}, "datasets": [{"name": "d", "license": "gemma OR mit"}]}, licensing)
    assert wf["student"]["license"] == "LicenseRef-Llama-3.1-Community"
    assert wf["student"]["license_keys"] == ["LicenseRef-Llama-3.1-Community"]
    assert wf["datasets"][0]["license_keys"] == ["LicenseRef-Gemma-Terms-of-Use", "MIT"]


def test_a_hub_id_for_a_document_the_knowledge_base_lacks_stays_unknown():
    with pytest.raises(WorkflowError, match="student.license.*Unknown license key"):
        parse(student={**STUDENT, "license": "gemma"})


def test_jurisdictions_are_upper_cased_and_deduplicated():
    assert parse(deployment={"jurisdictions": ["eu", "EU", "us-ca"]})["deployment"]["jurisdictions"] == ["EU", "US-CA"]


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"student": {**STUDENT, "purpose": "evil"}}, "student.purpose", '"evil" is not one of commercial, non_commercial, research'),
        ({"student": {**STUDENT, "release": "torrent"}}, "student.release", "is not one of open_weights, api, internal"),
        ({"student": {**STUDENT, "name": ""}}, "student.name", "must not be empty"),
        ({"student": {**STUDENT, "name": 7}}, "student.name", "must be a string"),
        ({"student": {"name": "x", "release": "api"}}, "student.purpose", "is required"),
        ({"student": {**STUDENT, "colour": "red"}}, "student.colour", "unknown field"),
        ({"student": {**STUDENT, "competes_with_teachers": "yes"}}, "student.competes_with_teachers", "true, false or null"),
        ({"student": {**STUDENT, "license": "Apache-2.0 MIT"}}, "student.license", "not a valid license expression"),
        ({"student": {**STUDENT, "license": "LicenseRef-Nope"}}, "student.license", "Unknown license key"),
        ({"student": {**STUDENT, "modalities": ["smell"]}}, "student.modalities[0]", '"smell" is not one of text, image, audio, video'),
        ({"student": {**STUDENT, "modalities": []}}, "student.modalities", "at least one"),
        ({"student": {**STUDENT, "training_compute_flop": "1e23"}}, "student.training_compute_flop", "must be a number"),
        ({"student": {**STUDENT, "training_compute_flop": -1}}, "student.training_compute_flop", "must not be negative"),
        ({"student": {**STUDENT, "training_compute_flop": True}}, "student.training_compute_flop", "must be a number"),
        ({"student": "acme"}, "student", "must be an object"),
        ({"as_of": "28/11/2026"}, "as_of", "is not a date"),
        ({"as_of": "2026-02-30"}, "as_of", "not a valid date"),
        ({"teachers": {"model": "gpt-4o"}}, "teachers", "must be a list"),
        ({"teachers": [{"model": "gpt-4o", "signal": "vibes"}]}, "teachers[0].signal", "is not one of outputs, logits"),
        ({"teachers": [{"model": "gpt-4o", "access": "leaked"}]}, "teachers[0].access", "is not one of api, self_hosted"),
        ({"teachers": [{"signal": "outputs"}]}, "teachers[0].model", "is required"),
        ({"teachers": [{"model": "gpt-4o", "temperature": 1}]}, "teachers[0].temperature", "unknown field"),
        ({"datasets": [{"dataset": "x", "license": "MIT"}]}, "datasets[0].license", "unknown field"),
        ({"datasets": [{"license": "MIT"}]}, "datasets[0].name", "is required"),
        ({"datasets": [{"name": "d", "license": "Not-A-License"}]}, "datasets[0].license", "Unknown license key"),
        ({"datasets": [{"name": "d", "generated_by": "gpt-4"}]}, "datasets[0].generated_by", "must be a list"),
        ({"datasets": [{"name": "d", "generated_by": [4]}]}, "datasets[0].generated_by[0]", "must be a string"),
        ({"organization": {"country": "Germany"}}, "organization.country", "ISO 3166-1 alpha-2"),
        ({"organization": {"monthly_active_users": 1.5}}, "organization.monthly_active_users", "whole number"),
        ({"organization": {"annual_revenue_usd": "lots"}}, "organization.annual_revenue_usd", "must be a number"),
        ({"organization": []}, "organization", "must be an object"),
        ({"deployment": {"jurisdictions": ["Europe"]}}, "deployment.jurisdictions[0]", "is not a jurisdiction code"),
        ({"deployment": {"jurisdictions": "EU"}}, "deployment.jurisdictions", "must be a list"),
        ({"surprise": 1}, "surprise", "unknown field"),
    ],
)
def test_bad_values_are_rejected_naming_the_field(overrides, field, words):
    with pytest.raises(WorkflowError) as caught:
        parse(**overrides)
    assert caught.value.path == field
    assert str(caught.value).startswith(f"{field}: ")
    assert words in str(caught.value)


def test_the_as_of_argument_overrides_the_workflows_date():
    assert parse_workflow({"as_of": "2020-01-01", "student": STUDENT}, LICENSING, as_of="2026-08-02")["as_of"] == "2026-08-02"


NOT_TEXT_FIELDS = [
    ("name", lambda bad: {"name": bad}),
    ("as_of", lambda bad: {"as_of": bad}),
    ("student.name", lambda bad: {"student": {**STUDENT, "name": bad}}),
    ("student.base_model", lambda bad: {"student": {**STUDENT, "base_model": bad}}),
    ("student.purpose", lambda bad: {"student": {**STUDENT, "purpose": bad}}),
    ("student.license", lambda bad: {"student": {**STUDENT, "license": bad}}),
    ("student.modalities[1]", lambda bad: {"student": {**STUDENT, "modalities": ["text", bad]}}),
    ("teachers[0].model", lambda bad: {"teachers": [{"model": bad}]}),
    ("teachers[0].access", lambda bad: {"teachers": [{"model": "gpt-4o", "access": bad}]}),
    ("datasets[0].dataset", lambda bad: {"datasets": [{"dataset": bad}]}),
    ("datasets[0].name", lambda bad: {"datasets": [{"name": bad}]}),
    ("datasets[0].license", lambda bad: {"datasets": [{"name": "d", "license": bad}]}),
    ("datasets[0].generated_by[0]", lambda bad: {"datasets": [{"name": "d", "generated_by": [bad]}]}),
    ("datasets[0].source_url", lambda bad: {"datasets": [{"name": "d", "source_url": bad}]}),
    ("organization.name", lambda bad: {"organization": {"name": bad}}),
    ("organization.country", lambda bad: {"organization": {"country": bad}}),
    ("deployment.jurisdictions[0]", lambda bad: {"deployment": {"jurisdictions": [bad]}}),
]


@pytest.mark.parametrize("field, overrides", NOT_TEXT_FIELDS, ids=[f for f, _ in NOT_TEXT_FIELDS])
@pytest.mark.parametrize("bad, what", [("ab\x00c", "a NUL character (U+0000) at position 2"), ("ab\ud800c", "a lone surrogate (U+D800) at position 2"),
                                       ("\udc00", "a lone surrogate (U+DC00) at position 0")])
def test_nul_and_lone_surrogates_are_rejected_in_every_string_field(field, overrides, bad, what):
    with pytest.raises(WorkflowError) as caught:
        parse(**overrides(bad))
    assert caught.value.path == field
    assert f"contains {what}" in str(caught.value)
    str(caught.value).encode("utf-8")  # the message itself is printable


def test_an_unknown_key_with_a_lone_surrogate_is_named_printably():
    with pytest.raises(WorkflowError) as caught:
        parse(student={**STUDENT, "colour\ud800": "red"})
    assert caught.value.path == "student.colour\\ud800" and "unknown field" in str(caught.value)
    str(caught.value).encode("utf-8")


def test_a_paired_surrogate_escape_is_ordinary_text():
    import json

    name = json.loads('"acme-\\ud83d\\ude80"')  # a rocket, as JSON escapes it
    assert parse(student={**STUDENT, "name": name})["student"]["name"] == "acme-🚀"


@pytest.mark.django_db
def test_the_shipped_policy_takes_the_hub_license_ids_from_the_registry_mapping(kb_db):
    from policies.engine import snapshot as snapshots
    from registry.licenses import load_mapping

    policy = snapshots.build()
    mapped = {e["hub_license"]: e["spdx_id"] for e in load_mapping() if e["hub_license"] != "other"}
    assert policy.license_aliases["llama3.1"] == mapped["llama3.1"] == "LicenseRef-Llama-3.1-Community"
    wf = parse_workflow({"student": {**STUDENT, "license": "llama3.3"}}, policy.licensing)
    assert wf["student"]["license_keys"] == ["LicenseRef-Llama-3.3-Community"]


def test_an_ad_hoc_datasets_generation_date_is_optional_and_must_be_a_date():
    wf = parse(datasets=[{"name": "qa", "license": "MIT", "generated_by": ["gpt-4"], "generated_on": "2024-03-01"}, {"name": "plain", "license": "MIT"}])
    assert [d["generated_on"] for d in wf["datasets"]] == ["2024-03-01", None]
    with pytest.raises(WorkflowError) as error:
        parse(datasets=[{"name": "qa", "license": "MIT", "generated_on": "March 2024"}])
    assert str(error.value).startswith("datasets[0].generated_on:")
