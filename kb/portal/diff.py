"""Compare the clauses of two terms versions (possibly of two documents, e.g. Llama 3 and Llama 3.1).

Clauses are matched by key. A clause present only in the newer version is "added", only in the older
"removed", and one whose text changed is "changed". When an added and a removed clause share a clause
type (Llama 3's "Llama 3" naming clause and Llama 3.1's "Llama" one), each names the other and the
added one shows a word diff against it, so a reader sees what the new clause replaced. The verbatim
quote and our summary are diffed apart: a change in the publisher's words is not a change in ours.
"""

import difflib
from dataclasses import dataclass, field

from kb import vocabulary


@dataclass
class ClauseChange:
    status: str  # added, removed, changed, unchanged
    clause_type: str
    old: object = None
    new: object = None
    counterpart: object = None  # the same-type clause on the other side, for added/removed
    quote_words: list = field(default_factory=list)  # [(op, text)]: op is equal, delete or insert
    summary_words: list = field(default_factory=list)

    @property
    def diffed(self):
        return bool(self.quote_words or self.summary_words)

    @property
    def type_label(self):
        return vocabulary.CLAUSE_TYPES.get(self.clause_type, (self.clause_type,))[0]

    @property
    def clause(self):
        return self.new or self.old


def _same(a, b):
    return (a.quote, a.summary, a.parameters, a.clause_type) == (b.quote, b.summary, b.parameters, b.clause_type)


def _diff_parts(change, old, new):
    change.quote_words = word_diff(old.quote, new.quote) if (old.quote or new.quote) else []
    change.summary_words = word_diff(old.summary, new.summary)
    return change


def word_diff(old_text, new_text):
    old_words, new_words = old_text.split(), new_text.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", " ".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", " ".join(old_words[i1:i2])))
        if j2 > j1:
            out.append(("insert", " ".join(new_words[j1:j2])))
    return out


def compare_versions(old_version, new_version):
    """[ClauseChange] between two TermsVersion rows, ordered by clause type then key."""
    old = {c.key: c for c in old_version.clauses.all()}
    new = {c.key: c for c in new_version.clauses.all()}
    changes = []
    for key in old.keys() & new.keys():
        a, b = old[key], new[key]
        if _same(a, b):
            changes.append(ClauseChange("unchanged", b.clause_type, a, b))
        else:
            changes.append(_diff_parts(ClauseChange("changed", b.clause_type, a, b), a, b))
    removed = [ClauseChange("removed", old[k].clause_type, old=old[k]) for k in old.keys() - new.keys()]
    added = [ClauseChange("added", new[k].clause_type, new=new[k]) for k in new.keys() - old.keys()]
    for change in added:
        partner = next((r for r in removed if r.clause_type == change.clause_type and r.counterpart is None), None)
        if partner is not None:
            change.counterpart, partner.counterpart = partner.old, change.new
            _diff_parts(change, partner.old, change.new)
    changes.extend(removed)
    changes.extend(added)
    order = {"removed": 0, "added": 1, "changed": 2, "unchanged": 3}
    return sorted(changes, key=lambda c: (order[c.status], c.clause_type, c.clause.key))
