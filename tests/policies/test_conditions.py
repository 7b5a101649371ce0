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
