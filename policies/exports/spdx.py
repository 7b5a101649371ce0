"""An SPDX 3.0.1 AI-BOM (JSON-LD) with the AI and Dataset profiles, for a check or a knowledge-base model.

How each relation maps is documented in docs/exports.md. In short:
- models are `ai_AIPackage`, datasets `dataset_DatasetPackage` (`software_primaryPurpose` model / data);
- `trainedOn` for training data; weight lineage with the spec's lineage types (`descendantOf` for
  base model, fine-tune, adapter, merge, pruning and continued pre-training; `hasVariant` from the
  parent for a quantization); `generates` from a model to the data it generated;
- SPDX 3.0.1 has no distillation type: distillation from a teacher's outputs or logits is an `other`
  relationship whose `comment` names the relation (`provenant:relation=teacher_outputs`, …);
- licenses are `simplelicensing_LicenseExpression` elements linked by `hasDeclaredLicense`;
- the decision (verdict, policy_version, check_id, obligations, assumptions) is carried by
  `Annotation`s on the root element: one `review` annotation in words, one machine-readable (JSON).

The document is built as plain data; `validate` checks it against the official SPDX 3.0.1 JSON schema
(vendored in schemas/, see schemas/README.md); `spdx_bom` does so before it returns.
"""

import json
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema_rs

from kb.models import LineageEdge
from policies.exports.inventory import BASE_MODEL, TEACHER_RELATIONS, build_inventory, build_model_inventory

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "spdx-3.0.1.schema.json"
CREATION_INFO = "_:creationinfo"
NAMESPACE = uuid.UUID("6f1c3a52-52a4-4b52-9f0a-7d3c1c1e9a10")  # for the document ids of knowledge-base models
Rel = LineageEdge.Relation

# Provenant relation -> (SPDX relationship type, whether `from` is the parent rather than the child).
RELATIONSHIPS = {
    BASE_MODEL: ("descendantOf", False),
    Rel.FINE_TUNE: ("descendantOf", False),
    Rel.ADAPTER: ("descendantOf", False),
    Rel.MERGE: ("descendantOf", False),
    Rel.PRUNED: ("descendantOf", False),
    Rel.CONTINUED_PRETRAINING: ("descendantOf", False),
    Rel.QUANTIZED: ("hasVariant", True),
    Rel.TRAINED_ON: ("trainedOn", False),
    Rel.GENERATED_BY: ("generates", True),
}
# No distillation type in SPDX 3.0.1: these become `other`, their name in the comment.
DISTILLATION = {*TEACHER_RELATIONS.values(), *LineageEdge.DISTILLATION}


class SpdxValidationError(Exception):
    """The generated document does not validate against the SPDX 3.0.1 JSON schema (a bug here, not bad input)."""


def relationship_for(relation):
    """(SPDX relationship type, parent_is_from) for a Provenant relation; distillation and unknown relations map to `other`."""
    return RELATIONSHIPS.get(relation, ("other", False))


class _Graph:
    def __init__(self, document_id):
        self.base = f"urn:provenant:spdx:{document_id}"
        self.elements = []
        self.counter = 0

    def new_id(self, kind):
        self.counter += 1
        return f"{self.base}:{kind}-{self.counter}"

    def add(self, type_, kind, **fields):
        element = {"type": type_, "spdxId": self.new_id(kind), "creationInfo": CREATION_INFO, **fields}
        self.elements.append(element)
        return element["spdxId"]


def _package(graph, asset, agents):
    fields = {"name": asset.name, "software_primaryPurpose": "model" if asset.kind == "model" else "data"}
    if asset.url:
        fields["software_downloadLocation" if asset.hf_id else "software_homePage"] = asset.url
    source = [f"source: {asset.source}"]
    if asset.verification:
        source.append(f"verification: {asset.verification}")
    if asset.license_source:
        source.append(f"license from: {asset.license_source}")
    fields["software_sourceInfo"] = "; ".join(source)
    comments = []
    if asset.license is None and asset.service_terms:
        comments.append(f"No weights license known: used through its provider's service, under {asset.service_terms}.")
    elif asset.license is None:
        comments.append("License unknown: neither the knowledge base nor the workflow states it.")
    if asset.reference:
        comments.append(f"Referenced in the workflow as {asset.reference!r}.")
    if comments:
        fields["comment"] = " ".join(comments)
    if asset.supplier:
        fields["suppliedBy"] = agents(asset.supplier)
    if asset.kind == "model":
        return graph.add("ai_AIPackage", "model", **fields)
    # The knowledge base does not record a dataset's content type: say so rather than guess.
    fields["dataset_datasetType"] = ["noAssertion"]
    if asset.origin:
        fields["dataset_dataCollectionProcess"] = f"origin recorded by Provenant: {asset.origin}"
    return graph.add("dataset_DatasetPackage", "dataset", **fields)


def _license(graph, element_id, expression):
    license_id = graph.add("simplelicensing_LicenseExpression", "license", simplelicensing_licenseExpression=expression)
    graph.add("Relationship", "relationship", **{"from": element_id, "to": [license_id], "relationshipType": "hasDeclaredLicense"})


def _root_fields(inv):
    student = inv.student
    training = []
    for edge in inv.parents(inv.root):
        training.append(f"{edge.relation}: {edge.parent} (evidence: {edge.evidence or 'unstated'})")
    fields = {"name": student["name"], "software_primaryPurpose": "model"}
    if training:
        fields["ai_informationAboutTraining"] = "; ".join(training)
    if student.get("purpose"):
        fields["ai_informationAboutApplication"] = f"purpose: {student['purpose']}; release: {student['release']}"
    if student.get("training_compute_flop") is not None:
        fields["comment"] = f"Training compute stated in the workflow: {student['training_compute_flop']} FLOP."
    return fields


def _decision_annotations(graph, root_id, decision):
    verdict = (f"Provenant verdict: {decision['verdict']} (as of {decision['as_of']}, policy {decision['policy_version']}"
               + (f", check {decision['check_id']}" if decision.get("check_id") else "") + f"). {decision.get('summary', '')}")
    graph.add("Annotation", "annotation", annotationType="review", subject=root_id, statement=verdict.strip(),
              contentType="text/plain")
    for obligation in decision.get("obligations") or ():
        graph.add("Annotation", "annotation", annotationType="other", subject=root_id, statement=f"Obligation: {obligation}",
                  contentType="text/plain")
    machine = {key: decision.get(key) for key in ("verdict", "policy_version", "as_of", "check_id", "obligations", "assumptions", "unresolved")}
    machine["findings"] = [f"{f['effect']} {f['rule']} on {f['subject']}" for f in decision.get("findings") or ()]
    graph.add("Annotation", "annotation", annotationType="other", subject=root_id, contentType="application/json",
              statement=json.dumps(machine, ensure_ascii=False, sort_keys=True))


def spdx_document(*, inventory, document_id, decision=None, created=None):
    """The SPDX 3.0.1 JSON-LD document as a JSON-ready dict, validated (SpdxValidationError if not: a bug here)."""
    inv = inventory
    graph = _Graph(document_id)
    tool = graph.add("Tool", "tool", name="Provenant")
    creator = graph.add("SoftwareAgent", "agent", name="Provenant")
    organizations = {}

    def agents(name):
        if name not in organizations:
            organizations[name] = graph.add("Organization", "organization", name=name)
        return organizations[name]

    ids = {}
    if inv.root_asset is None:
        ids[inv.root] = graph.add("ai_AIPackage", "model", **_root_fields(inv))
        root_license = inv.student.get("license")
    else:
        ids[inv.root] = _package(graph, inv.root_asset, agents)
        graph.elements[-1].update({k: v for k, v in _root_fields(inv).items() if k.startswith("ai_")})
        root_license = inv.root_asset.license
    if root_license:
        _license(graph, ids[inv.root], root_license)
    for key, asset in inv.assets.items():
        ids[key] = _package(graph, asset, agents)
        if asset.license:
            _license(graph, ids[key], asset.license)
    for edge in inv.edges:
        kind, parent_is_from = relationship_for(edge.relation)
        child, parent = ids[edge.child], ids[edge.parent]
        source, target = (parent, child) if parent_is_from else (child, parent)
        comment = f"provenant:relation={edge.relation}; evidence: {edge.evidence or 'unstated'}"
        if edge.relation in DISTILLATION:
            comment += ". SPDX 3.0.1 has no distillation relationship type: the child was trained on the parent's outputs or logits."
        graph.add("Relationship", "relationship", **{"from": source, "to": [target], "relationshipType": kind, "comment": comment})
    if decision is not None:
        _decision_annotations(graph, ids[inv.root], decision)
    document = {
        "type": "SpdxDocument", "spdxId": f"{graph.base}:document", "creationInfo": CREATION_INFO,
        "name": f"AI-BOM of {inv.student['name']}", "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
        "rootElement": [ids[inv.root]], "element": [e["spdxId"] for e in graph.elements],
    }
    creation_info = {
        "type": "CreationInfo", "@id": CREATION_INFO, "specVersion": SPEC_VERSION,
        "created": (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "createdBy": [creator], "createdUsing": [tool],
        "comment": "Drafted by Provenant from its knowledge base; not legal advice.",
    }
    result = {"@context": CONTEXT, "@graph": [creation_info, document, *graph.elements]}
    validate(result)
    return result


def spdx_bom(*, workflow, decision):
    """A check's AI-BOM as SPDX 3.0.1 JSON-LD."""
    inv = build_inventory(workflow=workflow, decision=decision)
    document_id = decision.get("check_id") or uuid.uuid4()
    return spdx_document(inventory=inv, document_id=document_id, decision=decision)


def model_spdx_bom(*, model):
    """A knowledge-base model's AI-BOM as SPDX 3.0.1 JSON-LD (its known lineage, licenses and datasets)."""
    return spdx_document(inventory=build_model_inventory(model=model), document_id=uuid.uuid5(NAMESPACE, model.slug))


@cache
def _validators():
    """(whole document, one @graph element) validators of the official schema, compiled once.

    jsonschema-rs, not the pure-Python jsonschema: the schema's nested oneOf/unevaluatedProperties take
    the latter over a minute and a half on one check's document, the former well under a second.
    """
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    element = {"$schema": schema["$schema"], "$defs": schema["$defs"], "type": "object", "$ref": "#/$defs/AnyClass",
               "unevaluatedProperties": False}  # what the schema requires of each @graph item
    return jsonschema_rs.validator_for(schema), jsonschema_rs.validator_for(element)


def validate(document):
    """Check a document against the official SPDX 3.0.1 JSON schema; raises SpdxValidationError naming the first bad element."""
    whole, element = _validators()
    if whole.is_valid(document):
        return
    for index, item in enumerate(document.get("@graph") or []):
        for error in element.iter_errors(item):
            where = "/".join(map(str, error.instance_path))
            raise SpdxValidationError(f"@graph[{index}] ({item.get('type')}){' ' + where if where else ''}: {error.message[:300]}")
    raise SpdxValidationError(f"(document): {next(whole.iter_errors(document)).message[:300]}")
