"""What a check needs from the registry: the rows behind the references it could not resolve.

`lineage_rows` is the engine loader's one call into the registry (policies.engine.loader): for the
references the curated knowledge base does not know, it reads their registry rows and declared
ancestors (one recursive query, selectors.ancestors), maps each declared license to a terms document
(the mapping in fixtures/registry/hub-licenses.yaml), tries the names that say their parent
(`…-GGUF`, names.parent_candidates) and, when `HUB_RESOLVE` is on, looks a repo id up on the live Hub
first (bounded: a timeout per call and a fixed depth of declared bases), storing what it finds.
Any failure leaves the reference unresolved with the reason, never an exception.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings

from registry import hub, licenses, names, selectors, services

logger = logging.getLogger(__name__)


@dataclass
class LineageRows:
    rows: list = field(default_factory=list)  # HubModel fields (selectors.MODEL_COLUMNS)
    edges: list = field(default_factory=list)  # selectors.EDGE_COLUMNS
    license_terms: dict = field(default_factory=dict)  # repo_key -> (SPDX ids, reason when none)
    inferred: list = field(default_factory=list)  # (reference, parent name, pattern)
    notes: dict = field(default_factory=dict)  # reference -> why it stays unresolved


def _key(reference):
    return str(reference).strip().lower()


def looks_like_repo_id(reference):
    text = str(reference).strip()
    return text.count("/") == 1 and " " not in text and all(text.split("/"))


def lineage_rows(*, references, max_depth, resolves):
    """references: what the curated knowledge base left unresolved; resolves(name) -> bool says whether
    a name is a curated model's (a declared parent that is curated ends the registry's part)."""
    references = list(dict.fromkeys(references))
    found = LineageRows()
    candidates = {ref: names.parent_candidates(ref) for ref in references}
    keys = [_key(ref) for ref in references] + [_key(c) for options in candidates.values() for c, _ in options if "/" in c]
    result = selectors.ancestors(keys, max_depth=max_depth)
    if getattr(settings, "HUB_RESOLVE", False):
        missing = [ref for ref in references if _key(ref) not in result["models"] and looks_like_repo_id(ref)]
        if missing:
            found.notes.update(fetch_on_demand(repo_ids=missing, resolves=resolves, max_depth=max_depth))
            result = selectors.ancestors(keys, max_depth=max_depth)
    models = result["models"]
    for ref in references:
        if _key(ref) in models:
            continue
        for candidate, pattern in candidates[ref]:
            if resolves(candidate) or _key(candidate) in models:
                found.inferred.append((ref, candidate, pattern))
                break
        else:
            found.notes.setdefault(ref, "not in the registry either" if looks_like_repo_id(ref) else "")
    mapping = licenses.load_mapping()
    for key, row in models.items():
        spdx_id, reason = licenses.terms_for(row["license"], row["license_name"], row["license_link"], mapping)
        found.license_terms[key] = ((spdx_id,), None) if spdx_id else ((), reason)
    found.rows = list(models.values())
    found.edges = result["edges"]
    found.notes = {ref: note for ref, note in found.notes.items() if note}
    return found


def fetch_on_demand(*, repo_ids, resolves, max_depth):
    """Look repo ids up on the live Hub and store them with their declared bases (to max_depth).
    Returns {repo id: reason} for those that could not be had."""
    timeout = float(getattr(settings, "HUB_RESOLVE_TIMEOUT", 3.0))
    failed, queue, seen = {}, [(repo_id, 0) for repo_id in repo_ids], set()
    records = []
    while queue:
        repo_id, depth = queue.pop(0)
        if _key(repo_id) in seen or depth > max_depth:
            continue
        seen.add(_key(repo_id))
        try:
            record = hub.fetch_model(repo_id=repo_id, timeout=timeout)
        except hub.HubUnavailable as exc:
            if depth == 0:
                failed[repo_id] = f"Hub lookup failed: {exc}"
            continue
        records.append(record)
        declared = (record.get("cardData") or {}).get("base_model") or []
        for base in [hub.normalize_base(b) for b in ([declared] if isinstance(declared, str) else declared) if isinstance(b, str)]:
            if not resolves(base) and selectors.lookup(base) is None:
                queue.append((base, depth + 1))
    if records:
        try:
            services.import_records(records=records, on_invalid="skip")
        except Exception as exc:  # a record the importer refuses must not turn a check into a 500
            logger.warning("on-demand Hub import failed: %s", exc)
            for repo_id in repo_ids:
                failed.setdefault(repo_id, f"the Hub's record could not be stored: {exc}")
    return failed
