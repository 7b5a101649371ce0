"""The search box's little language, parsed once into a backend-neutral query.

    llama 3.1 8b                 every word must match (AND is the default)
    "built with llama"           a phrase
    distillation OR distil       either side of OR (OR binds looser than AND, so `a b OR c` = (a AND b) OR c)
    kind:model org:meta          filters (kind, org, license, jurisdiction, status); values may be "quoted"
    license:Apache-2.0 AND ...   the word AND is allowed and means the default

Both backends compile the same `ParsedQuery`, so they agree on what a query means. A query longer
than MAX_QUERY_CHARS or with more than MAX_QUERY_TERMS words and phrases is refused with a
QueryError whose message says so: search time grows with both.
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

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 32

# A word: letters/digits, with dotted numeric-like continuations kept together ("3.1", "qwen2.5").
WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r'(?P<filter>(?P<fname>[A-Za-z]+):(?:"(?P<fq>[^"]*)"|(?P<fv>[^\s"]+)))|"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')


class QueryError(ValueError):
    """A query the search refuses; the message is for the person who typed it."""


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
    def has_terms(self):
        return any(self.clauses)

    def terms(self):
        return [t for clause in self.clauses for t in clause]


def parse(text):
    """The search box's text -> ParsedQuery. Control characters (NUL, …) count as spaces.

    Raises QueryError for a query over MAX_QUERY_CHARS characters or MAX_QUERY_TERMS terms."""
    text = _CONTROL.sub(" ", text or "")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query has {len(text):,} characters; shorten it to at most {MAX_QUERY_CHARS}.")
    query = ParsedQuery(text=text)
    current = []
    for match in _TOKEN.finditer(text):
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
    terms = len(query.terms())
    if terms > MAX_QUERY_TERMS:
        raise QueryError(f"The query has {terms} words and phrases; use at most {MAX_QUERY_TERMS}.")
    return query


def words(text):
    """Lowercase words as the search sees them (for spelling suggestions)."""
    return [w.lower() for w in WORD.findall(text or "")]


# "Did you mean" looks at most this many unknown words of a query, each at most this long: the cost
# of finding close words grows with both.
MAX_SUGGESTED_WORDS, MAX_SUGGESTED_WORD_CHARS = 3, 30


def unknown_words(parsed, is_known):
    """The first MAX_SUGGESTED_WORDS distinct lowercase words of the query for which is_known is false."""
    found = []
    for term in parsed.terms():
        for word in WORD.findall(term.text.lower()):
            if len(word) <= MAX_SUGGESTED_WORD_CHARS and word not in found and not is_known(word):
                found.append(word)
                if len(found) == MAX_SUGGESTED_WORDS:
                    return found
    return found


def apply_replacements(text, replacements):
    """text with each word found in replacements (lowercase keys) swapped, or "" when none apply."""
    if not replacements:
        return ""
    return WORD.sub(lambda m: replacements.get(m.group(0).lower(), m.group(0)), text)
