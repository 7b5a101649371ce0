"""One request contract: the parser, the OpenAPI schema and the portal's form agree with
policies.engine.contract on every field, enum and limit (a change in one place reaches all three)."""

import pytest

from policies.engine import contract
from policies.engine.workflow import WorkflowError, build_licensing, parse_batch, parse_replay_options, parse_workflow
from policies.forms import CheckForm

LICENSING = build_licensing([])
MINIMAL = {"student": {"name": "acme", "purpose": "commercial", "release": "internal"}}


def choice_fields(field, path=""):
    """(path, Field) of every enum in the contract, with a sample workflow placing a value there."""
    for f in field.fields:
        where = f"{path}.{f.name}" if path else f.name
        if f.kind == "choice":
            yield where, f
        elif f.kind == "object":
            yield from choice_fields(f, where)
        elif f.kind == "list" and f.items.kind == "choice":
            yield f"{where}[0]", f.items
        elif f.kind == "list" and f.items.kind == "object":
            yield from choice_fields(f.items, f"{where}[0]")


def placed(path, value):
    """MINIMAL with `value` at `path` (student.purpose, teachers[0].signal, student.modalities[0])."""
    workflow = {"student": dict(MINIMAL["student"])}
    if path.startswith("teachers[0]."):
        workflow["teachers"] = [{"model": "gpt-4o", path.split(".")[1]: value}]
    elif path == "student.modalities[0]":
        workflow["student"]["modalities"] = [value]
    else:
        workflow["student"][path.split(".")[1]] = value
    return workflow


ENUMS = list(choice_fields(contract.WORKFLOW))


def test_every_enum_of_the_contract_is_found():
    assert {path for path, _ in ENUMS} == {"student.purpose", "student.release", "student.modalities[0]", "teachers[0].signal", "teachers[0].access"}


@pytest.mark.parametrize(("path", "field"), ENUMS, ids=[path for path, _ in ENUMS])
def test_the_parser_accepts_exactly_the_contracts_values(path, field):
    for value in field.choices.values:
        parse_workflow(placed(path, value), LICENSING)
    with pytest.raises(WorkflowError) as refused:
        parse_workflow(placed(path, "evil"), LICENSING)
    assert refused.value.path == path
    assert refused.value.message == f'"evil" is not one of {", ".join(field.choices.values)}'


def test_the_parsed_workflow_has_every_field_of_the_contract_and_nothing_else():
    parsed = parse_workflow({**MINIMAL, "teachers": [{"model": "gpt-4o"}], "datasets": [{"name": "mine"}, {"dataset": "x"}]}, LICENSING)
    spec = contract.WORKFLOW
    assert set(parsed) == set(spec.names)
    assert set(parsed["student"]) == {*spec["student"].names, "license_keys"}
    assert set(parsed["teachers"][0]) == set(spec["teachers"].items.names)
    by_reference, ad_hoc = spec["datasets"].items.one_of
    assert set(parsed["datasets"][0]) == {*ad_hoc.names, "license_keys"} and set(parsed["datasets"][1]) == set(by_reference.names)
    assert set(parsed["organization"]) == set(spec["organization"].names)
    assert set(parsed["deployment"]) == set(spec["deployment"].names)
    # The defaults come from the contract too.
    assert parsed["student"]["modalities"] == list(spec["student"]["modalities"].default)
    assert parsed["teachers"][0]["signal"] == spec["teachers"].items["signal"].default


def test_a_field_the_contract_does_not_name_is_refused_with_the_allowed_ones():
    with pytest.raises(WorkflowError) as refused:
        parse_workflow({**MINIMAL, "teachers": [{"model": "gpt-4o", "temperature": 0.7}]}, LICENSING)
    assert str(refused.value) == f"teachers[0].temperature: unknown field (allowed: {', '.join(contract.TEACHER.names)})"


@pytest.mark.django_db
def test_the_openapi_schema_is_the_contracts(client):
    components = client.get("/api/v1/schema?format=json").json()
    body = components["paths"]["/api/v1/checks"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    student = body["properties"]["student"]
    assert student["required"] == ["name", "purpose", "release"]
    assert student["properties"]["purpose"]["enum"] == list(contract.PURPOSE.values)
    assert student["properties"]["modalities"]["items"]["enum"] == list(contract.MODALITY.values)
    assert body["properties"]["teachers"]["maxItems"] == contract.MAX_TEACHERS
    assert body["properties"]["teachers"]["items"]["properties"]["access"]["enum"] == list(contract.ACCESS.values)
    ad_hoc = body["properties"]["datasets"]["items"]["oneOf"][1]
    assert ad_hoc["properties"]["generated_by"]["maxItems"] == contract.MAX_GENERATED_BY
    assert ad_hoc["properties"]["source_url"]["maxLength"] == contract.MAX_URL
    assert ad_hoc["properties"]["generated_on"]["format"] == "date"
    assert body["properties"]["counterfactuals"]["type"] == "boolean"  # an option beside the workflow (contract.CHECK_OPTIONS)
    batch = components["paths"]["/api/v1/checks/batch"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert batch["properties"]["workflows"]["maxItems"] == contract.MAX_BATCH and batch["required"] == ["workflows"]


def test_the_forms_choices_are_the_contracts():
    form = CheckForm()
    assert list(form.fields["purpose"].choices) == list(contract.PURPOSE.options)
    assert list(form.fields["release"].choices) == list(contract.RELEASE.options)
    assert [value for value, _ in form.fields["modalities"].choices] == list(contract.MODALITY.values)
    assert [value for value, _ in form.fields["teacher_0_access"].choices if value] == list(contract.ACCESS.values)
    assert form.fields["student_license"].max_length == contract.MAX_LICENSE


def test_a_form_left_at_its_defaults_sends_only_what_was_filled_in_and_gets_the_contracts_defaults():
    form = CheckForm(data={"student_name": "acme", "purpose": "research", "release": "internal", "teacher_0_model": "gpt-4o"})
    assert form.is_valid(), form.errors
    workflow = form.workflow()
    assert workflow["teachers"] == [{"model": "gpt-4o"}] and "modalities" not in workflow["student"]
    parsed = parse_workflow(workflow, LICENSING)
    assert parsed["teachers"][0]["signal"] == "outputs" and parsed["student"]["modalities"] == ["text"]


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ([], "workflows", 'send {"workflows": [workflow, …]} and nothing else'),
        ({"workflows": [], "extra": 1}, "workflows", 'send {"workflows": [workflow, …]} and nothing else'),
        ({"workflows": []}, "workflows", "must be a non-empty list of workflows"),
        ({"workflows": [MINIMAL] * (contract.MAX_BATCH + 1)}, "workflows", f"at most {contract.MAX_BATCH} workflows per batch, got 101"),
    ],
)
def test_a_batch_body_is_read_against_the_contract(body, path, message):
    with pytest.raises(WorkflowError) as refused:
        parse_batch(body)
    assert (refused.value.path, refused.value.message) == (path, message)


def test_a_batch_body_within_the_contract_gives_its_workflows_unparsed():
    assert parse_batch({"workflows": [MINIMAL, {"anything": 1}]}) == [MINIMAL, {"anything": 1}]


@pytest.mark.parametrize(
    ("body", "expected"),
    [(None, None), ({}, None), ({"as_of": None}, None), ({"as_of": "today"}, "today"), ({"as_of": "2025-07-01"}, "2025-07-01")],
)
def test_a_replay_body_says_which_day_to_read(body, expected):
    assert parse_replay_options(body) == expected


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({"as_of": "2025-07-01", "verdict": "allowed"}, "", 'the body is optional and may only hold "as_of"'),
        ([1], "", 'the body is optional and may only hold "as_of"'),
        ({"as_of": 20250701}, "as_of", 'must be a date (YYYY-MM-DD) or "today"'),
        ({"as_of": "2025-02-30"}, "as_of", '"2025-02-30" is not a valid date (day is out of range for month)'),
    ],
)
def test_a_bad_replay_body_is_refused_naming_the_field(body, path, message):
    with pytest.raises(WorkflowError) as refused:
        parse_replay_options(body)
    assert (refused.value.path, refused.value.message) == (path, message)
