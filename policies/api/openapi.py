"""OpenAPI descriptions of the check contract (docs/check-contract.md).

The requests (a workflow, a batch, a replay's options) are generated from `policies.engine.contract`,
the tables the parser reads too, so the schema and the validation cannot disagree on a field, an enum
or a limit. The responses (the decision and its parts) are described here.
"""

from drf_spectacular.utils import OpenApiParameter

from policies.engine import contract
from policies.exports.documents import AIBOM_FORMATS, EXPORTS, SUMMARY_FORMATS

# The request side is derived from the contract (policies.engine.contract), as the parser is.
WORKFLOW = contract.json_schema(contract.WORKFLOW)
BATCH_REQUEST = contract.json_schema(contract.BATCH)
REPLAY_REQUEST = contract.json_schema(contract.REPLAY)

CITATION = {
    "type": "object",
    "required": ["document", "section", "url"],
    "properties": {
        "document": {"type": "string"},
        "section": {"type": "string"},
        "url": {"type": "string"},
        "quote": {"type": "string"},
        "effective_from": {"type": "string", "nullable": True},
        "ref": {"type": "string"},
        "verification": {"type": "string"},
        "page": {"type": "string", "description": "Provenant's own page of the clause or provision: /terms/…#clause-…, /provisions/…"},
        "basis": {"type": "string", "description": "Why this version of the terms was read, when not on as_of (a generated dataset's date)."},
    },
}

FINDING = {
    "type": "object",
    "required": ["rule", "effect", "subject", "path", "binding", "message", "citations"],
    "properties": {
        "rule": {"type": "string"},
        "effect": {"type": "string", "enum": ["prohibit", "review", "require", "permit"]},
        "subject": {"type": "string"},
        "path": {"type": "array", "items": {"type": "string"}, "description": "The main route, from the student to the asset whose terms produced it."},
        "paths": {
            "type": "array", "items": {"type": "array", "items": {"type": "string"}},
            "description": "Every route by which the same rule reaches the same point (publisher and asset), `path` first.",
        },
        "subjects": {"type": "array", "items": {"type": "string"}, "description": "The workflow's references those routes start from, `subject` first."},
        "binding": {"type": "string", "enum": ["direct", "inherited"]},
        "message": {"type": "string"},
        "remedy": {"type": "string"},
        "citations": {"type": "array", "items": CITATION},
        "evidence": {
            "type": "string", "enum": ["declared", "inferred"],
            "description": "Present when the finding rests on lineage or a license an outside record declares or a name implies.",
        },
    },
}
REGISTRY_RECORD = {
    "type": "object",
    "properties": {"repo_id": {"type": "string"}, "sha": {"type": "string"}, "license": {"type": "string"}},
}

COUNTERFACTUAL = {
    "type": "object",
    "required": ["changes", "verdict", "summary"],
    "properties": {
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "from", "to", "kind"],
                "properties": {
                    "field": {"type": "string", "description": "The workflow field path: teachers[0].model, datasets[1], student.release, …"},
                    "from": {"description": "Its value in the workflow (any JSON value; null = not given)."},
                    "to": {"description": "Its value in the suggestion (any JSON value); null on a list item = the item is removed."},
                    "kind": {"type": "string", "enum": ["state_fact", "replace_teacher", "replace_generator", "drop_teacher", "drop_dataset",
                                                        "release", "jurisdictions", "not_competing"]},
                    "note": {"type": "string", "description": "What must hold for it (a fact is suggested only as true)."},
                },
            },
        },
        "verdict": {"type": "string", "enum": ["prohibited", "review", "conditional", "allowed"], "description": "What the engine decides for the changed workflow: always better than the workflow's own."},
        "summary": {"type": "string"},
        "resolves": {"type": "array", "items": {"type": "string"}, "description": "Rules whose findings the changes remove or ease."},
    },
}

COUNTERFACTUALS = {
    "type": "array", "items": COUNTERFACTUAL,
    "description": "What would make it allowed: the smallest changes, each verified by the engine, fewest changes first. Only when asked for.",
}

DECISION = {
    "type": "object",
    "required": ["verdict", "as_of", "summary", "findings", "obligations", "unresolved", "policy_version", "check_id"],
    "properties": {
        "verdict": {"type": "string", "enum": ["prohibited", "review", "conditional", "allowed"]},
        "as_of": {"type": "string", "format": "date"},
        "summary": {"type": "string"},
        "findings": {"type": "array", "items": FINDING},
        "obligations": {"type": "array", "items": {"type": "string"}},
        "unresolved": {
            "type": "array",
            "description": "References that matched nothing in the knowledge base (each also gets a review finding).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "reference": {"type": "string"},
                    "reason": {"type": "string"},
                    "suggestions": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "assumptions": {
            "type": "array",
            "description": "Declared or inferred lineage and licenses the decision rests on, for the user to confirm.",
            "items": {
                "type": "object",
                "properties": {
                    "subject": {"type": "string"},
                    "statement": {"type": "string"},
                    "evidence": {"type": "string", "enum": ["declared", "inferred"]},
                    "source_url": {"type": "string", "nullable": True},
                },
            },
        },
        "registry_records": {"type": "array", "items": REGISTRY_RECORD, "description": "The Hugging Face cards (repo id, commit) relied on."},
        "policy_version": {"type": "string"},
        "check_id": {"type": "string", "format": "uuid", "nullable": True, "description": "The decision log entry; null for a replay (not stored)."},
        "counterfactuals": COUNTERFACTUALS,
    },
}

CHECK_REQUEST = {
    **WORKFLOW,
    "properties": {
        **WORKFLOW["properties"],
        **contract.json_schema(contract.CHECK_OPTIONS)["properties"],
    },
}

COUNTERFACTUALS_RESPONSE = {
    "type": "object",
    "required": ["check_id", "verdict", "counterfactuals"],
    "properties": {
        "check_id": {"type": "string", "format": "uuid"},
        "as_of": {"type": "string", "format": "date"},
        "verdict": {"type": "string", "enum": ["prohibited", "review", "conditional", "allowed"],
                    "description": "The stored input's verdict with today's rules, which the suggestions improve on."},
        "policy_version": {"type": "string"},
        "counterfactuals": COUNTERFACTUALS,
    },
}

BATCH_RESPONSE = {"type": "object", "required": ["results"], "properties": {"results": {"type": "array", "items": DECISION}}}

FINDING_CHANGE = {
    "type": "object",
    "required": ["rule", "subject", "path", "before", "after"],
    "properties": {
        "rule": {"type": "string"},
        "subject": {"type": "string"},
        "path": {"type": "array", "items": {"type": "string"}},
        "before": {**FINDING, "nullable": True},
        "after": {**FINDING, "nullable": True},
    },
}

REPLAY_RESPONSE = {
    "type": "object",
    "required": ["check_id", "before", "after", "verdict_changed", "added", "removed", "changed"],
    "properties": {
        "check_id": {"type": "string", "format": "uuid"},
        "before": DECISION,
        "after": DECISION,
        "verdict_changed": {"type": "boolean"},
        "added": {"type": "array", "items": FINDING_CHANGE, "description": "Findings only the replay produced."},
        "removed": {"type": "array", "items": FINDING_CHANGE, "description": "Findings the replay no longer produces."},
        "changed": {"type": "array", "items": FINDING_CHANGE, "description": "Same rule, subject and path; different effect, text or citations."},
        "registry_changes": {
            "type": "array",
            "description": "Registry records (Hugging Face cards) relied on before or now, where they differ.",
            "items": {"type": "object", "properties": {"repo_id": {"type": "string"}, "before": REGISTRY_RECORD, "after": REGISTRY_RECORD}},
        },
    },
}

EXPORT_FORMAT = OpenApiParameter(
    "format", str, OpenApiParameter.QUERY, enum=list(EXPORTS), default="cyclonedx",
    description="Which document: an AI-BOM (CycloneDX 1.6 or SPDX 3.0.1), the EU training-content summary draft as Markdown, "
    "JSON or HTML, or the obligations pack (zip).",
)
AIBOM_FORMAT = OpenApiParameter(
    "format", str, OpenApiParameter.QUERY, enum=list(AIBOM_FORMATS), default="cyclonedx",
    description="CycloneDX 1.6 JSON (ML-BOM) or SPDX 3.0.1 JSON-LD (AI and Dataset profiles).",
)
SUMMARY_FORMAT = OpenApiParameter(
    "format", str, OpenApiParameter.QUERY, enum=list(SUMMARY_FORMATS), default="markdown",
    description="Markdown, JSON (the fields with their status), or HTML ready to print to PDF.",
)
