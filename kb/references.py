"""The one model-reference resolver.

A reference is what a person or a pipeline types: a Hugging Face id (`meta-llama/Llama-3.1-8B-Instruct`),
a slug (`llama-3-1-8b-instruct`), a name (`Llama 3.1 8B Instruct`) or an alias (`gpt-4o-2024-08-06`).
Matching ignores case and treats runs of spaces, underscores, hyphens, slashes and colons alike;
dots are kept, because `Qwen2.5-7B` and `Qwen2-57B` are different models.

`ReferenceIndex` is pure (no ORM), so the rules engine resolves against its snapshot with the same
code that the portal and the API use against the database.
"""

import functools
import re
from dataclasses import dataclass, field

_SEPARATORS = re.compile(r"[\s_\-/:]+")


@functools.lru_cache(maxsize=8192)
def _normalize(text):
    return _SEPARATORS.sub("-", text.strip().lower()).strip("-")


def normalize_reference(text):
    # Cached: checks resolve the same few references again and again (the loader, then the walk).
    return _normalize(str(text))


@dataclass(frozen=True)
class Resolution:
    reference: str
    target: object = None
    candidates: tuple = field(default_factory=tuple)  # set when the reference is ambiguous

    @property
    def resolved(self):
        return self.target is not None


def _unique(targets):
    """Distinct targets in order, by identity (targets may be unhashable dicts)."""
    seen, out = set(), []
    for target in targets:
        if id(target) not in seen:
            seen.add(id(target))
            out.append(target)
    return out


class ReferenceIndex:
    """Maps normalized keys to targets, in two tiers: exact ids first, then names and aliases."""

    def __init__(self):
        self._tiers = ({}, {})

    def add(self, target, ids=(), names=()):
        for tier, keys in enumerate((ids, names)):
            for key in keys:
                if key:
                    self._tiers[tier].setdefault(normalize_reference(key), []).append(target)

    def resolve(self, reference):
        if reference is None or not str(reference).strip():
            return Resolution(reference=reference)
        key = normalize_reference(reference)
        for tier in self._tiers:
            found = tier.get(key)
            if found:
                matches = found if len(found) == 1 else _unique(found)
                if len(matches) == 1:
                    return Resolution(reference=reference, target=matches[0])
                return Resolution(reference=reference, candidates=tuple(matches))
        return Resolution(reference=reference)

    def __contains__(self, reference):
        """Whether the reference matches anything (one target or several): what `resolve` would find,
        without building the answer."""
        if reference is None or not str(reference).strip():
            return False
        key = normalize_reference(reference)
        return any(key in tier for tier in self._tiers)

    def suggest(self, reference, limit=3):
        """References to the entries closest to one that matched nothing ("did you mean"), one per
        entry: an entry's slug, name and aliases are often all close to a typo, and listing each would
        offer the same model three times. Each suggestion is the entry's Hugging Face id, else its slug
        (both resolve to exactly that entry)."""
        import difflib

        keys = list(self._tiers[0]) + list(self._tiers[1])
        close = difflib.get_close_matches(normalize_reference(reference), keys, n=limit * 5, cutoff=0.75)
        out = []
        for key in close:
            for target in _unique([*self._tiers[0].get(key, ()), *self._tiers[1].get(key, ())]):
                suggestion = canonical_reference(target)
                if suggestion and suggestion not in out:
                    out.append(suggestion)
        return out[:limit]


def canonical_reference(target):
    """The reference that names an index entry unambiguously: its Hugging Face id, else its slug."""
    get = target.get if isinstance(target, dict) else lambda attr: getattr(target, attr, None)
    return get("hf_id") or get("slug")


def model_keys(slug, name, hf_id, aliases):
    """(ids, names) under which a model or dataset can be referenced."""
    ids = [slug, hf_id]
    names = [name, *(aliases or [])]
    if hf_id and "/" in hf_id:
        names.append(hf_id.split("/", 1)[1])
    return ids, names


def build_index(rows):
    """rows: iterables of objects or dicts with slug, name, hf_id, aliases; the target is the row itself."""
    index = ReferenceIndex()
    for row in rows:
        get = row.get if isinstance(row, dict) else lambda attr, r=row: getattr(r, attr)
        ids, names = model_keys(get("slug"), get("name"), get("hf_id"), get("aliases"))
        index.add(row, ids=ids, names=names)
    return index


def model_index(queryset=None):
    from kb.models import AIModel

    return build_index(queryset if queryset is not None else AIModel.objects.all())


def dataset_index(queryset=None):
    from kb.models import Dataset

    return build_index(queryset if queryset is not None else Dataset.objects.all())


def resolve_model(reference):
    """The AIModel a reference names, or None (unknown or ambiguous)."""
    return model_index().resolve(reference).target


def resolve_dataset(reference):
    return dataset_index().resolve(reference).target
