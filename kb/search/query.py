"""The search box's little language, parsed once into a backend-neutral query.

    llama 3.1 8b                 every word must match (AND is the default)
    "built with llama"           a phrase
    distillation OR distil       either side of OR (OR binds looser than AND, so `a b OR c` = (a AND b) OR c)
    kind:model org:meta          filters (kind, org, license, jurisdiction, status); values may be "quoted"
    license:Apache-2.0 AND ...   the word AND is allowed and means the default

Both backends compile the same `ParsedQuery`, so they agree on what a query means.
"""

import re
from dataclasses import dataclass, field

FILTER_FIELDS = {
    "kind": "kind",
    "type": "kind",
    "org": "org",
    "organization": "org",
    "license": "license",
    "jurisdiction": "jurisdiction",
    "status": "status",
    "verification": "status",
}

# A word: letters/digits, with dotted numeric-like continuations kept together ("3.1", "qwen2.5").
WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")

_TOKEN = re.compile(r'(?P<filter>(?P<fname>[A-Za-z]+):(?:"(?P<fq>[^"]*)"|(?P<fv>[^\s"]+)))|"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')


@dataclass(frozen=True)
class Term:
    text: str  # as typed (may contain - / .), the backend analyzes it
    phrase: bool = False


@dataclass
class ParsedQuery:
    # Disjunctive normal form: a list of alternatives, each a list of terms that must all match.
    clauses: list = field(default_factory=list)
    filters: dict = field(default_factory=dict)  # facet -> set of lowercase values (OR within a facet)
    text: str = ""

    @property
    def is_empty(self):
        return not self.clauses and not self.filters

    @property
    def has_terms(self):
        return any(self.clauses)

    def terms(self):
        return [t for clause in self.clauses for t in clause]


def parse(text):
    query = ParsedQuery(text=text or "")
    current = []
    for match in _TOKEN.finditer(text or ""):
        if match.group("filter") and match.group("fname").lower() in FILTER_FIELDS:
            value = match.group("fq") if match.group("fq") is not None else match.group("fv")
            if value:
                query.filters.setdefault(FILTER_FIELDS[match.group("fname").lower()], set()).add(value.lower())
            continue
        if match.group("phrase") is not None:
            if WORD.search(match.group("phrase")):
                current.append(Term(match.group("phrase").strip(), phrase=True))
            continue
        word = match.group(0)
        if word == "OR":
            if current:
                query.clauses.append(current)
            current = []
            continue
        if word == "AND":
            continue
        if WORD.search(word):
            current.append(Term(word))
    if current:
        query.clauses.append(current)
    return query


def words(text):
    """Lowercase words as the search sees them (for spelling suggestions)."""
    return [w.lower() for w in WORD.findall(text or "")]


def apply_replacements(text, replacements):
    """text with each word found in replacements (lowercase keys) swapped, or "" when none apply."""
    if not replacements:
        return ""
    return WORD.sub(lambda m: replacements.get(m.group(0).lower(), m.group(0)), text)
