"""The lineage view: the part of the Hugging Face registry one check needs, as plain data.

The compiled policy holds the curated core only, so a process's memory and cold start do not grow
with the registry (millions of models). Before a check is evaluated, the loader reads the registry
models its references name and their declared ancestors (one recursive query) and hands them in as a
`LineageView`. Pure: `build_view` turns those rows into model dicts of the same shape as the compiled
policy's, so the lineage walk treats curated and registry models alike, except that it knows which
edges and licenses rest on what an uploader declared (`declared`) or a name suggests (`inferred`).

Curated records always win: a registry row whose repo id is a curated model's Hugging Face id is
never used in its place, and a declared parent that is curated continues into the curated lineage.
"""

from dataclasses import dataclass, field

from kb.references import ReferenceIndex
from policies.engine import facts

# The Hub's `base_model_relation` vocabulary -> the knowledge base's lineage relations.
HUB_RELATIONS = {"finetune": "fine_tune", "adapter": "adapter", "merge": "merge", "quantized": "quantized"}

PIPELINE_MODALITIES = {
    "text-generation": ["text"],
    "text2text-generation": ["text"],
    "image-text-to-text": ["text", "image"],
    "text-to-image": ["image"],
    "automatic-speech-recognition": ["audio", "text"],
    "text-to-speech": ["audio"],
}


def hub_url(repo_id, sha=None):
    return f"https://huggingface.co/{repo_id}/tree/{sha}" if sha else f"https://huggingface.co/{repo_id}"


@dataclass(frozen=True)
class LineageView:
    models: dict[str, facts.Model] = field(default_factory=dict)  # by slug (the repo id)
    index: ReferenceIndex = field(default_factory=ReferenceIndex, repr=False, compare=False)
    # Why a reference could not be resolved beyond the curated core (e.g. the Hub lookup failed).
    notes: dict = field(default_factory=dict)  # normalized reference -> reason

    def resolve(self, reference):
        return self.index.resolve(reference)

    def model(self, slug):
        return self.models.get(slug)

    def records_used(self, slugs):
        """The registry records (repo id and card sha) behind the models a check walked through."""
        out = []
        for slug in sorted(slugs):
            model = self.models.get(slug)
            if model is not None and model.get("registry"):
                out.append(dict(model["registry"]))
        return out


EMPTY_VIEW = LineageView()


def registry_model(row: facts.RegistryRow, terms, unknown_reason) -> facts.Model:
    """A registry row (HubModel fields) -> a model dict the lineage walk reads. `terms`: the SPDX ids
    its declared license maps to (empty when unknown, with `unknown_reason`)."""
    repo_id = row["repo_id"]
    return facts.model(
        slug=repo_id, name=repo_id, hf_id=repo_id, organization=row.get("author") or repo_id.split("/", 1)[0], access="open_weights",
        weights_terms=terms, weights_terms_unknown=not terms, unknown_reason=unknown_reason,
        modalities=PIPELINE_MODALITIES.get(row.get("pipeline_tag") or "", ["text"]), source_url=hub_url(repo_id, row.get("sha")),
        evidence="declared", registry={"repo_id": repo_id, "sha": row.get("sha") or "", "license": row.get("license") or ""},
    )


def stub_model(name, reason) -> facts.Model:
    """A parent named by a card that neither the knowledge base nor the registry holds."""
    return facts.model(slug=name, name=name, hf_id=name, access="open_weights", weights_terms_unknown=True, unknown_reason=reason,
                       source_url=hub_url(name), evidence="declared", registry=None)


def inferred_model(reference, parent_slug, parent_kind, pattern) -> facts.Model:
    """A reference whose name says it is a quantization of a known model (e.g. `…-GGUF`). Nothing else
    is known of it: its own terms are its parent's, which the walk reaches through the inferred edge."""
    repo = "/" in reference
    return facts.model(
        slug=reference, name=reference, hf_id=reference if repo else None, organization=reference.split("/", 1)[0] if repo else None,
        access="open_weights", terms_from_parent=True, unknown_reason=None, source_url=hub_url(reference) if repo else None,
        evidence="inferred", registry=None,
        parents=[facts.Edge(relation="quantized", kind=parent_kind, slug=parent_slug, evidence_kind="inferred", pattern=pattern, basis="name")],
    )


def build_view(
    *, policy, rows: list[facts.RegistryRow], edges: list[facts.RegistryEdge], license_terms, inferred=(), notes=None,
) -> "LineageView":
    """The LineageView for one check. Pure.

    policy: the CompiledPolicy (its curated models win over registry rows and end the walk upward).
    rows: registry rows (repo_id, repo_key, sha, license, author, pipeline_tag, …) of the referenced
      models and their ancestors; edges: their parent edges (child = repo_key, parent_key,
      parent_repo_id, relation, evidence, relation_basis, pattern).
    license_terms: repo_key -> (tuple of SPDX ids, reason when none).
    inferred: (reference, parent reference, pattern) for references resolved by their name only.
    """
    curated = policy.model_index
    models, by_key = {}, {}
    for row in rows:
        if curated.resolve(row["repo_id"]).resolved:
            continue  # a curated record wins; the walk uses it
        terms, reason = license_terms.get(row["repo_key"], ((), "no license is declared"))
        model = registry_model(row, terms, reason)
        models[model["slug"]] = by_key[row["repo_key"]] = model

    def parent_of(key, name):
        curated_parent = curated.resolve(name).target
        if curated_parent is not None:
            return curated_parent["slug"]
        if key in by_key:
            return by_key[key]["slug"]
        if name not in models:
            models[name] = stub_model(name, f"the declared base {name} is in neither the knowledge base nor the registry")
        return name

    for edge in edges:
        child = by_key.get(edge["child"])
        if child is None:
            continue
        child["parents"].append(facts.Edge(
            relation=HUB_RELATIONS.get(edge["relation"], "fine_tune"),
            kind="model",
            slug=parent_of(edge["parent_key"], edge["parent_repo_id"]),
            evidence_kind=edge["evidence"],
            pattern=edge.get("pattern") or "",
            basis=edge.get("relation_basis") or "card",
        ))
    for reference, parent, pattern in inferred:
        target = curated.resolve(parent).target
        slug = target["slug"] if target is not None else by_key.get(normalize_reference_key(parent), {}).get("slug")
        if slug is None or curated.resolve(reference).resolved or reference in models:
            continue
        models[reference] = inferred_model(reference, slug, "model", pattern)

    index = ReferenceIndex()
    for model in models.values():
        index.add(model, ids=[model["slug"]])
    return LineageView(models=models, index=index, notes=dict(notes or {}))


def normalize_reference_key(reference):
    """The registry's repo_key for a repo id (the Hub's ids are case-insensitive)."""
    return str(reference).strip().lower()

