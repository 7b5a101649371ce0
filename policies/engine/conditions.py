"""The CEL adapter: rule conditions are compiled once against declared facts and evaluated strictly.

cel-expr-python (C++ cel-cpp) checks names at compile time and bounds evaluation cost, but it returns
runtime errors (a missing key, `null > 1`) as ERROR-typed *values*. A silent false there would hide
a broken rule, so this adapter turns them into `ConditionError`, and insists on a boolean result
both statically (at compile time) and at run time.
"""

import re
from dataclasses import dataclass

from cel_expr_python import cel

# The facts a condition may name. Workflow-level rules see the workflow and facts derived from it;
# exposure-level rules additionally see the asset, terms and clause in hand.
WORKFLOW_FACTS = ("workflow", "student", "base", "organization", "deployment", "as_of")
EXPOSURE_FACTS = (*WORKFLOW_FACTS, "exposure", "asset", "document", "clause")


# The fields of each fact. Facts are DYN maps for CEL, which checks only top-level names at compile
# time, so `fact.field` is checked here against this list (tests keep it equal to what
# evaluate.py really builds). Deeper levels (clause.params.*) vary by clause type.
FACT_FIELDS = {
    "workflow": ("name", "as_of", "student", "teachers", "datasets", "organization", "deployment"),
    "student": (
        "name", "base_model", "purpose", "release", "competes_with_teachers", "license", "license_keys", "modalities",
        "training_compute_flop", "from_scratch", "compute", "cumulative_compute", "license_foss", "released", "weights_terms", "name_key",
    ),
    "base": ("given", "resolved", "slug", "name", "compute", "modalities", "organization"),
    "organization": ("name", "country", "monthly_active_users", "annual_revenue_usd", "domiciled_in"),
    "deployment": ("jurisdictions", "covered"),
    "exposure": ("kind", "subject", "subject_kind", "relation", "edge", "binding", "access", "signal", "path", "reason", "source_url", "evidence"),
    "asset": ("kind", "slug", "name", "organization", "country", "modalities", "access", "compute"),
    "document": ("spdx_id", "name", "kind", "contract", "foss", "url"),
    "clause": ("key", "type", "section", "heading", "params", "params_key"),
}
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')
_SELECT = re.compile(r"(?<![\w.])([a-z_]+)\.([A-Za-z_]\w*)")


def unknown_fields(text, facts):
    """`fact.field` references in text whose field the fact does not have, as (offset, "fact.field")."""
    text = _STRING.sub(lambda m: " " * len(m.group(0)), text or "")
    return [(m.start(), f"{m.group(1)}.{m.group(2)}") for m in _SELECT.finditer(text) if m.group(1) in facts and m.group(2) not in FACT_FIELDS.get(m.group(1), ())]


_ROOT = re.compile(r"(?<![\w.])([a-z_]+)\b")


_FIELD = re.compile(r"\.([A-Za-z_]\w*)")


def fields_used(source, facts):
    """For each fact a condition names, the fields it selects (`student.name` -> "name"), as a sorted
    tuple; None when it uses the fact as a whole (`size(student)`, `student["name"]`, `as_of`).

    CEL converts a bound fact completely the first time a condition reads it, so handing it only the
    selected fields is what makes binding cheap. Fields are the first level only (`clause.params.x`
    selects "params"), and anything the pattern does not recognise as a selection counts as a whole use.
    """
    text = _STRING.sub(lambda m: " " * len(m.group(0)), source or "")
    used = {}
    for match in _ROOT.finditer(text):
        root = match.group(1)
        if root not in facts:
            continue
        selected = _FIELD.match(text, match.end())
        if selected is None:
            used[root] = None
        elif used.get(root, ()) is not None:
            used[root] = (*used.get(root, ()), selected.group(1))
    return {root: None if fields is None else tuple(sorted(set(fields))) for root, fields in used.items()}


def keys_used(source, root, field):
    """The keys a condition selects below `root.field` (`clause.params.notice_file` -> "notice_file"),
    as a sorted tuple; None when it reads `root.field` any other way (whole, indexed, passed to a
    function) or the pattern finds no selection at all (then nothing narrower can be promised)."""
    text = _STRING.sub(lambda m: " " * len(m.group(0)), source or "")
    keys = set()
    for match in re.finditer(rf"(?<![\w.]){re.escape(root)}\.{re.escape(field)}\b", text):
        selected = _FIELD.match(text, match.end())
        if selected is None:
            return None
        keys.add(selected.group(1))
    return tuple(sorted(keys)) or None


def merge_fields(plans):
    """The union of several fields_used results (None, a whole fact, wins over fields)."""
    merged = {}
    for plan in plans:
        for root, fields in plan.items():
            if root in merged and (merged[root] is None or fields is None):
                merged[root] = None
            else:
                merged[root] = tuple(sorted({*merged.get(root, ()), *fields})) if fields is not None else None
    return merged


def bind(target, facts, plan):
    """An activation for `plan` ((fact, fields or None) pairs, see fields_used): each fact narrowed to
    the fields the condition selects. The condition cannot tell the difference, and CEL converts less."""
    data = {}
    for root, fields in plan:
        value = facts[root]
        if fields is not None and isinstance(value, dict):
            value = {name: value[name] for name in fields if name in value}
        data[root] = value
    return environment(target).Activation(data=data)


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
        value = result.value()
        if type(value) is bool:  # only a BOOL result is a Python bool (an ERROR's value is its message)
            return value
        kind = result.type()
        if kind == cel.Type.ERROR:
            raise ConditionError(f"condition failed: {value}")
        if kind == cel.Type.BOOL:
            return bool(value)
        raise ConditionError(f"condition returned {kind.name()}, not a boolean")


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
    unknown = unknown_fields(source, EXPOSURE_FACTS if target == "exposure" else WORKFLOW_FACTS)
    if unknown:
        offset, name = unknown[0]
        root = name.split(".")[0]
        raise ConditionError(f"<input>:1:{offset + 1}: {root} has no field '{name.split('.')[1]}' (known: {', '.join(FACT_FIELDS[root])})")
    returned = expression.return_type()
    if returned != cel.Type.BOOL:
        raise ConditionError(f"a condition must be a boolean expression, this one is {returned.name()} (compare it, e.g. `== true`)")
    return Condition(source=source, target=target, _expression=expression)


def activation(target, facts):
    """Bind the facts once; every condition of a rule evaluated against the same facts reuses it."""
    return environment(target).Activation(data=facts)
