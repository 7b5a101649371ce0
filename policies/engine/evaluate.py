"""`evaluate_workflow`: the one entry point the CLI, the API and the portal call.

    workflow JSON -> parse (field-named errors) -> compiled policy (cached per process)
    -> lineage view (the registry models the workflow names, with their ancestors; loader)
    -> lineage walk -> exposures -> rules in scope and in force on as_of -> CEL conditions
    -> findings -> Decision

`evaluate_parsed` is pure: plain data in (the parsed workflow, the compiled policy, the lineage view),
a Decision out; no ORM, no HTTP, no clock. What it remembers (conditions answered on a route) lives
in a dict made for the check and dropped with it: the compiled policy is shared by every check and
nothing writes into it.
"""

from dataclasses import replace
from urllib.parse import quote

from kb.references import normalize_reference
from policies.engine import conditions, facts, loader, templates
from policies.engine import snapshot as snapshots
from policies.engine.compiled import CompiledPolicy
from policies.engine.decision import Citation, Decision, Finding
from policies.engine.exposure import walk
from policies.engine.jurisdictions import deployment_reach, expand_jurisdictions
from policies.engine.lineage_view import EMPTY_VIEW, LineageView
from policies.engine.scope import matches_exposure, matches_route, matches_workflow
from policies.engine.workflow import parse_workflow


def workflow_facts(workflow: facts.Workflow, snapshot: CompiledPolicy, base: facts.Model | None, weights_terms) -> dict:
    """The workflow-level facts conditions and templates may name (conditions.WORKFLOW_FACTS)."""
    student = workflow["student"]
    compute = float(student["training_compute_flop"]) if student["training_compute_flop"] is not None else None
    base_compute = base["compute"] if base else None
    keys = student["license_keys"]
    documents = snapshot.documents
    organization = workflow["organization"]
    covered = deployment_reach(workflow["deployment"]["jurisdictions"], snapshot.jurisdiction_parent, snapshot.jurisdictions_below)
    return {
        "workflow": workflow,
        "student": {
            **student,
            "from_scratch": student["base_model"] is None,
            "compute": compute,
            # Cumulative compute counts the weights the student starts from (GPAI guidelines, Annex A).
            "cumulative_compute": None if compute is None else compute + (base_compute or 0.0),
            "license_foss": bool(keys) and all(k in documents and documents[k]["foss"] for k in keys),
            "released": student["release"] != "internal",
            "weights_terms": list(weights_terms),
            # Naming clauses compare names the way references are matched (case and separators aside).
            "name_key": normalize_reference(student["name"]),
        },
        "base": {
            "given": student["base_model"] is not None,
            "resolved": base is not None,
            "slug": base["slug"] if base else None,
            "name": base["name"] if base else student["base_model"],
            "compute": base_compute,
            "modalities": base["modalities"] if base else [],
            "organization": base["organization"] if base else None,
        },
        "organization": {
            **organization,
            "domiciled_in": expand_jurisdictions([organization["country"]] if organization["country"] else [], snapshot.jurisdiction_parent),
        },
        "deployment": {"jurisdictions": workflow["deployment"]["jurisdictions"], "covered": covered},
        "as_of": workflow["as_of"],
    }


def _fallback_citation(route, document, asset):
    """Findings about what the knowledge base does not know still point somewhere checkable."""
    if document is not None:
        return Citation(document=document["name"], section="no version in force on the date", url=document["url"], ref=document["spdx_id"])
    if asset is not None and route["source_url"]:
        return Citation(document=f"{asset['name']} ({'knowledge base record' if asset['slug'] else 'source given in the workflow, not checked'})", section="source", url=route["source_url"])
    subject = route["subject"]
    if "/" in subject and " " not in subject:
        return Citation(document=f"{subject} on Hugging Face (not in the knowledge base)", section="model or dataset card", url=f"https://huggingface.co/{subject}")
    # A bare name or API id: point at a search, so even an unknown reference cites somewhere checkable.
    return Citation(
        document=f"{subject} (not in the knowledge base)",
        section="search the publisher's model cards and terms",
        url=f"https://huggingface.co/models?search={quote(subject)}",
    )


# The contract: contract-only terms that arrive by inheritance give review, not prohibit.
SOFTENED_WHEN_INHERITED = {"prohibit": "review"}


def possible_effects(effect):
    """The effects a finding of a rule with this effect can have: its own, and the softened one."""
    return (effect, SOFTENED_WHEN_INHERITED[effect]) if effect in SOFTENED_WHEN_INHERITED else (effect,)


def _point(documents, document, asset, subject):
    """What a finding on an exposure is about: whose terms (the publisher, else the document) on which
    asset. The same rule on the same point through several documents or routes is one finding.
    `document` is what conditions see (no publisher); `documents` the snapshot's own records."""
    terms = document and (documents[document["spdx_id"]].get("publisher") or document["spdx_id"])
    return (terms, (asset and asset["slug"]) or subject)


def _finding(rule, facts, effect, subject, path, binding, citations, note="", evidence=None, prefilled=None, point=None):
    """`prefilled`: the rule's (message, remedy) with the clause's and document's facts already filled
    in at compile time (CompiledPolicy.prefilled), or None to render the rule's own templates."""
    message, remedy = prefilled or (rule.message, rule.remedy)
    return Finding(
        rule=rule.slug,
        effect=effect,
        subject=subject,
        path=tuple(path),
        binding=binding,
        message=templates.render(message, facts) + note,
        remedy=templates.render(remedy, facts),
        citations=tuple(citations),
        evidence=evidence,
        point=point,
    )


def live_rules(snapshot, day, student, covered, only=None):
    """The rules that can fire in this check, decided once per check: (the LivePool of the student's
    release and purpose, the ids of its rules that cannot fire: out of force on `day` or scoped to
    jurisdictions the deployment does not reach). `only` (rule slugs) keeps just those rules."""
    pool = snapshot.live_index[(student["release"], student["purpose"])]
    dead = {id(rule) for rule in pool.conditional if not (rule.in_force_on(day) and matches_workflow(rule.scope_test, student, covered))}
    if only is not None:
        dead.update(id(rule) for rule in snapshot.rules if rule.slug not in only)
    return pool, dead


def _condition_holds(rule, activation, where):
    try:
        return rule.condition.evaluate(activation)
    except conditions.ConditionError as exc:
        raise conditions.ConditionError(f'rule "{rule.slug}"{where}: {exc}') from None


def evaluate_exposures(exposures, base_facts, snapshot, live):
    findings, seen, results, candidates_of = [], set(), {}, {}
    pool, dead = live
    dead = dead & pool.exposure_ids  # usually empty: the rules with a window or jurisdictions are mostly laws (workflow rules)
    static_answers, prefilled, answer_classes = snapshot.static_answers, snapshot.prefilled, snapshot.answer_classes
    for exposure in exposures:
        route, document, clause = exposure["facts"], exposure["document"], exposure["clause"]
        # The live rules that could look at this exposure, in the snapshot's order (findings keep it).
        # For a clause, the compiled policy already matched the scope's keys about the terms.
        kind = id(clause) if clause is not None else route["kind"]
        candidates = candidates_of.get(kind)
        if candidates is None:
            candidates = pool.by_clause.get(kind, ()) if clause is not None else pool.by_target.get(kind, ())
            if dead:
                candidates = tuple(rule for rule in candidates if id(rule) not in dead)
            candidates_of[kind] = candidates
        facts = bound = None
        for rule in candidates:
            if not (matches_route(rule.scope_test, route) if clause is not None else matches_exposure(rule.scope_test, route, document, None)):
                continue
            # One finding per rule, subject and document: a license with two clauses of a type the rule
            # selects (CC BY-NC's commercial-use and non-commercial clauses) says one thing, once.
            key = (rule.slug, route["subject"], document and document["spdx_id"], route["reason"])
            if key in seen:
                continue
            if facts is None:
                facts = {**base_facts, "exposure": route, "asset": exposure["asset"], "document": document, "clause": clause and clause["facts"]}
            if rule.condition.source:
                fired = static_answers.get((id(rule), id(clause))) if rule.static_condition and clause is not None else None
                if isinstance(fired, conditions.ConditionError):
                    raise conditions.ConditionError(f'rule "{rule.slug}" on {route["subject"]}: {fired}') from None
                if rule.route_dependent:
                    answer_key = (id(rule), id(exposure))
                elif clause is not None:
                    answer_key = answer_classes.get((id(rule), id(clause))) or (id(rule), id(clause))
                else:
                    answer_key = (id(rule), id(document or exposure))
                if fired is None:
                    fired = results.get(answer_key)
                if fired is None:
                    if bound is None:
                        bound = {}
                    if rule.binding not in bound:
                        bound[rule.binding] = conditions.bind("exposure", facts, rule.binding)
                    fired = results[answer_key] = _condition_holds(rule, bound[rule.binding], f" on {route['subject']}")
                if not fired:
                    continue
            seen.add(key)
            effect, note = rule.effect, ""
            if effect in SOFTENED_WHEN_INHERITED and route["binding"] == "inherited" and document is not None and document["contract"]:
                effect = SOFTENED_WHEN_INHERITED[effect]
                note = " These terms bound someone upstream, not the workflow's owner, but the risk travels with the data or model."
            if exposure.get("basis"):
                # Terms read on another day than as_of (a generated dataset's date): the finding says which.
                note += f" ({exposure['basis'][0].upper()}{exposure['basis'][1:]}.)"
            if clause is not None:
                cited = snapshot.clause_citations[(document["spdx_id"], exposure["version"]["label"], clause["key"])]
                citations = (replace(cited, basis=exposure["basis"]) if exposure.get("basis") else cited, *rule.citations)
            else:
                # The walk cites the terms a relicensing finding is about (exposure["citations"]).
                citations = rule.citations or exposure.get("citations") or (_fallback_citation(route, document, exposure["asset"]),)
            evidence = route["evidence"] if route["evidence"] != "documented" else None
            filled = prefilled.get((id(rule), id(clause))) if clause is not None else None
            point = _point(snapshot.documents, document, exposure["asset"], route["subject"])
            findings.append(_finding(rule, facts, effect, route["subject"], route["path"], route["binding"], citations, note, evidence, filled, point))
    return findings


def evaluate_workflow_rules(base_facts, snapshot, live, student):
    findings, bound = [], None
    pool, dead = live
    for rule in pool.by_target.get("workflow", ()):
        if id(rule) in dead:
            continue
        if rule.condition.source:
            if bound is None:
                bound = conditions.bind("workflow", base_facts, snapshot.workflow_binding)
            if not _condition_holds(rule, bound, ""):
                continue
        subject = rule.scope.get("subject", "student")
        findings.append(_finding(rule, base_facts, rule.effect, subject, [student["name"]], "direct", rule.citations))
    return findings


def evaluate_parsed(workflow: facts.Workflow, snapshot: CompiledPolicy, only=None, view: LineageView = EMPTY_VIEW) -> Decision:
    """Evaluate an already-parsed workflow against a compiled policy and a lineage view. Pure.

    `view` (policies.engine.lineage_view) holds the registry models the workflow names and their
    ancestors, fetched by the loader before evaluation; the default resolves against curated models only.
    `only` (a set of rule slugs) evaluates just those rules. Rules never see each other's findings,
    so these are exactly the findings the same rules give in a full evaluation (impact preview
    relies on it); the Decision's verdict is then over those findings only.
    """
    walked = walk(workflow, snapshot, view)
    facts = workflow_facts(workflow, snapshot, walked.base, walked.weights_terms)
    day, student = workflow["as_of"], facts["student"]
    live = live_rules(snapshot, day, student, facts["deployment"]["covered"], only)
    findings = evaluate_exposures(walked.exposures, facts, snapshot, live)
    findings += evaluate_workflow_rules(facts, snapshot, live, student)
    return Decision(
        as_of=day,
        findings=findings,
        unresolved=walked.unresolved,
        policy_version=snapshot.policy_version,
        assumptions=walked.assumptions,
        registry_records=view.records_used(walked.used),
    )


def evaluate_workflow(workflow: dict, as_of=None, snapshot: CompiledPolicy | None = None, view: LineageView | None = None,
                      counterfactuals=False) -> Decision:
    """Check a workflow (the contract's JSON, decoded) and return the Decision.

    Raises `WorkflowError` (naming the field) for bad input. `as_of` (a date or "YYYY-MM-DD")
    overrides the workflow's own date. `snapshot` defaults to the cached current compiled policy;
    `view` to the registry models the workflow names, read from the database by the loader (it asks
    nothing when every reference names a curated model). With `counterfactuals`, the decision also
    lists what would make it allowed (policies.engine.counterfactuals; empty when it is allowed).
    """
    snapshot = snapshot or snapshots.current()
    parsed = parse_workflow(workflow, snapshot.licensing, as_of=as_of)
    if view is None:
        view = loader.load_lineage_view(workflow=parsed, policy=snapshot)
    decision = evaluate_parsed(parsed, snapshot, view=view)
    if counterfactuals:
        from policies.engine.counterfactuals import search  # it imports this module

        decision.counterfactuals = search(parsed, snapshot, view=view, decision=decision)
    return decision
