"""A tiny knowledge base for testing the pure engine without a database, built through the engine's
own fact types and constructors (policies.engine.facts), as the loader builds the real one."""

from policies.engine import facts
from policies.engine.compiled import assemble, compile_rule
from policies.engine.loader import clause_params

DAY = "2026-11-28"


def clause(key, clause_type, section="§1", **params) -> facts.Clause:
    return facts.clause(key=key, type=clause_type, section=section, heading="", params=clause_params(clause_type, params), quote="quoted",
                        summary="", source_url="https://example.org/src", verification="verified")


def document(spdx_id, kind="open_weights", versions=None, foss=False) -> facts.TermsDocument:
    return facts.document(spdx_id=spdx_id, name=f"{spdx_id} terms", kind=kind, contract=kind in ("service_terms", "usage_policy"), foss=foss,
                          url=f"https://example.org/{spdx_id}", versions=versions)


def version(label, effective_from=None, effective_to=None, clauses=(), applies_in=(), applicability="") -> facts.TermsVersion:
    return facts.TermsVersion(label=label, effective_from=effective_from, effective_to=effective_to, url=f"https://example.org/v/{label}",
                              verification="verified", applies_in=sorted(applies_in), applicability=applicability, clauses=list(clauses))


def model(slug, access="open_weights", weights=(), service=(), parents=(), modalities=("text",), compute=None, **extra) -> facts.Model:
    # Each model its own maker unless told: a shared maker means the licensor relicensed (exposure.own_release).
    return facts.model(slug=slug, name=slug.title(), hf_id=extra.get("hf_id"), organization=extra.get("organization", f"{slug.title()} Labs"),
                       country="US", access=access, weights_terms=weights, weights_terms_unknown=extra.get("weights_unknown", False),
                       service_terms=service, service_terms_unknown=extra.get("service_unknown", False), compute=compute,
                       modalities=modalities, source_url="https://example.org/model", parents=parents)


def dataset(slug, license=None, parents=()) -> facts.Dataset:
    return facts.Dataset(kind="dataset", slug=slug, name=slug, aliases=[], hf_id=None, organization=None, country=None, license=license,
                         origin="generated", modalities=[], source_url="https://example.org/ds", parents=list(parents))


def edge(relation, slug, kind="model", evidence_kind="developer_documented") -> facts.Edge:
    return facts.Edge(relation=relation, kind=kind, slug=slug, evidence_kind=evidence_kind)


def rule(slug, effect, scope, condition="", message="{exposure.subject}", remedy="", effective_from=None, effective_to=None, citations=(), windows=()):
    row = {"slug": slug, "title": slug, "effect": effect, "scope": scope, "condition": condition, "message": message, "remedy": remedy,
           "effective_from": effective_from, "effective_to": effective_to}
    return compile_rule(row, list(citations), list(windows))


JURISDICTIONS = {"EU": None, "DE": "EU", "FR": "EU", "US": None, "US-CA": "US", "CN": None}


def snapshot(documents=(), models=(), datasets=(), rules=(), provisions=None):
    rules = list(rules)
    return assemble(
        {d["spdx_id"]: d for d in documents},
        {m["slug"]: m for m in models},
        {d["slug"]: d for d in datasets},
        dict(JURISDICTIONS),
        provisions or {},
        rules,
        [{"slug": r.slug, "scope": r.scope, "condition": r.condition.source, "effect": r.effect} for r in rules],
    )
