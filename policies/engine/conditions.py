"""The CEL adapter: rule conditions are compiled once against declared facts and evaluated strictly.

cel-expr-python (C++ cel-cpp) checks names at compile time and bounds evaluation cost, but it returns
runtime errors (a missing key, `null > 1`) as ERROR-typed *values*. A silent false there would hide
a broken rule, so this adapter turns them into `ConditionError`, and insists on a boolean result
both statically (at compile time) and at run time.
"""

from dataclasses import dataclass

from cel_expr_python import cel

# The facts a condition may name. Workflow-level rules see the workflow and facts derived from it;
# exposure-level rules additionally see the asset, terms and clause in hand.
WORKFLOW_FACTS = ("workflow", "student", "base", "organization", "deployment", "as_of")
EXPOSURE_FACTS = (*WORKFLOW_FACTS, "exposure", "asset", "document", "clause")


class ConditionError(Exception):
    """A condition that does not compile, or that failed while evaluating."""


def _env(names):
    return cel.NewEnv(variables={name: cel.Type.DYN for name in names})


_ENVS = {}


def environment(target):
    """The CEL environment for "workflow" or "exposure" rules (built once per process)."""
    if target not in _ENVS:
        _ENVS[target] = _env(EXPOSURE_FACTS if target == "exposure" else WORKFLOW_FACTS)
    return _ENVS[target]


@dataclass(frozen=True)
class Condition:
    source: str
    target: str
    _expression: object = None  # None: blank condition, always true

    def evaluate(self, activation):
        if self._expression is None:
            return True
        result = self._expression.eval(activation)
        kind = result.type()
        if kind == cel.Type.ERROR:
            raise ConditionError(f"condition failed: {result.value()}")
        if kind != cel.Type.BOOL:
            raise ConditionError(f"condition returned {kind.name()}, not a boolean")
        return result.value()


def compile_condition(source, target):
    """Compile `source` for a "workflow" or "exposure" rule. Raises ConditionError with the position."""
    source = (source or "").strip()
    if not source:
        return Condition(source="", target=target)
    try:
        expression = environment(target).compile(source)
    except RuntimeError as exc:
        # The message carries "<input>:line:col: …" and a caret line; drop the status prefix.
        raise ConditionError(str(exc).replace("INVALID_ARGUMENT: ", "").replace(" [INVALID_ARGUMENT]", "").strip()) from None
    returned = expression.return_type()
    if returned != cel.Type.BOOL:
        raise ConditionError(f"a condition must be a boolean expression, this one is {returned.name()} (compare it, e.g. `== true`)")
    return Condition(source=source, target=target, _expression=expression)


def activation(target, facts):
    """Bind the facts once; every condition of a rule evaluated against the same facts reuses it."""
    return environment(target).Activation(data=facts)
