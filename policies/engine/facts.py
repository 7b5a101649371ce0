"""The facts the engine consumes, typed: what the loader reads, the lineage view builds, the parser
returns and the lineage walk and evaluation read.

They stay plain dicts (`TypedDict`s): the compiled policy is fingerprinted as JSON, conditions are
handed dicts, and every engine module reads them by key. The types say which keys exist and what they
hold, so a type checker and a reader see the same shape the loader, the registry's lineage view and
the tests' factories (tests/policies/factories.py) build. The constructors below are the one place
each record's defaults and derived keys (a clause's `facts`, a document's `contract`, a model's
`open_weights`/`service`) are worked out.
"""

from typing import Literal, NotRequired, TypedDict

from kb.references import normalize_reference

Evidence = Literal["documented", "declared", "inferred"]
# What a lineage edge rests on (kb.LineageEdge.evidence_kind, plus the registry's declared and inferred).
EvidenceKind = str


# --------------------------------------------------------------------------- terms: documents, versions, clauses


class ClauseFacts(TypedDict):
    """What conditions and templates see as `clause` (conditions.FACT_FIELDS): no quote or summary,
    they travel in the citation."""

    key: str
    type: str
    section: str
    heading: str
    params: dict  # every parameter the clause type declares (kb.vocabulary.CLAUSE_TYPES); null when unset
    params_key: dict  # string parameters normalised like references ("Llama 3" -> "llama-3")


class Clause(ClauseFacts):
    quote: str
    summary: str
    source_url: str
    verification: str
    facts: ClauseFacts


class TermsVersion(TypedDict):
    label: str
    effective_from: str | None  # ISO date
    effective_to: str | None  # ISO date, exclusive
    url: str
    verification: str
    applies_in: NotRequired[list[str]]  # regional variant: the jurisdictions it binds; empty = everyone else
    applicability: NotRequired[str]  # the publisher's words on whom the variant binds
    clauses: list[Clause]


class DocumentFacts(TypedDict):
    """What conditions and templates see as `document`."""

    spdx_id: str
    name: str
    kind: str  # kb.TermsDocument.kind
    contract: bool  # service terms or a usage policy: binds whoever accepted it, not the next holder
    foss: bool
    url: str


class TermsDocument(DocumentFacts):
    publisher: str | None  # the slug of the organization whose terms these are (not a fact conditions see)
    versions: list[TermsVersion]


# --------------------------------------------------------------------------- assets and their lineage


class Edge(TypedDict):
    """A lineage edge, on the child: `slug` names the parent (a model or a dataset, by `kind`)."""

    relation: str  # kb.LineageEdge.relation
    kind: Literal["model", "dataset"]
    slug: str
    evidence_kind: EvidenceKind
    pattern: NotRequired[str]  # the name pattern an inferred edge was read from (`…-GGUF`)
    basis: NotRequired[str]  # how a declared relation was read: "card", "hub_rule" or "name"


class RegistryRecord(TypedDict):
    """The Hugging Face card a registry model rests on, as a decision lists it."""

    repo_id: str
    sha: str
    license: str


class AssetFacts(TypedDict):
    """What conditions and templates see as `asset` (compiled.asset_facts)."""

    kind: Literal["model", "dataset"]
    slug: str | None  # None for a workflow's ad-hoc dataset
    name: str
    organization: str | None
    country: str | None
    modalities: list[str]
    access: str | None
    compute: float | None


class _Asset(TypedDict):
    """What curated models and datasets share: how references find them and who made them."""

    slug: str
    name: str
    aliases: list[str]
    hf_id: str | None
    organization: str | None
    country: str | None


class Model(_Asset):
    kind: Literal["model"]
    access: str  # kb.Access
    open_weights: bool
    service: bool
    weights_terms: list[str]  # SPDX ids
    weights_terms_unknown: bool
    service_terms: list[str]
    service_terms_unknown: bool
    compute: float | None  # training FLOP
    parameters: int | None  # total parameters, on any basis
    modalities: list[str]
    source_url: str | None
    parents: list[Edge]
    # Only on models of the lineage view (registry rows, stubs, names read as quantizations):
    evidence: NotRequired[Evidence]
    registry: NotRequired[RegistryRecord | None]
    unknown_reason: NotRequired[str | None]
    terms_from_parent: NotRequired[bool]  # its terms are its parent's, reached through the edge


class Dataset(_Asset):
    kind: Literal["dataset"]
    license: str | None  # SPDX id of its terms document; None = unknown
    other_licenses: NotRequired[list[str]]  # further licenses that bind with `license`
    licenses_unmapped: NotRequired[list[str]]  # license names no terms document stands for
    license_stated: NotRequired[bool]
    origin: str
    release_date: NotRequired[str | None]  # ISO date
    generated_on: NotRequired[str | None]  # ISO date the generators' outputs were made
    modalities: list[str]
    source_url: str | None
    parents: list[Edge]


class Provision(TypedDict):
    ref: str
    instrument: str
    article: str
    title: str
    quote: str
    url: str
    source_url: str
    effective_from: str | None
    effective_to: str | None
    verification: str


class RuleRow(TypedDict):
    """A Rule as the loader reads it (dates as ISO strings), with what it cites."""

    slug: str
    title: str
    effect: str
    scope: dict
    condition: str
    message: str
    remedy: str
    effective_from: str | None
    effective_to: str | None
    clause_keys: list[tuple[str, str, str]]  # (spdx_id, version label, clause key)
    provision_refs: list[str]


# --------------------------------------------------------------------------- the registry's rows (lineage view input)


class RegistryRow(TypedDict, total=False):
    """A registry model as registry.selectors.ancestors reads it (HubModel fields)."""

    repo_id: str
    repo_key: str  # the repo id in lower case
    sha: str | None
    license: str | None
    license_name: str | None
    license_link: str | None
    gated: object
    author: str | None
    pipeline_tag: str | None


class RegistryEdge(TypedDict, total=False):
    """A declared parent edge as registry.selectors.ancestors reads it (child and parent by repo key)."""

    child: str
    parent_key: str
    parent_repo_id: str
    relation: str  # the Hub's base_model_relation
    evidence: EvidenceKind
    relation_basis: str | None
    pattern: str | None
    depth: int


# --------------------------------------------------------------------------- the parsed workflow (policies.engine.workflow)


class Student(TypedDict):
    name: str
    base_model: str | None
    purpose: str
    release: str
    competes_with_teachers: bool | None
    license: str | None  # normalised SPDX expression
    license_keys: list[str]
    modalities: list[str]
    training_compute_flop: float | None


class Teacher(TypedDict):
    model: str
    signal: str
    access: str | None  # None: the contract's default (api unless the weights are public)


class DatasetReference(TypedDict):
    dataset: str


class AdHocDataset(TypedDict):
    name: str
    license: str | None
    license_keys: list[str]
    generated_by: list[str]
    source_url: str | None
    generated_on: str | None  # ISO date the generators' outputs were made


class Organization(TypedDict):
    name: str | None
    country: str | None
    monthly_active_users: int | None
    annual_revenue_usd: float | None


class Deployment(TypedDict):
    jurisdictions: list[str]


class Workflow(TypedDict):
    """A parsed workflow: every key present, defaults filled in."""

    name: str | None
    as_of: str  # ISO date
    student: Student
    teachers: list[Teacher]
    datasets: list[DatasetReference | AdHocDataset]
    organization: Organization
    deployment: Deployment


# --------------------------------------------------------------------------- constructors


def clause(*, key, type, section, heading, params, quote, summary, source_url, verification) -> Clause:  # noqa: A002 - the fact's own name
    """A clause with its derived keys: `params_key` and `facts` (what conditions see)."""
    params_key = {k: normalize_reference(v) for k, v in params.items() if isinstance(v, str)}
    facts = ClauseFacts(key=key, type=type, section=section, heading=heading, params=params, params_key=params_key)
    return Clause(**facts, quote=quote, summary=summary, source_url=source_url, verification=verification, facts=facts)


def document(*, spdx_id, name, kind, contract, foss, url, publisher=None, versions=None) -> TermsDocument:
    return TermsDocument(spdx_id=spdx_id, name=name, kind=kind, contract=contract, foss=foss, url=url, publisher=publisher,
                         versions=[] if versions is None else list(versions))


def model(
    *, slug, name, access, organization=None, country=None, aliases=(), hf_id=None, weights_terms=(), weights_terms_unknown=False,
    service_terms=(), service_terms_unknown=False, compute=None, parameters=None, modalities=(), source_url=None, parents=(), **lineage_view,
) -> Model:
    """A model; `lineage_view` takes the keys only the lineage view's models carry (evidence, registry,
    unknown_reason, terms_from_parent). `open_weights` and `service` follow from `access`."""
    unknown = set(lineage_view) - Model.__optional_keys__
    if unknown:
        raise TypeError(f"model: unknown keys {sorted(unknown)}")
    return Model(
        kind="model", slug=slug, name=name, aliases=list(aliases), hf_id=hf_id, organization=organization, country=country,
        access=access, open_weights=access in ("open_weights", "both"), service=access in ("api", "both"),
        weights_terms=list(weights_terms), weights_terms_unknown=weights_terms_unknown,
        service_terms=list(service_terms), service_terms_unknown=service_terms_unknown,
        compute=compute, parameters=parameters, modalities=list(modalities), source_url=source_url, parents=[dict(p) for p in parents],
        **lineage_view,
    )
