"""What a workflow is made of, read from the workflow, its decision and the knowledge base.

One inventory feeds every export (CycloneDX, SPDX, the EU training-content summary, the obligations
pack), so that they name the same assets, licenses and relations. Its root is the check's student
(`build_inventory`) or a model of the knowledge base (`build_model_inventory`). Relations keep the knowledge base's vocabulary
(kb.models.LineageEdge.Relation) plus the workflow's own: `base_model`, `teacher_outputs`, `teacher_logits`.
"""

from dataclasses import dataclass, field

from kb import lineage, references
from kb.models import AIModel, LineageEdge
from policies.engine import snapshot

# How far up the base model's lineage the export follows the knowledge base.
MAX_LINEAGE_DEPTH = 8

BASE_MODEL = "base_model"
TEACHER_RELATIONS = {"outputs": "teacher_outputs", "logits": "teacher_logits"}


@dataclass
class Asset:
    key: str  # unique within the inventory; used as the bom-ref
    kind: str  # "model" or "dataset"
    name: str
    reference: str = ""  # as the workflow gave it ("" for lineage the knowledge base added)
    license: str | None = None  # SPDX expression, None = unknown
    license_source: str = ""  # "knowledge base", "workflow", "registry (declared)", ""
    source: str = "unresolved"  # "knowledge base", "registry", "workflow", "unresolved"
    url: str = ""
    hf_id: str = ""
    supplier: str = ""
    origin: str = ""  # datasets: human, generated, mixed, web, unknown
    verification: str = ""
    service_terms: str = ""  # models offered as a service: the terms of use, by SPDX id or LicenseRef


@dataclass(frozen=True)
class Edge:
    child: str  # asset key, or "student"
    relation: str
    parent: str
    evidence: str = ""  # the knowledge base's evidence kind, "workflow", or "declared"


@dataclass
class Inventory:
    student: dict  # the root: the workflow's student, or name/license/modalities of a knowledge-base model
    assets: dict = field(default_factory=dict)  # key -> Asset, in insertion order
    edges: list = field(default_factory=list)
    base: str | None = None
    teachers: list = field(default_factory=list)  # keys
    datasets: list = field(default_factory=list)  # keys
    root: str = "student"  # the key edges use for the root ("student", or a knowledge-base model's asset key)
    root_asset: Asset | None = None  # the root as an asset, when it is a knowledge-base model

    def add_edge(self, edge):
        if edge not in self.edges:
            self.edges.append(edge)

    def parents(self, child, relations=None):
        return [e for e in self.edges if e.child == child and (relations is None or e.relation in relations)]


def normalized_license(text):
    """A workflow's license expression as the engine reads it: Hub ids (`llama3.1`) become the knowledge base's ids."""
    if not text:
        return text
    result = snapshot.current().licensing.parse(text)
    return result[0] if isinstance(result, tuple) else text  # a stored workflow was validated; keep its text otherwise


def _model_license(model):
    ids = sorted(model.weights_terms.values_list("spdx_id", flat=True))
    return " AND ".join(ids) if ids else None


def _dataset_license(dataset):
    if dataset.license_expression:
        return dataset.license_expression
    return dataset.license.spdx_id if dataset.license_id else None


def _model_asset(model, reference=""):
    return Asset(
        key=f"model:{model.slug}", kind="model", name=model.name, reference=reference,
        license=_model_license(model), license_source="knowledge base" if model.weights_terms.exists() else "",
        source="knowledge base", url=f"https://huggingface.co/{model.hf_id}" if model.hf_id else model.source_url,
        hf_id=model.hf_id or "", supplier=model.organization.name, verification=model.verification,
        service_terms=", ".join(sorted(model.service_terms.values_list("spdx_id", flat=True))),
    )


def _dataset_asset(dataset, reference=""):
    license = _dataset_license(dataset)
    return Asset(
        key=f"dataset:{dataset.slug}", kind="dataset", name=dataset.name, reference=reference,
        license=license, license_source="knowledge base" if license else "", source="knowledge base",
        url=f"https://huggingface.co/datasets/{dataset.hf_id}" if dataset.hf_id else dataset.source_url,
        hf_id=dataset.hf_id or "", supplier=dataset.organization.name if dataset.organization_id else "",
        origin=dataset.origin, verification=dataset.verification,
    )


class _Builder:
    def __init__(self, workflow, decision):
        self.inv = Inventory(student=dict(workflow["student"]))
        if self.inv.student.get("license"):
            self.inv.student["license"] = normalized_license(self.inv.student["license"])
        self.models = references.model_index()
        self.datasets = references.dataset_index()
        self.registry = {r.get("repo_id", "").lower(): r for r in decision.get("registry_records") or []}
        self.edges = None  # the knowledge base's edge table, loaded once when first needed
        self.unnamed = 0

    def _add(self, asset):
        existing = self.inv.assets.get(asset.key)
        if existing is None:
            self.inv.assets[asset.key] = asset
            return asset
        if asset.reference and not existing.reference:
            existing.reference = asset.reference
        return existing

    def model(self, reference):
        found = self.models.resolve(reference).target
        if found is not None:
            asset = self._add(_model_asset(found, reference))
            self._lineage(found)
            return asset.key
        record = self.registry.get(reference.lower())
        if record is not None:
            return self._add(Asset(
                key=f"model:{reference}", kind="model", name=reference, reference=reference,
                license=record.get("license") or None, license_source="registry (declared)" if record.get("license") else "",
                source="registry", url=f"https://huggingface.co/{reference}", hf_id=reference,
            )).key
        return self._add(Asset(key=f"model:{reference}", kind="model", name=reference, reference=reference)).key

    def _lineage(self, obj):
        if self.edges is None:
            self.edges = list(LineageEdge.objects.select_related(
                "child_model__organization", "child_dataset__organization", "parent_model__organization", "parent_dataset__organization",
            ))
        for step in lineage.ancestors(obj, max_depth=MAX_LINEAGE_DEPTH, edges=self.edges):
            edge = step.edge
            child = self._kb_asset(edge.child_model or edge.child_dataset)
            parent = self._kb_asset(edge.parent_model or edge.parent_dataset)
            self.inv.add_edge(Edge(child.key, edge.relation, parent.key, edge.evidence_kind))

    def _kb_asset(self, obj):
        return self._add(_model_asset(obj) if isinstance(obj, AIModel) else _dataset_asset(obj))

    def dataset(self, entry):
        if "dataset" in entry:
            reference = entry["dataset"]
            found = self.datasets.resolve(reference).target
            if found is not None:
                asset = self._add(_dataset_asset(found, reference))
                self._lineage(found)
                return asset.key
            return self._add(Asset(key=f"dataset:{reference}", kind="dataset", name=reference, reference=reference)).key
        name = entry.get("name") or ""
        asset = self._add(Asset(
            key=f"dataset:{name}", kind="dataset", name=name, reference=name, license=normalized_license(entry.get("license")),
            license_source="workflow" if entry.get("license") else "", source="workflow", url=entry.get("source_url") or "",
            origin="generated" if entry.get("generated_by") else "",
        ))
        for generator in entry.get("generated_by") or ():
            self.inv.add_edge(Edge(asset.key, LineageEdge.Relation.GENERATED_BY, self.model(generator), "workflow"))
        return asset.key


def build_model_inventory(*, model):
    """A knowledge-base model as the root: its known lineage (weights, teachers, datasets, generators) above it.

    The root's parents sort into base (the first weight relation), teachers (distillation) and datasets
    (trained_on), as for a check; everything above them is lineage.
    """
    builder = _Builder({"student": {}}, {})
    inv = builder.inv
    root = _model_asset(model)
    inv.root, inv.root_asset = root.key, root
    inv.student = {"name": model.name, "license": root.license, "modalities": list(model.modalities or [])}
    builder._lineage(model)
    inv.assets.pop(root.key, None)  # the root is the document's subject, not one of its components
    for edge in inv.parents(root.key):
        if edge.relation == LineageEdge.Relation.TRAINED_ON:
            inv.datasets.append(edge.parent)
        elif edge.relation in LineageEdge.DISTILLATION:
            inv.teachers.append(edge.parent)
        elif edge.relation in LineageEdge.WEIGHT_DERIVED and inv.base is None:
            inv.base = edge.parent
    return inv


def build_inventory(*, workflow, decision):
    """The student, its base with the base's known lineage, teachers and datasets (with their generators), and the edges between them.

    `workflow` is a check's stored input (already validated); `decision` its decision JSON.
    """
    builder = _Builder(workflow, decision)
    inv = builder.inv
    base = inv.student.get("base_model")
    if base:
        inv.base = builder.model(base)
        inv.add_edge(Edge("student", BASE_MODEL, inv.base, "workflow"))
    for teacher in workflow.get("teachers") or ():
        key = builder.model(teacher["model"])
        inv.teachers.append(key)
        inv.add_edge(Edge("student", TEACHER_RELATIONS[teacher.get("signal") or "outputs"], key, "workflow"))
    for entry in workflow.get("datasets") or ():
        key = builder.dataset(entry)
        inv.datasets.append(key)
        inv.add_edge(Edge("student", LineageEdge.Relation.TRAINED_ON, key, "workflow"))
    return inv
