"""A tiny knowledge base built from plain dicts, for testing the pure engine without a database."""

from policies.engine.compiled import assemble, compile_rule

DAY = "2026-11-28"


def clause(key, clause_type, section="§1", **params):
    from policies.engine.loader import clause_params as _params

    data = {"key": key, "type": clause_type, "section": section, "heading": "", "params": _params(clause_type, params),
            "params_key": {k: v.lower().replace(" ", "-") for k, v in params.items() if isinstance(v, str)},
            "quote": "quoted", "summary": "", "source_url": "https://example.org/src", "verification": "verified"}
    data["facts"] = {k: data[k] for k in ("key", "type", "section", "heading", "params", "params_key")}
    return data


def document(spdx_id, kind="open_weights", versions=None, foss=False):
    return {"spdx_id": spdx_id, "name": f"{spdx_id} terms", "kind": kind, "contract": kind in ("service_terms", "usage_policy"),
            "foss": foss, "url": f"https://example.org/{spdx_id}", "versions": versions or []}


def version(label, effective_from=None, effective_to=None, clauses=(), applies_in=(), applicability=""):
    return {"label": label, "effective_from": effective_from, "effective_to": effective_to, "url": f"https://example.org/v/{label}",
            "verification": "verified", "clauses": list(clauses), "applies_in": sorted(applies_in), "applicability": applicability}


def model(slug, access="open_weights", weights=(), service=(), parents=(), modalities=("text",), compute=None, **extra):
    # Each model its own maker unless told: a shared maker means the licensor relicensed (exposure.own_release).
    return {"kind": "model", "slug": slug, "name": slug.title(), "aliases": [], "hf_id": extra.get("hf_id"),
            "organization": extra.get("organization", f"{slug.title()} Labs"),
            "country": "US", "access": access, "open_weights": access in ("open_weights", "both"), "service": access in ("api", "both"),
            "weights_terms": list(weights), "weights_terms_unknown": extra.get("weights_unknown", False), "service_terms": list(service),
            "service_terms_unknown": extra.get("service_unknown", False), "compute": compute, "modalities": list(modalities),
            "source_url": "https://example.org/model", "parents": [dict(p) for p in parents]}


def dataset(slug, license=None, parents=()):
    return {"kind": "dataset", "slug": slug, "name": slug, "aliases": [], "hf_id": None, "organization": None, "country": None,
            "license": license, "origin": "generated", "modalities": [], "source_url": "https://example.org/ds", "parents": list(parents)}


def edge(relation, slug, kind="model", evidence_kind="developer_documented"):
    return {"relation": relation, "kind": kind, "slug": slug, "evidence_kind": evidence_kind}


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
