"""Captured terms as text: sections, normalisation, where a quote sits, what a new version changed. Pure.

Sections come from the Markdown as Open Terms Archive captures it: ATX (`## Title`) and setext
(`Title` over `===`) headings, and lines that open with a bold lead-in (`1.  **Ownership**. …`,
the way numbered legal clauses are usually captured). A section runs to the next such line; its title
is the path of the headings above it ("OWNERSHIP › Feedback").

Quotes are compared after normalisation: Markdown (emphasis, links, escapes, heading and list marks)
removed, typographic quotes and dashes folded to ASCII, whitespace collapsed, case folded. Words are
never changed, so a reworded clause does not match.
"""

import difflib
import re
from dataclasses import dataclass

from kb.portal.diff import word_diff

PREAMBLE = "(beginning)"
MAX_TITLE = 120  # a bold lead-in longer than this is a bold paragraph, not a heading

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BOLD_LEAD = re.compile(r"^(\s*)(?:(?:[*+-]|\d+[.)]|\(?[a-z0-9]{1,4}\))\s+)?\*\*(.+?)\*\*")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!\"'<>|~])")
_LINE_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|(?:[*+-]|\d+[.)])\s+)", re.MULTILINE)
_RULE_LINES = re.compile(r"^\s*(?:=+|-{3,}|\*{3,})\s*$", re.MULTILINE)
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|`+")
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u202f": " "})
_ELLIPSIS = re.compile(r"\[?(?:…|\.\.\.)\]?")
FRAGMENT_GAP = 3000  # characters allowed between two fragments of a quote shortened with "…"


def normalise(text):
    """Text without its Markdown and typography, for comparing quotes (see the module docstring)."""
    text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(lambda m: "\x00" + m.group(1), text)  # keep escaped marks, drop the others
    text = _RULE_LINES.sub(" ", text)
    text = _LINE_MARKS.sub("", text)
    text = _EMPHASIS.sub("", text).replace("\x00", "")
    text = text.translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip().casefold()


def quote_fragments(quote):
    """The normalised pieces of a quote shortened with "…" (or "..."), in order."""
    pieces = (normalise(piece).strip(" .,;:\"'()[]") for piece in _ELLIPSIS.split(quote or ""))
    return [piece for piece in pieces if piece]


def contains(haystack, fragments):
    """True if the fragments appear in `haystack` (normalised) in order, each near the previous one."""
    if not fragments:
        return False
    start = haystack.find(fragments[0])
    while start != -1:
        position, ok = start + len(fragments[0]), True
        for fragment in fragments[1:]:
            found = haystack.find(fragment, position, position + FRAGMENT_GAP + len(fragment))
            if found == -1:
                ok = False
                break
            position = found + len(fragment)
        if ok:
            return True
        start = haystack.find(fragments[0], start + 1)
    return False


@dataclass(frozen=True)
class Section:
    title: str
    start: int  # first line (the heading's)
    end: int  # one past the last line


def _clean_title(text):
    return re.sub(r"\s+", " ", _EMPHASIS.sub("", _ESCAPE.sub(r"\1", _LINK.sub(r"\1", text)))).strip(" .:—-").strip()


def _boundary(lines, i):
    """(level, title) if line i opens a section, else None."""
    line = lines[i]
    first = line.lstrip()[:1]
    if not first:
        return None
    if first == "#":
        match = _ATX.match(line)
        if match:
            return len(match.group(1)), _clean_title(match.group(2))
    following = lines[i + 1].lstrip()[:1] if i + 1 < len(lines) else ""
    if following in ("=", "-") and _SETEXT.match(lines[i + 1]) and not _LINE_MARKS.match(line):
        return (1 if following == "=" else 2), _clean_title(line)
    match = _BOLD_LEAD.match(line) if "**" in line else None
    if match and len(match.group(2)) <= MAX_TITLE:
        title = _clean_title(match.group(2))
        if title:
            return 7 + len(match.group(1).expandtabs(4)), title
    return None


def sections(lines):
    """The sections of a text given as lines, in order; lines before the first heading form PREAMBLE."""
    found, stack = [], []
    for i in range(len(lines)):
        if found and found[-1].start == i - 1 and lines[i].lstrip()[:1] in ("=", "-") and _SETEXT.match(lines[i]):
            continue  # the underline of a setext heading
        boundary = _boundary(lines, i)
        if boundary is None:
            continue
        level, title = boundary
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        found.append(Section(" › ".join(t for _, t in stack), i, len(lines)))
    result = []
    if not found or found[0].start > 0:
        result.append(Section(PREAMBLE, 0, found[0].start if found else len(lines)))
    for here, after in zip(found, [*found[1:], None][: len(found)], strict=True):
        result.append(Section(here.title, here.start, after.start if after else len(lines)))
    return result


def _section_of_line(parts, count):
    index = [0] * count
    for n, part in enumerate(parts):
        for i in range(part.start, part.end):
            index[i] = n
    return index


class Outline:
    """A text split into lines and sections, with each section's normalised text (built once per text)."""

    def __init__(self, text):
        self.lines = text.splitlines()
        self.sections = sections(self.lines)
        self._normalised = None

    def section_text(self, section):
        return "\n".join(self.lines[section.start : section.end])

    @property
    def normalised(self):
        if self._normalised is None:
            self._normalised = [normalise(self.section_text(s)) for s in self.sections]
        return self._normalised

    def locate(self, fragments):
        """The title of the section holding the quote, "" if the quote spans sections, None if absent."""
        for section, text in zip(self.sections, self.normalised, strict=True):
            if contains(text, fragments):
                return section.title
        return "" if contains(" ".join(self.normalised), fragments) else None

    def titled(self, title):
        return [s for s in self.sections if s.title == title]


def _opcodes(a, b):
    """difflib opcodes over the non-blank lines of a and b, compared without surrounding whitespace
    (Open Terms Archive re-extractions often move indentation or blank lines alone).

    Returns (keep_a, keep_b, opcodes): keep_x maps a compared line back to its index in x. The common
    head and tail are cut off before difflib runs: most versions change a few lines of a long text,
    and SequenceMatcher's cost grows with what it is given."""
    keep_a = [i for i, line in enumerate(a) if line.strip()]
    keep_b = [j for j, line in enumerate(b) if line.strip()]
    sa, sb = [a[i].strip() for i in keep_a], [b[j].strip() for j in keep_b]
    head = 0
    while head < len(sa) and head < len(sb) and sa[head] == sb[head]:
        head += 1
    tail = 0
    while tail < len(sa) - head and tail < len(sb) - head and sa[-1 - tail] == sb[-1 - tail]:
        tail += 1
    middle = difflib.SequenceMatcher(None, sa[head : len(sa) - tail], sb[head : len(sb) - tail], autojunk=False)
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [(op, i1 + head, i2 + head, j1 + head, j2 + head) for op, i1, i2, j1, j2 in middle.get_opcodes()]
    if tail:
        opcodes.append(("equal", len(sa) - tail, len(sa), len(sb) - tail, len(sb)))
    return keep_a, keep_b, opcodes


def line_changes(a, b):
    """(i1, i2, j1, j2): ranges of lines of a and b (indices into them) that differ, see _opcodes."""
    keep_a, keep_b, opcodes = _opcodes(a, b)

    def span(keep, k1, k2, total):
        start = keep[k1] if k1 < len(keep) else total
        return (start, keep[k2 - 1] + 1) if k2 > k1 else (start, start)

    return [(*span(keep_a, i1, i2, len(a)), *span(keep_b, j1, j2, len(b))) for op, i1, i2, j1, j2 in opcodes if op != "equal"]


def changed_sections(old_text, new_text):
    """{"old": titles in old_text, "new": titles in new_text} of the sections a change touched."""
    old, new = Outline(old_text or ""), Outline(new_text)
    a, b = old.lines, new.lines
    old_index, new_index = _section_of_line(old.sections, len(a)), _section_of_line(new.sections, len(b))
    touched_old, touched_new = {}, {}
    for i1, i2, j1, j2 in line_changes(a, b):
        for i in range(i1, i2) if i2 > i1 else [max(i1 - 1, 0)] if a else []:
            touched_old.setdefault(old.sections[old_index[i]].title, None)
        for j in range(j1, j2) if j2 > j1 else [max(j1 - 1, 0)] if b else []:
            touched_new.setdefault(new.sections[new_index[j]].title, None)
    return {"old": list(touched_old), "new": list(touched_new)}


def section_diff(old_text, new_text, title, context=3):
    """A unified diff (list of lines) of one section between two texts.

    The section is found by title on both sides; where the new text has no section of that title
    (renamed or removed) the new side is every section the change touched.
    """
    old, new = Outline(old_text or ""), Outline(new_text or "")
    old_lines = [line for s in old.titled(title) for line in old.lines[s.start : s.end]]
    new_parts = new.titled(title)
    if not new_parts:
        touched = set(changed_sections(old_text or "", new_text or "")["new"])
        new_parts = [s for s in new.sections if s.title in touched]
    new_lines = [line for s in new_parts for line in new.lines[s.start : s.end]]
    return list(difflib.unified_diff(old_lines, new_lines, fromfile="before", tofile="after", n=context, lineterm=""))


def full_diff(old_text, new_text, context=3):
    return list(difflib.unified_diff((old_text or "").splitlines(), new_text.splitlines(), fromfile="before", tofile="after", n=context, lineterm=""))


# ----------------------------------------------------------------------------- side-by-side rows


@dataclass(frozen=True)
class Row:
    kind: str  # equal, replace, delete, insert, skip
    left_no: int | None = None
    right_no: int | None = None
    left: tuple = ()  # ((op, text), ...): op is equal, delete or insert (kb.portal.diff.word_diff)
    right: tuple = ()
    skipped: int = 0


def side_by_side(old_text, new_text, context=3):
    """Rows of a two-column diff of the non-blank lines; runs of unchanged lines longer than 2*context
    are folded into a "skip" row. Replaced lines carry a word diff. The texts are returned as data,
    for the template to escape."""
    a, b = (old_text or "").splitlines(), (new_text or "").splitlines()
    keep_a, keep_b, opcodes = _opcodes(a, b)

    def equal(k, m):
        return Row("equal", keep_a[k] + 1, keep_b[m] + 1, (("equal", a[keep_a[k]]),), (("equal", b[keep_b[m]]),))

    rows = []
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            span = i2 - i1
            head = 0 if n == 0 else context
            tail = 0 if n == len(opcodes) - 1 else context
            if span > head + tail + 1:
                rows += [equal(i1 + k, j1 + k) for k in range(head)]
                rows.append(Row("skip", skipped=span - head - tail))
                rows += [equal(i1 + k, j1 + k) for k in range(span - tail, span)]
            else:
                rows += [equal(i1 + k, j1 + k) for k in range(span)]
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            left = keep_a[i1 + k] if i1 + k < i2 else None
            right = keep_b[j1 + k] if j1 + k < j2 else None
            if left is not None and right is not None:
                words = word_diff(a[left], b[right])
                rows.append(Row(
                    "replace", left + 1, right + 1,
                    tuple(w for w in words if w[0] != "insert"), tuple(w for w in words if w[0] != "delete"),
                ))
            elif left is not None:
                rows.append(Row("delete", left + 1, None, (("delete", a[left]),), ()))
            else:
                rows.append(Row("insert", None, right + 1, (), (("insert", b[right]),)))
    return rows


def change_snippets(old_text, new_text, words=8, limit=20):
    """Short readable excerpts of what changed: "… context [-old-] {+new+} context …" (for reports and
    the webhook; a single-line capture changes somewhere inside one very long line)."""
    snippets = []
    a, b = (old_text or "").splitlines(), (new_text or "").splitlines()
    for i1, i2, j1, j2 in line_changes(a, b):
        ops = word_diff(" ".join(a[i1:i2]), " ".join(b[j1:j2]))
        n = 0
        while n < len(ops):
            if ops[n][0] == "equal":
                n += 1
                continue
            start = n
            while n < len(ops) and ops[n][0] != "equal":
                n += 1
            before = ops[start - 1][1].split()[-words:] if start else []
            after = ops[n][1].split()[:words] if n < len(ops) else []
            marked = " ".join(f"[-{t}-]" if op == "delete" else f"{{+{t}+}}" for op, t in ops[start:n])
            snippets.append(" ".join(["…", *before, marked, *after, "…"]))
            if len(snippets) >= limit:
                return snippets
    return snippets
