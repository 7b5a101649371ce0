"""What the Hugging Face Hub declares about a model, as registry row values.

A *record* is one model as the Hub API returns it (`id`, `author`, `sha`, `createdAt`, `lastModified`,
`tags`, `downloads`, `gated`, `pipeline_tag`, `library_name`, `siblings`, `cardData`): the same dict
whether it comes from a JSON-lines file, a model card or the live Hub (`HfApi`). `parse_record` turns
one into the values of a HubModel row and its HubEdge rows, or raises RecordError naming the field.

Relations follow the Hub's model-card documentation
(https://huggingface.co/docs/hub/model-cards#specifying-a-base-model): `base_model` names one or
several parents; `base_model_relation` (adapter, merge, quantized, finetune) says how, and when a card
leaves it out the Hub infers it. We infer it the same way, in this order: adapter files (or the
`peft` library) -> adapter; several bases (or mergekit's own `merge` tag: our addition) -> merge; quantized weight formats (GGUF files or tags,
AWQ, GPTQ, bitsandbytes, FP8, EXL2, MLX quantizations) -> quantized; else finetune. Those edges are
`declared` (the parent is the uploader's word) with relation_basis `hub_rule`; when only the name
says the format (`...-GGUF`), the basis is `name`. A card with no `base_model` gets an `inferred`
edge only when its name says its parent (registry.names), with the pattern that matched.
"""

import re
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime
from huggingface_hub import HfApi, ModelCard, ModelCardData
from huggingface_hub.utils import HFValidationError, validate_repo_id

from registry import names
from registry.models import Evidence, Relation, RelationBasis

HUB = "https://huggingface.co/"


class RecordError(ValueError):
    """A record that cannot be imported; names the repository (when known) and the field."""

    def __init__(self, repo_id, field_name, message):
        self.repo_id, self.field, self.message = repo_id, field_name, message
        super().__init__(f"{repo_id or '(no id)'}: field {field_name}: {message}")


class HubUnavailable(Exception):
    """The live Hub could not answer (network, timeout, not found, rate limit): the reason is the message."""


@dataclass
class Parsed:
    row: dict
    edges: list = field(default_factory=list)


ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")
QUANTIZED_SUFFIXES = (".gguf", ".ggml")
QUANTIZED_FILES = ("quantize_config.json",)
QUANTIZED_TAGS = {"gguf", "awq", "gptq", "exl2", "exl3", "bitsandbytes", "4-bit", "8-bit", "fp8", "compressed-tensors", "hqq", "eetq"}
QUANTIZED_LIBRARIES = {"gguf", "llama.cpp"}
ADAPTER_LIBRARIES = {"peft"}
# mergekit tags its output "merge" and "mergekit": a merge even when the card lists a single base
# (a self-merge, or a merge whose other parents the card leaves out).
MERGE_TAGS = {"merge", "mergekit"}
RELATIONS = tuple(Relation.values)
DECLARED, INFERRED = Evidence.DECLARED.value, Evidence.INFERRED.value
GATED = {False: "", None: "", "": "", True: "auto", "auto": "auto", "manual": "manual"}

_LIMITS = {"repo_id": 200, "author": 100, "license": 100, "license_name": 200, "license_link": 500, "pipeline_tag": 60, "library_name": 60}


# --------------------------------------------------------------------------- records from the Hub client


def record_from_model_info(info):
    """A huggingface_hub ModelInfo (model_info, list_models) as a plain record dict."""
    card = info.card_data
    return {
        "id": info.id,
        "author": info.author,
        "sha": info.sha,
        "createdAt": info.created_at.isoformat() if info.created_at else None,
        "lastModified": info.last_modified.isoformat() if info.last_modified else None,
        "tags": list(info.tags or []),
        "downloads": info.downloads or 0,
        "gated": info.gated,
        "pipeline_tag": info.pipeline_tag,
        "library_name": info.library_name,
        "siblings": [{"rfilename": s.rfilename} for s in (info.siblings or [])],
        "cardData": _card_dict(card) if card is not None else {},
    }


def _card_dict(card):
    keys = ("license", "license_name", "license_link", "base_model", "base_model_relation", "datasets", "library_name", "pipeline_tag", "tags")
    return {k: card.get(k) for k in keys if card.get(k) is not None}


def record_from_card(*, text, repo_id):
    """A model card (README.md with its YAML front matter) as a record; the card is the only source."""
    try:
        card = ModelCard(text, ignore_metadata_errors=True)
    except ValueError as exc:  # YAML that is not a mapping, or no YAML at all
        raise RecordError(repo_id, "card", f"the front matter is not a YAML mapping ({exc})") from None
    except Exception as exc:  # yaml's own errors: the card's YAML does not parse
        raise RecordError(repo_id, "card", f"the front matter does not parse: {exc}") from None
    return {"id": repo_id, "cardData": _card_dict(card.data)}


def list_models(*, author=None, search=None, limit=None, api=None):
    """Records of the live Hub's models (paged by huggingface_hub, which backs off on 429 itself)."""
    api = api or HfApi()
    for info in api.list_models(author=author, search=search, limit=limit, full=True, cardData=True):
        yield record_from_model_info(info)


def fetch_model(*, repo_id, timeout, api=None):
    """One model's record from the live Hub, in one model_info call bounded by timeout (seconds).

    Raises HubUnavailable with the reason on any failure (not found, gated, network, timeout, 429).
    """
    api = api or HfApi()
    try:
        validate_repo_id(repo_id)
        return record_from_model_info(api.model_info(repo_id, timeout=timeout))
    except HFValidationError as exc:
        raise HubUnavailable(f"{repo_id}: not a Hub repository id ({exc})") from None
    except Exception as exc:  # the client raises httpx, OSError and its own HTTP errors alike
        raise HubUnavailable(f"{repo_id}: the Hub did not answer ({type(exc).__name__}: {exc})") from exc


# --------------------------------------------------------------------------- parsing a record


def _text(repo_id, field_name, value):
    if value is None:
        return ""
    if type(value) is str and len(value) <= 60:  # the common case, without the checks below
        return value.strip()
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        value = value[0]  # `license: [gemma]`, as some cards write it
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ", ".join(value)
    if not isinstance(value, str):
        raise RecordError(repo_id, field_name, f"expected text, got {type(value).__name__}")
    value = value.strip()
    limit = _LIMITS.get(field_name.rpartition(".")[2])
    if limit and len(value) > limit:
        raise RecordError(repo_id, field_name, f"longer than {limit} characters")
    return value


def _when(repo_id, field_name, value):
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise RecordError(repo_id, field_name, f"not an ISO 8601 date-time: {value!r}")
    return parsed


def normalize_base(value):
    """A base_model entry as a Hub repo id: URLs to the Hub cut to their id, trailing slashes removed."""
    value = value.strip()
    if value.lower().startswith(HUB):
        value = value[len(HUB) :]
    return value.strip("/")


def _bases(repo_id, value):
    if value in (None, "", []):
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise RecordError(repo_id, "cardData.base_model", "expected a repo id or a list of repo ids")
    bases, seen = [], set()
    for raw in items:
        base = normalize_base(raw)
        try:
            validate_repo_id(base)
        except HFValidationError:
            raise RecordError(repo_id, "cardData.base_model", f"{raw!r} is not a Hub repository id") from None
        if base.lower() not in seen and base.lower() != (repo_id or "").lower():
            seen.add(base.lower())
            bases.append(base)
    return bases


def infer_relation(*, repo_id, bases, siblings, tags, library_name):
    """(relation, basis) for a card without base_model_relation, the way the Hub documents it."""
    names_ = [(s.get("rfilename", "") if isinstance(s, dict) else str(s)).rpartition("/")[2].lower() for s in siblings or []]
    tags = {t.lower() for t in tags or [] if isinstance(t, str)}
    library = (library_name or "").lower()
    if any(n in ADAPTER_FILES for n in names_) or library in ADAPTER_LIBRARIES:
        return Relation.ADAPTER, RelationBasis.HUB_RULE
    if len(bases) > 1 or tags & MERGE_TAGS:
        return Relation.MERGE, RelationBasis.HUB_RULE
    if any(n.endswith(QUANTIZED_SUFFIXES) or n in QUANTIZED_FILES for n in names_) or tags & QUANTIZED_TAGS or library in QUANTIZED_LIBRARIES:
        return Relation.QUANTIZED, RelationBasis.HUB_RULE
    if names.says_quantized(repo_id):
        return Relation.QUANTIZED, RelationBasis.NAME
    return Relation.FINETUNE, RelationBasis.HUB_RULE


def parse_record(*, record, known_names=None):
    """Row values and edges for one Hub record; RecordError names the field when the record is bad.

    known_names: {lower-case model name without its organization: repo id} of models the caller
    already knows (the curated ones), so that a bare name inferred from `unsloth/Qwen3-8B-GGUF`
    can become an edge to `Qwen/Qwen3-8B`.
    """
    if not isinstance(record, dict):
        raise RecordError(None, "record", "expected a JSON object")
    repo_id = record.get("id") or record.get("modelId")
    if not isinstance(repo_id, str) or not repo_id.strip():
        raise RecordError(None, "id", "required")
    repo_id = repo_id.strip()
    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise RecordError(repo_id, "id", str(exc)) from None
    raw_card = record.get("cardData") or {}
    if not isinstance(raw_card, dict):
        raise RecordError(repo_id, "cardData", "expected an object")
    try:
        card = ModelCardData(**raw_card, ignore_metadata_errors=True)
    except (TypeError, ValueError) as exc:
        raise RecordError(repo_id, "cardData", str(exc)) from None
    author = record.get("author") or (repo_id.partition("/")[0] if "/" in repo_id else "")
    sha = _text(repo_id, "sha", record.get("sha"))
    if sha and not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise RecordError(repo_id, "sha", "expected a 40-character hexadecimal commit id")
    downloads = record.get("downloads") or 0
    if not isinstance(downloads, int) or isinstance(downloads, bool) or downloads < 0:
        raise RecordError(repo_id, "downloads", "expected a non-negative integer")
    gated = record.get("gated")
    if gated not in GATED:
        raise RecordError(repo_id, "gated", f"expected false, auto or manual, got {gated!r}")
    datasets = card.datasets or []
    if isinstance(datasets, str):
        datasets = [datasets]
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        raise RecordError(repo_id, "cardData.datasets", "expected a dataset id or a list of them")
    tags = record.get("tags") or card.tags or []
    if not isinstance(tags, list):
        raise RecordError(repo_id, "tags", "expected a list")
    siblings = record.get("siblings") or []
    if not isinstance(siblings, list):
        raise RecordError(repo_id, "siblings", "expected a list")
    library_name = _text(repo_id, "library_name", record.get("library_name") or card.library_name)
    row = {
        "repo_id": repo_id,
        "repo_key": repo_id.lower(),
        "author": _text(repo_id, "author", author),
        "sha": sha,
        "license": _text(repo_id, "cardData.license", card.license),
        "license_name": _text(repo_id, "cardData.license_name", card.license_name),
        "license_link": _text(repo_id, "cardData.license_link", card.license_link),
        "pipeline_tag": _text(repo_id, "pipeline_tag", record.get("pipeline_tag") or card.pipeline_tag),
        "library_name": library_name,
        "gated": GATED[gated],
        "created_at": _when(repo_id, "createdAt", record.get("createdAt")),
        "last_modified": _when(repo_id, "lastModified", record.get("lastModified")),
        "downloads": downloads,
        "datasets": [d.strip() for d in datasets if d.strip()],
    }
    bases = _bases(repo_id, card.get("base_model"))
    stated = card.get("base_model_relation")
    if stated not in (None, ""):
        if stated not in RELATIONS:
            raise RecordError(repo_id, "cardData.base_model_relation", f"expected one of {', '.join(RELATIONS)}, got {stated!r}")
        relation, basis = stated, RelationBasis.CARD
    else:
        relation, basis = infer_relation(repo_id=repo_id, bases=bases, siblings=siblings, tags=tags, library_name=library_name)
    # A relation read off the name keeps the suffixes that said it (e.g. "gguf"), as inferred edges do.
    stages = names.strip_suffixes(repo_id.rpartition("/")[2]) if basis == RelationBasis.NAME else []
    pattern = "+".join(stages[-1][1])[:60] if stages else ""
    edges = [
        {"parent_repo_id": b, "parent_key": b.lower(), "relation": str(relation), "relation_basis": str(basis), "evidence": DECLARED,
         "pattern": pattern}
        for b in bases
    ]
    if not edges:
        edges = inferred_edges(repo_id=repo_id, known_names=known_names or {})
    return Parsed(row=row, edges=edges)


def inferred_edges(*, repo_id, known_names):
    """At most one `inferred` quantized edge, from the first candidate the name gives that names a
    repository: an `org/name` candidate as written, or a bare name one of known_names matches."""
    for candidate, pattern in names.parent_candidates(repo_id):
        parent = candidate if "/" in candidate else known_names.get(candidate.lower())
        if parent and parent.lower() != repo_id.lower():
            return [{"parent_repo_id": parent, "parent_key": parent.lower(), "relation": Relation.QUANTIZED.value,
                     "relation_basis": RelationBasis.NAME.value, "evidence": INFERRED, "pattern": pattern}]
    return []


def retry_after(exc, default=60):
    """Seconds to wait when exc is the Hub's 429 (its Retry-After header, else default); None otherwise."""
    from huggingface_hub.errors import HfHubHTTPError

    response = exc.response if isinstance(exc, HfHubHTTPError) else None
    if response is None or response.status_code != 429:
        return None
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else default
