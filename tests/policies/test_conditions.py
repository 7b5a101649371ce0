"""The CEL adapter: names and types are checked when a rule is compiled; runtime errors raise."""

import pytest

from policies.engine.conditions import ConditionError, activation, compile_condition


def test_a_boolean_condition_compiles_and_evaluates():
    condition = compile_condition("student.compute != null && student.compute > 1e23", "workflow")
    assert condition.evaluate(activation("workflow", {"student": {"compute": 3e23}})) is True
    assert condition.evaluate(activation("workflow", {"student": {"compute": None}})) is False


def test_blank_condition_is_always_true():
    assert compile_condition("  ", "workflow").evaluate(None) is True


def test_unknown_name_is_rejected_at_compile_time_with_its_position():
    with pytest.raises(ConditionError) as caught:
        compile_condition("student.compute > 1 && teacher.name == 'x'", "workflow")
    assert "undeclared reference to 'teacher.name'" in str(caught.value)
    assert "<input>:1:" in str(caught.value) and "^" in str(caught.value)


def test_exposure_facts_are_not_declared_for_workflow_rules():
    compile_condition("clause.type == 'naming'", "exposure")
    with pytest.raises(ConditionError, match="undeclared reference to 'clause.type'"):
        compile_condition("clause.type == 'naming'", "workflow")


@pytest.mark.parametrize("source", ["student.name", "1 + 2", "'text'", "[true]"])
def test_non_boolean_conditions_are_rejected_at_compile_time(source):
    with pytest.raises(ConditionError, match="must be a boolean"):
        compile_condition(source, "workflow")


def test_syntax_errors_are_rejected_with_position():
    with pytest.raises(ConditionError, match="Syntax error"):
        compile_condition("student.compute > (", "workflow")


def test_error_values_raise_instead_of_reading_as_false():
    missing_key = compile_condition("clause.params.nope == 1", "exposure")
    with pytest.raises(ConditionError, match="condition failed"):
        missing_key.evaluate(activation("exposure", {"clause": {"params": {}}}))
    null_compare = compile_condition("student.compute > 1.0", "workflow")
    with pytest.raises(ConditionError):
        null_compare.evaluate(activation("workflow", {"student": {"compute": None}}))


def test_a_dynamic_value_that_is_not_boolean_at_run_time_raises():
    condition = compile_condition("clause.params.flag == true || clause.params.flag", "exposure")
    with pytest.raises(ConditionError):
        condition.evaluate(activation("exposure", {"clause": {"params": {"flag": "yes"}}}))


def test_unknown_fields_of_declared_facts_are_rejected_at_compile_time():
    with pytest.raises(ConditionError, match="student has no field 'nmae'"):
        compile_condition("student.nmae == 'x'", "workflow")
    compile_condition("student.name == 'clause.nope'", "workflow")  # text inside strings is not a field


@pytest.mark.parametrize(
    "source, expected",
    [
        ("student.compute > 1.0 && student.name == 'x'", {"student": ("compute", "name")}),
        ("clause.params.scope == null && 'image' in student.modalities", {"clause": ("params",), "student": ("modalities",)}),
        # Whole uses: indexing, size, spacing the pattern does not read as a selection, a bare value.
        ("size(student) > 1", {"student": None}),
        ('student["name"] == "x" && student.purpose == "research"', {"student": None}),
        ("student . name == 'x'", {"student": None}),
        ("as_of >= '2026-01-01'", {"as_of": None}),
        # Text inside strings is not a selection; a comprehension variable that shadows a fact is a whole use.
        ("'organization.name' == student.name", {"student": ("name",)}),
        ("student.modalities.exists(student, student == 'image')", {"student": None}),
    ],
)
def test_fields_used_names_what_a_condition_reads_and_falls_back_to_the_whole_fact(source, expected):
    from policies.engine.conditions import EXPOSURE_FACTS, fields_used

    assert fields_used(source, EXPOSURE_FACTS) == expected


def test_a_narrowed_binding_gives_the_answer_of_the_whole_facts():
    from policies.engine.conditions import EXPOSURE_FACTS, bind, fields_used

    facts = {"student": {"name": "acme", "license": None, "modalities": ["text", "image"], "license_keys": ["MIT"], "compute": 2e23},
             "clause": {"key": "k", "params": {"scope": "image models", "flag": None}}, "document": None}
    for source in (
        "has(student.license) && student.license == null",
        "'image' in student.modalities && clause.params.scope.contains('image')",
        "size(student) == 5 && student['name'] == 'acme'",
        "document == null && clause.params.flag == null",
    ):
        condition = compile_condition(source, "exposure")
        plan = tuple(sorted(fields_used(source, EXPOSURE_FACTS).items()))
        whole = activation("exposure", {name: facts[name] for name, _ in plan})
        assert condition.evaluate(bind("exposure", facts, plan)) is condition.evaluate(whole) is True, source


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('clause.params.permitted == "no"', ("permitted",)),
        ("has(clause.params.prefix) && clause.params.scope != null", ("prefix", "scope")),
        ('clause.params["permitted"] == "no"', None),  # indexed: the whole map
        ("size(clause.params) > 0", None),
        ('"clause.params.x" == student.name', None),  # inside a string: not a read
        ("clause.params_key.prefix != null", None),  # another field
    ],
)
def test_the_keys_a_condition_reads_below_a_field(source, expected):
    from policies.engine.conditions import keys_used

    assert keys_used(source, "clause", "params") == expected
