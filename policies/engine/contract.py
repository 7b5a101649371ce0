"""The check's request contract, defined once: the workflow's fields, their enums and their limits.

docs/check-contract.md explains it to people; everything that reads or describes a workflow derives
from the tables here:

- the parser (`policies.engine.workflow.parse_workflow`) takes its field names, required fields,
  enums, defaults and limits from `WORKFLOW`;
- the OpenAPI schema (`policies.api.openapi`) is `json_schema(WORKFLOW)`, and the batch and replay
  bodies' schemas are `json_schema(BATCH)` and `json_schema(REPLAY)`;
- the batch and replay bodies are validated against `BATCH` and `REPLAY` by the same parser
  (`parse_batch`, `parse_replay_options`);
- the portal's check form (`policies.forms`) takes its choices, their labels and its lengths from here.

A new field goes into one of the tables below (and the parser's assembly of the parsed workflow, which
`tests/policies/test_contract.py` compares with these tables).
"""

from dataclasses import dataclass
from functools import cached_property

from kb import vocabulary


@dataclass(frozen=True)
class Choices:
    """An enum: (value, what it means) pairs, in the order forms and errors list them."""

    options: tuple[tuple[str, str], ...]

    @cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.options)

    def label(self, value):
        return dict(self.options)[value]


PURPOSE = Choices((("commercial", "Commercial"), ("non_commercial", "Non-commercial"), ("research", "Research")))
RELEASE = Choices((
    ("open_weights", "Release the weights"),
    ("api", "Offer it as an API or product (weights kept)"),
    ("internal", "Use it only inside the organization"),
))
SIGNAL = Choices((("outputs", "Outputs (generated text or data)"), ("logits", "Logits")))
ACCESS = Choices((("api", "The provider's API"), ("self_hosted", "Self-hosted weights")))
MODALITY = Choices(tuple((m, m) for m in vocabulary.MODALITIES))

# Limits on what one workflow may hold (docs/check-contract.md, "Limits"). Each check's cost and the
# size of its log entry grow with them; they sit well above any real workflow so that none is refused.
MAX_TEACHERS = 50
MAX_DATASETS = 100
MAX_GENERATED_BY = 10  # models per ad-hoc dataset
# Models and datasets in all (base model, teachers, datasets, the models that generated them): each
# is walked through its lineage and terms, and an unknown one is matched against every name for
# suggestions, so this bounds what one check costs.
MAX_ASSETS = 200
MAX_JURISDICTIONS = 50
MAX_MODALITIES = 10  # repeats allowed (they are merged), but not without end
MAX_TEXT = 200  # characters in a name or a reference
MAX_LICENSE = 300  # characters in a license expression
MAX_URL = 2000  # characters in a URL
MAX_USERS = 10**12  # organization.monthly_active_users
MAX_USD = 10**15  # organization.annual_revenue_usd
MAX_FLOP = 1e40  # student.training_compute_flop
MAX_BATCH = 100  # workflows in one POST checks/batch


@dataclass(frozen=True)
class Field:
    """One field of the contract. `kind` says how the parser reads it and how the schema describes it:
    text, reference (a model or dataset reference), license (an SPDX expression), url, choice, number,
    integer, boolean, date, jurisdiction, country, list (of `items`), object (of `fields`) or one_of
    (one of the objects in `one_of`, told apart by their required field)."""

    name: str
    kind: str
    required: bool = False
    nullable: bool = True  # null is accepted and means "not given"
    choices: Choices | None = None
    default: object = None
    max_length: int | None = None
    maximum: float | None = None
    max_items: int | None = None
    min_items: int = 0
    noun: str = "items"  # what a list holds, for its limit's message ("at most 50 teachers")
    too_few: str = ""  # the message for a list shorter than min_items
    items: "Field | None" = None
    fields: tuple["Field", ...] = ()
    one_of: tuple["Field", ...] = ()
    description: str = ""

    # Read on every check: worked out once (a frozen dataclass still has a __dict__ for these).
    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def required_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @cached_property
    def _by_name(self):
        return {f.name: f for f in self.fields}

    def __getitem__(self, name) -> "Field":
        return self._by_name[name]


def _text(name, required=False, description=""):
    return Field(name, "text", required=required, nullable=not required, max_length=MAX_TEXT, description=description)


def _reference(name, required=False, description=""):
    what = "Model or dataset reference: slug, name, alias or Hugging Face id."
    return Field(name, "reference", required=required, nullable=not required, max_length=MAX_TEXT, description=f"{what} {description}".strip())


def _license(name):
    return Field(name, "license", max_length=MAX_LICENSE, description="SPDX license expression; null = unknown.")


STUDENT = Field("student", "object", required=True, nullable=False, fields=(
    _text("name", required=True, description="The name under which the student is used or released."),
    _reference("base_model", description="The weights the student starts from; null = trained from scratch."),
    Field("purpose", "choice", required=True, nullable=False, choices=PURPOSE),
    Field("release", "choice", required=True, nullable=False, choices=RELEASE),
    Field("competes_with_teachers", "boolean", description="Whether the student competes with the teachers' providers; null = unknown."),
    _license("license"),
    Field("modalities", "list", nullable=False, default=("text",), min_items=1, max_items=MAX_MODALITIES, noun="modalities",
          too_few="must name at least one modality",
          items=Field("", "choice", nullable=False, choices=MODALITY), description="Repeats are merged."),
    Field("training_compute_flop", "number", maximum=MAX_FLOP, description="FLOP of training from scratch, or of the modification of the base model."),
))

TEACHER = Field("", "object", nullable=False, fields=(
    _reference("model", required=True),
    Field("signal", "choice", choices=SIGNAL, default="outputs"),
    Field("access", "choice", choices=ACCESS, description="Default: api for models without public weights, else self_hosted."),
))

DATASET_REFERENCE = Field("", "object", nullable=False, fields=(_reference("dataset", required=True, description="A dataset in the knowledge base."),))
AD_HOC_DATASET = Field("", "object", nullable=False, fields=(
    _text("name", required=True),
    _license("license"),
    Field("generated_by", "list", nullable=False, default=(), max_items=MAX_GENERATED_BY, noun="models",
          items=_reference("", required=True)),
    Field("source_url", "url", max_length=MAX_URL, description="An http:// or https:// address; shown as a link, labelled as not checked."),
    Field("generated_on", "date", description="When the generators' outputs were made (YYYY-MM-DD): their terms are read as of that day."),
))

ORGANIZATION = Field("organization", "object", fields=(
    _text("name"),
    Field("country", "country", description="ISO 3166-1 alpha-2 code."),
    Field("monthly_active_users", "integer", maximum=MAX_USERS),
    Field("annual_revenue_usd", "number", maximum=MAX_USD),
))

DEPLOYMENT = Field("deployment", "object", fields=(
    Field("jurisdictions", "list", nullable=False, default=(), max_items=MAX_JURISDICTIONS, noun="jurisdictions",
          items=Field("", "jurisdiction", nullable=False), description="Where the student is offered: EU, DE, US, US-CA, CN, UK, …"),
))

WORKFLOW = Field("", "object", nullable=False, fields=(
    _text("name"),
    Field("as_of", "date", description="Date on which law and terms are read; default today (UTC)."),
    STUDENT,
    Field("teachers", "list", nullable=False, default=(), max_items=MAX_TEACHERS, noun="teachers", items=TEACHER),
    Field("datasets", "list", nullable=False, default=(), max_items=MAX_DATASETS, noun="datasets",
          items=Field("", "one_of", nullable=False, one_of=(DATASET_REFERENCE, AD_HOC_DATASET))),
    ORGANIZATION,
    DEPLOYMENT,
))

BATCH = Field("", "object", nullable=False, fields=(
    Field("workflows", "list", required=True, nullable=False, min_items=1, max_items=MAX_BATCH, noun="workflows per batch",
          too_few="must be a non-empty list of workflows", items=WORKFLOW),
))

# Options a `POST checks` body may carry beside the workflow's own fields (not part of the workflow,
# not logged with it).
CHECK_OPTIONS = Field("", "object", fields=(
    Field("counterfactuals", "boolean", nullable=False, default=False,
          description="true: the decision also lists what would make it allowed (not part of the workflow)."),
))

REPLAY = Field("", "object", fields=(
    Field("as_of", "date", description='Read law and terms on this date (YYYY-MM-DD) or "today"; default: the stored check\'s own as_of.'),
))


# --------------------------------------------------------------------------- the OpenAPI schema, derived


def json_schema(field: Field) -> dict:
    """The OpenAPI 3.0 schema of a field (drf-spectacular takes it as is)."""
    kind = field.kind
    if kind == "object":
        schema = {"type": "object", "additionalProperties": False, "properties": {f.name: json_schema(f) for f in field.fields}}
        if field.required_names:
            schema["required"] = list(field.required_names)
    elif kind == "one_of":
        schema = {"oneOf": [json_schema(option) for option in field.one_of]}
    elif kind == "list":
        schema = {"type": "array", "items": json_schema(field.items)}
        if field.min_items:
            schema["minItems"] = field.min_items
        if field.max_items is not None:
            schema["maxItems"] = field.max_items
    elif kind == "choice":
        schema = {"type": "string", "enum": list(field.choices.values)}
        if field.default is not None:
            schema["default"] = field.default
    elif kind in ("number", "integer"):
        schema = {"type": kind, "minimum": 0, "maximum": field.maximum}
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "url":
        schema = {"type": "string", "format": "uri", "maxLength": field.max_length}
    elif kind in ("country", "jurisdiction"):
        schema = {"type": "string", "minLength": 2}  # case and surrounding spaces are forgiven, so no pattern
    else:  # text, reference, license
        schema = {"type": "string", "minLength": 1, "maxLength": field.max_length}
    if field.kind == "list" and field.default is not None and field.default != ():
        schema["default"] = list(field.default)
    if field.nullable and not field.required:
        schema["nullable"] = True
    if field.description:
        schema["description"] = field.description
    return schema
