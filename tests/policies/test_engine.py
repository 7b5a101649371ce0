"""The pure engine on a hand-built knowledge base: lineage, binding, versions by date, scope, verdicts."""

import pytest

from policies.engine.decision import Citation, Decision, Finding, verdict_of
from policies.engine.evaluate import evaluate_workflow
from policies.engine.lineage_view import EMPTY_VIEW
from policies.engine.scope import validate_scope
from policies.engine.templates import render, template_problems
from tests.policies import factories as f

OUTPUTS_BANNED = f.clause("no-outputs", "competing_models", section="§2")
WEIGHTS_NAMING = f.clause("naming", "naming", section="§1.b.i", prefix="Llama")

DOCS = [
    f.document("LicenseRef-Closed-Terms", kind="service_terms", versions=[f.version("2024", "2024-01-01", clauses=[OUTPUTS_BANNED])]),
    f.document("LicenseRef-Family", versions=[
        f.version("1", "2023-01-01", "2025-01-01", clauses=[f.clause("old", "output_training", permitted="no")]),
        f.version("2", "2025-01-01", clauses=[WEIGHTS_NAMING]),
    ]),
    f.document("Apache-2.0", kind="open_source", foss=True, versions=[f.version("2.0", clauses=[f.clause("notice", "attribution_notice", notice_file=True)])]),
]
MODELS = [
    f.model("closed-1", access="api", service=["LicenseRef-Closed-Terms"]),
    f.model("family-base", weights=["LicenseRef-Family"]),
    f.model("family-chat", weights=["Apache-2.0"], parents=[f.edge("fine_tune", "family-base"), f.edge("output_distillation", "closed-1")]),
    f.model("rumoured", weights=["Apache-2.0"], parents=[f.edge("output_distillation", "closed-1", evidence_kind="alleged")]),
    f.model("both-ways", access="both", weights=["Apache-2.0"], service=["LicenseRef-Closed-Terms"]),
    f.model("mystery", weights_unknown=True),
]
DATASETS = [f.dataset("synthetic", license="Apache-2.0", parents=[f.edge("generated_by", "closed-1")]), f.dataset("nolicense")]
EVERY_CLAUSE = f.rule("every-clause", "review", {"clause_types": ["competing_models", "naming", "output_training", "attribution_notice"]},
                      message="{document.spdx_id}#{clause.key} via {exposure.relation} ({exposure.binding})")
UNKNOWN = f.rule("unknown", "review", {"target": "unknown_terms"}, message="{exposure.reason}")
MISSING = f.rule("missing", "review", {"target": "missing_version"}, message="{exposure.reason}")
UNRESOLVED = f.rule("unresolved", "review", {"target": "unresolved"}, message="{exposure.reason}")


def run(workflow, rules=(EVERY_CLAUSE, UNKNOWN, MISSING, UNRESOLVED), as_of=None):
    # The pure engine: a compiled policy from plain dicts and an empty lineage view (no registry).
    snap = f.snapshot(DOCS, MODELS, DATASETS, rules)
    return evaluate_workflow({"as_of": f.DAY, **workflow}, as_of=as_of, snapshot=snap, view=EMPTY_VIEW)


def student(**extra):
    return {"name": "acme", "purpose": "commercial", "release": "open_weights", **extra}


def messages(decision, rule="every-clause"):
    return sorted(x.message for x in decision.findings if x.rule == rule)


def test_an_api_teacher_carries_its_service_terms_directly():
    decision = run({"student": student(), "teachers": [{"model": "closed-1"}]})
    assert messages(decision) == ["LicenseRef-Closed-Terms#no-outputs via distillation (direct)"]
    assert decision.findings[0].path == ("acme", "closed-1")


def test_a_self_hosted_teacher_carries_its_weights_and_their_ancestors_but_not_its_teachers_terms_as_direct():
    decision = run({"student": student(), "teachers": [{"model": "family-chat", "access": "self_hosted"}]})
    assert messages(decision) == [
        "Apache-2.0#notice via distillation (direct)",
        "LicenseRef-Closed-Terms#no-outputs via distillation (inherited)",
        "LicenseRef-Family#naming via distillation (direct)",
    ]


RELICENSED = f.rule("relicensed", "permit", {"target": "licensor_release"}, message="{exposure.reason}")
RELABELLED = f.rule("relabelled", "require", {"target": "third_party_relicense"}, message="{exposure.reason}")


def run_lineage(models, workflow):
    snap = f.snapshot(DOCS, models, DATASETS, (EVERY_CLAUSE, UNKNOWN, RELICENSED, RELABELLED))
    return evaluate_workflow({"as_of": f.DAY, **workflow}, snapshot=snap, view=EMPTY_VIEW)


def test_the_licensors_own_release_under_other_terms_stops_its_earlier_terms_and_says_so():
    models = [
        f.model("family-base", weights=["LicenseRef-Family"], organization="Family Inc"),
        f.model("family-open", weights=["Apache-2.0"], organization="Family Inc", parents=[f.edge("fine_tune", "family-base")]),
    ]
    decision = run_lineage(models, {"student": student(base_model="family-open")})
    assert messages(decision) == ["Apache-2.0#notice via weights (direct)"]
    [why] = [x for x in decision.findings if x.rule == "relicensed"]
    assert why.path == ("acme", "family-open", "Family-Base")
    assert why.message == ("Family Inc, the licensor of Family-Base, released Family-Open under Apache-2.0 terms; those terms govern "
                           "what flows on from Family-Open, not the LicenseRef-Family terms it set for Family-Base")
    assert [c.ref for c in why.citations] == ["Apache-2.0"]


def test_a_release_cuts_only_its_makers_terms_not_a_third_partys_further_up():
    models = [
        f.model("other-base", weights=["LicenseRef-Family"], organization="Other Co"),
        f.model("family-mid", weights=["LicenseRef-Family"], organization="Family Inc", parents=[f.edge("fine_tune", "other-base")]),
        f.model("family-open", weights=["Apache-2.0"], organization="Family Inc", parents=[f.edge("fine_tune", "family-mid")]),
    ]
    decision = run_lineage(models, {"student": student(base_model="family-open")})
    assert "LicenseRef-Family#naming via weights (direct)" in messages(decision)
    [naming] = [x for x in decision.findings if x.message == "LicenseRef-Family#naming via weights (direct)"]
    assert naming.path == ("acme", "family-open", "Family-Mid", "Other-Base")
    # Family Inc relabelled a derivative of Other Co's weights, which it could not relicense.
    assert [x.path[-1] for x in decision.findings if x.rule == "relabelled"] == ["Other-Base"]


def test_a_relabel_by_someone_else_keeps_the_ancestors_terms_and_is_a_finding():
    models = [
        f.model("family-base", weights=["LicenseRef-Family"], organization="Family Inc"),
        f.model("fan-tune", weights=["Apache-2.0"], organization="A Fan", parents=[f.edge("fine_tune", "family-base")]),
    ]
    decision = run_lineage(models, {"student": student(base_model="fan-tune")})
    assert "LicenseRef-Family#naming via weights (direct)" in messages(decision)
    [label] = [x for x in decision.findings if x.rule == "relabelled"]
    assert label.message.startswith("Fan-Tune is released under Apache-2.0 terms (the knowledge base records), but its weights derive from Family-Base, "
                                    "whose LicenseRef-Family terms only Family Inc can change")
    assert not [x for x in decision.findings if x.rule == "relicensed"]


def test_access_defaults_to_the_service_for_closed_models_and_to_the_weights_for_open_ones():
    assert messages(run({"student": student(), "teachers": [{"model": "both-ways"}]})) == ["Apache-2.0#notice via distillation (direct)"]
    assert messages(run({"student": student(), "teachers": [{"model": "both-ways", "access": "api"}]})) == [
        "LicenseRef-Closed-Terms#no-outputs via distillation (direct)"
    ]


def test_the_base_models_weight_ancestors_bind_directly_and_its_teachers_by_inheritance():
    decision = run({"student": student(base_model="family-chat")})
    assert messages(decision) == [
        "Apache-2.0#notice via weights (direct)",
        "LicenseRef-Closed-Terms#no-outputs via distillation (inherited)",
        "LicenseRef-Family#naming via weights (direct)",
    ]
    inherited = next(x for x in decision.findings if x.binding == "inherited")
    assert inherited.path == ("acme", "family-chat", "Closed-1")


def test_alleged_lineage_is_not_walked():
    assert messages(run({"student": student(base_model="rumoured")})) == ["Apache-2.0#notice via weights (direct)"]


def test_a_generated_dataset_carries_the_generators_terms_by_inheritance():
    decision = run({"student": student(), "datasets": [{"dataset": "synthetic"}, {"name": "mine", "license": None, "generated_by": ["closed-1"]}]})
    # Both datasets carry closed-1's terms: one point, reached by two routes, is one finding with both paths.
    # Neither dataset says when it was made: the generator's terms are read on as_of, and the finding says so.
    assert messages(decision) == [
        "Apache-2.0#notice via dataset (direct)",
        "LicenseRef-Closed-Terms#no-outputs via generated_by (inherited) (When synthetic was generated is not known, so the terms in force "
        f"on {f.DAY} (the check's date) were read.)",
    ]
    inherited = next(x for x in decision.findings if x.binding == "inherited")
    assert inherited.paths == (("acme", "synthetic", "Closed-1"), ("acme", "mine", "closed-1"))  # a KB edge names the model, a workflow the reference
    assert inherited.subjects == ("synthetic", "mine")
    assert messages(decision, "unknown") == ["the license of mine is not known"]


def test_terms_versions_are_picked_by_as_of():
    on_old = run({"student": student(base_model="family-base")}, as_of="2024-06-01")
    on_new = run({"student": student(base_model="family-base")}, as_of="2025-06-01")
    assert messages(on_old) == ["LicenseRef-Family#old via weights (direct)"]
    assert messages(on_new) == ["LicenseRef-Family#naming via weights (direct)"]
    before = run({"student": student(base_model="family-base")}, as_of="2022-01-01")
    assert messages(before, "missing") == ["no version of LicenseRef-Family terms is in force on 2022-01-01"]


def test_unknown_terms_and_unresolved_references_are_findings_and_listed():
    decision = run({"student": student(base_model="mystery"), "teachers": [{"model": "nobody/nothing"}], "datasets": [{"dataset": "nolicense"}]})
    assert messages(decision, "unknown") == ["the license of Mystery's weights is not known", "the license of nolicense is not known"]
    assert decision.unresolved == [{"field": "teachers[0].model", "reference": "nobody/nothing", "reason": "matches nothing in the knowledge base or the model registry", "suggestions": []}]
    finding = next(x for x in decision.findings if x.rule == "unresolved")
    assert finding.citations[0].url == "https://huggingface.co/nobody/nothing"


def test_a_prohibition_from_inherited_contract_terms_becomes_review():
    ban = f.rule("ban", "prohibit", {"clause_types": ["competing_models"]}, message="banned")
    direct = run({"student": student(), "teachers": [{"model": "closed-1"}]}, rules=[ban])
    inherited = run({"student": student(), "datasets": [{"dataset": "synthetic"}]}, rules=[ban])
    assert [(x.effect, x.binding) for x in direct.findings] == [("prohibit", "direct")]
    assert [(x.effect, x.binding) for x in inherited.findings] == [("review", "inherited")]
    assert direct.verdict == "prohibited" and inherited.verdict == "review"


def test_scope_filters_before_conditions_and_conditions_see_the_facts():
    rule = f.rule("api-only", "require", {"clause_types": ["competing_models"], "access": ["api"], "release": ["api"]},
                  condition="student.competes_with_teachers == true", message="{asset.name} {student.name}")
    workflow = {"teachers": [{"model": "closed-1"}]}
    assert run({**workflow, "student": student(release="api", competes_with_teachers=True)}, rules=[rule]).verdict == "conditional"
    assert run({**workflow, "student": student(release="api", competes_with_teachers=False)}, rules=[rule]).verdict == "allowed"
    assert run({**workflow, "student": student(release="open_weights", competes_with_teachers=True)}, rules=[rule]).verdict == "allowed"


def test_workflow_rules_apply_by_jurisdiction_up_and_down_and_by_window():
    rule = f.rule("eu-duty", "require", {"jurisdictions": ["EU"]}, effective_from="2025-08-02", message="duty for {student.name}")
    ca = f.rule("ca-duty", "require", {"jurisdictions": ["US-CA"]}, message="ca")
    for codes, expected in ((["DE"], ["eu-duty"]), (["US"], ["ca-duty"]), (["US-CA", "FR"], ["eu-duty", "ca-duty"]), ([], [])):
        decision = run({"student": student(), "deployment": {"jurisdictions": codes}}, rules=[rule, ca])
        assert [x.rule for x in decision.findings] == expected, codes
    early = run({"student": student(), "deployment": {"jurisdictions": ["DE"]}}, rules=[rule], as_of="2025-08-01")
    assert early.findings == []


def test_cited_provisions_narrow_a_rules_window():
    rule = f.rule("art-50", "require", {}, effective_from="2025-01-01", windows=[("2026-08-02", None)], message="x")
    assert rule.effective_from == "2026-08-02"
    assert run({"student": student()}, rules=[rule], as_of="2026-08-01").verdict == "allowed"
    assert run({"student": student()}, rules=[rule], as_of="2026-08-02").verdict == "conditional"


def finding(effect):
    return Finding(rule=effect, effect=effect, subject="s", path=("a",), binding="direct", message=f"{effect} message", remedy="", citations=())


@pytest.mark.parametrize(
    "effects, verdict",
    [
        ((), "allowed"),
        (("permit",), "allowed"),
        (("permit", "require"), "conditional"),
        (("require", "review", "permit"), "review"),
        (("permit", "review", "prohibit", "require"), "prohibited"),
    ],
)
def test_the_verdict_is_the_worst_effect(effects, verdict):
    findings = [finding(e) for e in effects]
    assert verdict_of(findings) == verdict
    decision = Decision(as_of=f.DAY, findings=findings, unresolved=[], policy_version="sha256:x")
    assert decision.verdict == verdict
    assert [x.effect for x in decision.findings] == sorted(effects, key=["prohibit", "review", "require", "permit"].index)


def test_decision_json_has_exactly_the_contracts_keys():
    citation = Citation(document="D", section="§1", url="https://x", quote="q", effective_from="2024-01-01")
    decision = Decision(as_of=f.DAY, findings=[finding("require"), finding("prohibit")], unresolved=[], policy_version="sha256:abc")
    data = decision.to_json()
    assert list(data) == ["verdict", "as_of", "summary", "findings", "obligations", "unresolved", "assumptions", "registry_records", "policy_version", "check_id"]
    assert data["summary"] == "Prohibited: prohibit message (and 1 more finding)"
    assert data["obligations"] == ["require message"]
    assert list(data["findings"][0]) == ["rule", "effect", "subject", "path", "paths", "subjects", "binding", "message", "remedy", "citations"]
    assert data["findings"][0]["paths"] == [data["findings"][0]["path"]] and data["findings"][0]["subjects"] == [data["findings"][0]["subject"]]
    assert list(citation.to_json()) == ["document", "section", "url", "quote", "effective_from"]


def test_templates_render_dotted_facts_and_reject_unknown_roots():
    facts = {"student": {"name": "acme", "compute": 3e23, "competes": None, "list": ["EU", "DE"]}, "organization": {"mau": 800000000}}
    assert render("{student.name}: {student.compute} FLOP, {organization.mau} users, {student.competes}, {student.list}", facts) == (
        "acme: 3e+23 FLOP, 800,000,000 users, unknown, EU, DE"
    )
    assert template_problems("{clause.section}", "exposure") == []
    assert "not a fact here" in template_problems("{clause.section}", "workflow")[0]
    assert template_problems("a { b", "workflow")


@pytest.mark.parametrize(
    "scope, problem",
    [
        ({"clause_types": ["no_such_type"]}, '"no_such_type" is not one of'),
        ({"relations": "weights", "clause_types": ["naming"]}, "non-empty list"),
        ({"target": "everything"}, "is not one of"),
        ({"access": ["api"]}, "only applies to exposures"),
        ({"target": "clause"}, "must select clause_types or documents"),
        ({"colour": ["red"]}, "is not a scope key"),
        ({"clause_types": ["naming"], "subject": "deployment"}, "only applies to workflow rules"),
    ],
)
def test_bad_scopes_are_explained(scope, problem):
    assert any(problem in p for p in validate_scope(scope)), validate_scope(scope)


def test_the_declared_fact_fields_are_exactly_the_facts_the_engine_builds():
    from policies.engine.conditions import FACT_FIELDS
    from policies.engine.evaluate import workflow_facts
    from policies.engine.exposure import walk
    from policies.engine.workflow import parse_workflow

    snap = f.snapshot(DOCS, MODELS, DATASETS, [EVERY_CLAUSE])
    workflow = parse_workflow({"as_of": f.DAY, "student": student(base_model="family-chat")}, snap.licensing)
    walked = walk(workflow, snap)
    exposures = walked.exposures
    facts = workflow_facts(workflow, snap, walked.base, walked.weights_terms)
    for name in ("workflow", "student", "base", "organization", "deployment"):
        assert set(facts[name]) == set(FACT_FIELDS[name]), name
    exposure = exposures[0]
    assert set(exposure["facts"]) == set(FACT_FIELDS["exposure"])
    for name in ("asset", "document"):
        assert set(exposure[name]) == set(FACT_FIELDS[name]), name
    assert set(exposure["clause"]["facts"]) == set(FACT_FIELDS["clause"])


def sizes(snapshot):
    """How many entries each table of a compiled policy holds (what a check must never add to)."""
    from dataclasses import fields

    return {field.name: len(getattr(snapshot, field.name)) for field in fields(snapshot) if hasattr(getattr(snapshot, field.name), "__len__")}


def test_ad_hoc_datasets_are_named_in_their_own_check_and_leave_nothing_in_the_compiled_policy():
    # An ad-hoc dataset lives for one check and a later one can get its id, so nothing of it may be
    # kept in the compiled policy shared by every check (its facts once leaked between checks).
    rule = f.rule("named", "require", {"clause_types": ["attribution_notice"]}, message="{asset.name}")
    unknown = f.rule("unknown", "review", {"target": "unknown_terms"}, message="{asset.name}")
    snap = f.snapshot(DOCS, MODELS, DATASETS, [rule, unknown])
    before = sizes(snap)
    for i in range(200):
        datasets = [{"name": f"ad-hoc-{i}", "license": "Apache-2.0"}, {"name": f"unlicensed-{i}", "license": None}]
        decision = evaluate_workflow({"as_of": f.DAY, "student": student(), "datasets": datasets}, snapshot=snap)
        assert sorted(x.message for x in decision.findings) == [f"ad-hoc-{i}", f"unlicensed-{i}"]
    assert sizes(snap) == before


def test_a_condition_on_the_clause_alone_answers_alike_in_every_check_and_a_candidate_rule_gets_its_own_answer():
    from policies.engine.compiled import with_rule

    notice = f.rule("notice", "require", {"clause_types": ["attribution_notice"]}, condition="clause.params.notice_file == true", message="n")
    snap = f.snapshot(DOCS, MODELS, DATASETS, [notice])
    workflow = {"as_of": f.DAY, "student": student(), "datasets": [{"dataset": "synthetic"}]}
    assert [x.rule for x in evaluate_workflow(workflow, snapshot=snap).findings] == ["notice"]
    assert [x.rule for x in evaluate_workflow(workflow, snapshot=snap).findings] == ["notice"]
    # A draft of the same slug with another condition is evaluated afresh in its candidate snapshot.
    draft = f.rule("notice", "require", {"clause_types": ["attribution_notice"]}, condition="clause.params.notice_file == false", message="n")
    assert evaluate_workflow(workflow, snapshot=with_rule(snap, draft)).findings == []
    assert [x.rule for x in evaluate_workflow(workflow, snapshot=snap).findings] == ["notice"]


def test_a_failing_clause_condition_fails_every_time_it_is_evaluated():
    from policies.engine.conditions import ConditionError

    broken = f.rule("broken", "require", {"clause_types": ["attribution_notice"]}, condition="clause.params.nope == 1", message="n")
    snap = f.snapshot(DOCS, MODELS, DATASETS, [broken])
    workflow = {"as_of": f.DAY, "student": student(), "datasets": [{"dataset": "synthetic"}]}
    for _ in range(2):
        with pytest.raises(ConditionError, match='rule "broken" on synthetic'):
            evaluate_workflow(workflow, snapshot=snap)


def test_a_template_filled_with_some_facts_renders_like_the_whole_template():
    from policies.engine.templates import compile_template, fill

    template = compile_template("{document.name} ({clause.section}) binds {student.name}, {clause.params.users} users; {asset.name}")
    facts = {"document": {"name": "Terms"}, "clause": {"section": "§2", "params": {"users": 700000000}}, "asset": None, "student": {"name": "a"}}
    filled = fill(template, facts, {"document", "clause", "asset"})
    assert filled == (("Terms (§2) binds ", None), ("", ("student", "name")), (", 700,000,000 users; unknown", None))
    for name in ("a", "b"):
        assert render(filled, {**facts, "student": {"name": name}}) == render(template, {**facts, "student": {"name": name}})


def test_which_rules_are_live_depends_on_day_release_purpose_and_jurisdictions_and_checks_leave_the_policy_unchanged():

    rules = [
        f.rule("eu-from-2025", "require", {"target": "workflow", "jurisdictions": ["EU"]}, effective_from="2025-08-02", message="eu"),
        f.rule("ca", "require", {"target": "workflow", "jurisdictions": ["US-CA"]}, message="ca"),
        f.rule("open-weights", "review", {"target": "workflow", "release": ["open_weights"]}, message="open"),
        f.rule("commercial", "review", {"target": "workflow", "purpose": ["commercial"]}, message="commercial"),
    ]
    variants = [
        ("2026-01-01", "open_weights", "commercial", ["DE"], ["commercial", "eu-from-2025", "open-weights"]),
        ("2025-08-01", "open_weights", "commercial", ["DE"], ["commercial", "open-weights"]),  # the EU rule not yet in force
        ("2026-01-01", "internal", "commercial", ["DE"], ["commercial", "eu-from-2025"]),
        ("2026-01-01", "open_weights", "research", ["DE"], ["eu-from-2025", "open-weights"]),
        ("2026-01-01", "open_weights", "commercial", ["US"], ["ca", "commercial", "open-weights"]),  # US covers US-CA
        ("2026-01-01", "internal", "research", [], []),
    ]
    snap = f.snapshot(rules=rules)
    sizes = {name: len(value) for name, value in vars(snap).items() if hasattr(value, "__len__")}
    for _ in range(2):  # a second round gives the same answers: nothing a check leaves behind changes the next
        for day, release, purpose, codes, expected in variants:
            workflow = {"as_of": day, "student": student(release=release, purpose=purpose), "deployment": {"jurisdictions": codes}}
            assert sorted(x.rule for x in evaluate_workflow(workflow, snapshot=snap).findings) == expected, (day, release, purpose, codes)
            assert sorted(x.rule for x in evaluate_workflow(workflow, snapshot=f.snapshot(rules=rules)).findings) == expected
    # Checks write nothing into the compiled policy they share.
    assert {name: len(value) for name, value in vars(snap).items() if hasattr(value, "__len__")} == sizes


def test_clauses_that_agree_on_what_a_condition_reads_get_one_answer_and_those_that_differ_their_own():
    # Three providers' output-training clauses: two ban it (in different words), one allows it. The
    # condition reads `permitted` and the student, so the two bans answer alike and the permit does not.
    def provider(name, permitted, scope):
        terms = f.document(f"LicenseRef-{name}", kind="service_terms", versions=[
            f.version("1", "2024-01-01", clauses=[f.clause(f"{name}-outputs", "output_training", permitted=permitted, scope=scope)])])
        return terms, f.model(name, access="api", service=[terms["spdx_id"]])

    docs, models = zip(*(provider("a", "no", "any_model"), provider("b", "no", "competing_models"), provider("c", "yes", "any_model")), strict=True)
    rule = f.rule("ban", "prohibit", {"clause_types": ["output_training"]}, condition='clause.params.permitted == "no" && student.released',
                  message="{document.spdx_id}: {clause.params.scope}")
    snap = f.snapshot(docs, models, (), [rule])
    teachers = [{"model": m} for m in ("a", "b", "c")]
    released = evaluate_workflow({"as_of": f.DAY, "student": student(), "teachers": teachers}, snapshot=snap)
    assert sorted(x.message for x in released.findings) == ["LicenseRef-a: any_model", "LicenseRef-b: competing_models"]
    internal = evaluate_workflow({"as_of": f.DAY, "student": student(release="internal"), "teachers": teachers}, snapshot=snap)
    assert internal.findings == []
