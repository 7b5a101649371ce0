"""A rule's scope: the declared, indexable part of "where does this rule look".

Scope is matched in plain Python before any condition runs, so most rules never reach CEL for a
given exposure. Every key is optional; a key that is present must match (lists mean "any of").

    target         what the rule is evaluated against ("on" would read as a boolean in YAML 1.1):
                     clause          each clause of a terms version that reaches the student
                     unknown_terms   an asset whose terms are not known
                     missing_version terms with no version in force on as_of
                     unresolved      a reference that matched nothing in the knowledge base
                     licensor_release an ancestor's own licensor released a descendant under other
                                     terms, which govern from there on (the ancestor's stop)
                     third_party_relicense a derivative labelled with other terms than an ancestor's
                                     (not free and open source), by someone other than its licensor
                     workflow        the workflow as a whole (regulation)
                   default: "clause" when clause_types or documents is given, else "workflow"
    clause_types   clause types (kb.vocabulary)                       exposures
    documents      terms documents by SPDX id                          exposures
    document_kinds terms document kinds (open_source, service_terms…)  exposures
    relations      how the terms travel: weights, distillation, dataset, generated_by
    subject_kinds  which input entry led there: base_model, teacher, dataset
    binding        direct, inherited
    access         teacher access: api, self_hosted
    signal         teacher signal: outputs, logits
    release        student.release values
    purpose        student.purpose values
    jurisdictions  the deployment must include one of these (a country counts for its region and up:
                   a deployment in DE is a deployment in EU)
    subject        for workflow rules, what the finding is about: student (default) or deployment
"""

from dataclasses import dataclass

from kb import vocabulary
from policies.engine import contract

TARGETS = ("clause", "unknown_terms", "missing_version", "unresolved", "licensor_release", "third_party_relicense", "workflow")
RELATIONS = ("weights", "distillation", "dataset", "generated_by")
SUBJECT_KINDS = ("base_model", "teacher", "dataset")
BINDINGS = ("direct", "inherited")
DOCUMENT_KINDS = ("open_source", "open_weights", "research", "service_terms", "usage_policy", "data_license")

# key -> allowed values (None: any non-empty string)
LIST_KEYS = {
    "clause_types": tuple(vocabulary.CLAUSE_TYPES),
    "documents": None,
    "document_kinds": DOCUMENT_KINDS,
    "relations": RELATIONS,
    "subject_kinds": SUBJECT_KINDS,
    "binding": BINDINGS,
    "access": contract.ACCESS.values,
    "signal": contract.SIGNAL.values,
    "release": contract.RELEASE.values,
    "purpose": contract.PURPOSE.values,
    "jurisdictions": None,
}
EXPOSURE_ONLY = ("clause_types", "documents", "document_kinds", "relations", "subject_kinds", "binding", "access", "signal")


def target_of(scope):
    if "target" in scope:
        return scope["target"]
    return "clause" if scope.get("clause_types") or scope.get("documents") else "workflow"


def cel_target(scope):
    """Which CEL environment the rule's condition compiles against."""
    return "workflow" if target_of(scope) == "workflow" else "exposure"


def validate_scope(scope):
    """A list of problems (empty when the scope is valid)."""
    if not isinstance(scope, dict):
        return ["scope must be a mapping"]
    problems = []
    for key, value in scope.items():
        if key == "target":
            if value not in TARGETS:
                problems.append(f'target: "{value}" is not one of {", ".join(TARGETS)}')
        elif key == "subject":
            if value not in ("student", "deployment"):
                problems.append(f'subject: "{value}" is not one of student, deployment')
        elif key in LIST_KEYS:
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                problems.append(f"{key}: must be a non-empty list of strings")
                continue
            allowed = LIST_KEYS[key]
            bad = [v for v in value if allowed is not None and v not in allowed]
            if bad:
                problems.append(f'{key}: "{bad[0]}" is not one of {", ".join(allowed)}')
        else:
            problems.append(f'"{key}" is not a scope key (known: target, subject, {", ".join(LIST_KEYS)})')
    if problems:
        return problems
    target = target_of(scope)
    if target == "workflow":
        used = [k for k in EXPOSURE_ONLY if k in scope]
        if used:
            problems.append(f"{used[0]}: only applies to exposures, not to workflow rules")
    elif "subject" in scope:
        problems.append("subject: only applies to workflow rules (exposure findings are about their asset)")
    if target == "clause" and not (scope.get("clause_types") or scope.get("documents")):
        problems.append("clause rules must select clause_types or documents")
    if target != "clause" and ("clause_types" in scope):
        problems.append(f'clause_types: only applies to rules with target clause, this one is {target}')
    return problems


ROUTE_KEYS = (("relations", "relation"), ("subject_kinds", "subject_kind"), ("binding", "binding"), ("access", "access"), ("signal", "signal"))


@dataclass(frozen=True)
class CompiledScope:
    """A scope as sets, built once per rule (compiled.compile_rule): matching runs for every
    candidate rule of every exposure of every check, so it is a few set lookups, not dict walks.
    None means the key is absent (no restriction)."""

    release: frozenset | None
    purpose: frozenset | None
    jurisdictions: tuple | None
    clause_types: frozenset | None
    documents: frozenset | None
    document_kinds: frozenset | None
    route: tuple  # (route fact, allowed values) for the route keys present


def compile_scope(scope):
    def values(key):
        return frozenset(scope[key]) if key in scope else None

    return CompiledScope(
        release=values("release"),
        purpose=values("purpose"),
        jurisdictions=tuple(scope["jurisdictions"]) if "jurisdictions" in scope else None,
        clause_types=values("clause_types"),
        documents=values("documents"),
        document_kinds=values("document_kinds"),
        route=tuple((fact, frozenset(scope[key])) for key, fact in ROUTE_KEYS if key in scope),
    )


def matches_workflow(scope, student, covered):
    """The workflow-level keys (release, purpose, jurisdictions) that every rule may carry. scope: CompiledScope."""
    if scope.release is not None and student["release"] not in scope.release:
        return False
    if scope.purpose is not None and student["purpose"] not in scope.purpose:
        return False
    if scope.jurisdictions is not None and not any(code in covered for code in scope.jurisdictions):
        return False
    return True


def matches_terms(scope, document, clause):
    """The exposure-level keys about the terms in hand (clause type, document, its kind): the same for
    a clause on every route, so the compiled policy answers them once per clause. scope: CompiledScope."""
    if scope.clause_types is not None and (clause is None or clause["type"] not in scope.clause_types):
        return False
    if scope.documents is not None and (document is None or document["spdx_id"] not in scope.documents):
        return False
    if scope.document_kinds is not None and (document is None or document["kind"] not in scope.document_kinds):
        return False
    return True


def matches_route(scope, route):
    """The exposure-level keys about the route (relation, subject kind, binding, access, signal)."""
    for fact, allowed in scope.route:
        if route[fact] not in allowed:
            return False
    return True


def matches_exposure(scope, route, document, clause):
    """The exposure-level keys. scope: CompiledScope."""
    return matches_terms(scope, document, clause) and matches_route(scope, route)
