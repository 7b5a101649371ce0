"""What reads: which curated clauses rest on which captured text, what each new version touched,
which quotes vanished, which flags are still open."""

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from django.db.models import Q
from django.utils import timezone

from kb.models import LicenseClause
from termswatch import text
from termswatch.models import CapturedVersion, ClauseFlag, TrackedDocument

# A clause or version read in an Open Terms Archive versions repository cites the file at a commit.
OTA_URL = re.compile(r"^https?://github\.com/OpenTermsArchive/(?P<repo>[^/]+)/blob/(?P<sha>[0-9a-f]{7,40})/(?P<path>[^?#]+)")


def ota_reference(url):
    """(repository name, commit, service, document type) for an Open Terms Archive file URL, else None."""
    match = OTA_URL.match(url or "")
    if not match:
        return None
    parts = unquote(match["path"]).split("/")
    if len(parts) != 2 or not parts[1].endswith(".md"):
        return None
    return match["repo"], match["sha"], parts[0], parts[1][:-3]


@dataclass
class ClauseLink:
    """A curated clause and the captured text it was read in."""

    clause: LicenseClause
    document: TrackedDocument
    cited_commit: str  # from the clause's source_url; "" when it does not cite a commit of this text
    fragments: list  # the quote, normalised (text.quote_fragments)


def current_clauses(today=None):
    """Clauses of the terms versions in force today (or starting later): the ones checks rely on now."""
    today = today or timezone.now().date()
    return (
        LicenseClause.objects.filter(Q(version__effective_to__isnull=True) | Q(version__effective_to__gt=today))
        .select_related("version__document")
        .order_by("version__document__spdx_id", "key")
    )


def clause_links(today=None):
    """Every current clause linked to a tracked text: by the commit its source_url cites, or, without
    one, by the mapping when the clause's terms document maps to a single text."""
    tracked = {(d.repository.name, d.service, d.document_type): d for d in TrackedDocument.objects.select_related("repository")}
    by_terms = {}
    for d in tracked.values():
        if d.terms_id:
            by_terms.setdefault(d.terms_id, []).append(d)
    links = []
    for clause in current_clauses(today):
        reference = ota_reference(clause.source_url) or ota_reference(clause.version.source_url)
        document, cited = None, ""
        if reference:
            repo, sha, service, document_type = reference
            document = tracked.get((repo, service, document_type))
            cited = sha if document is not None else ""
        if document is None:
            candidates = by_terms.get(clause.version.document_id, [])
            document = candidates[0] if len(candidates) == 1 else None
        if document is not None:
            links.append(ClauseLink(clause, document, cited, text.quote_fragments(clause.quote)))
    return links


class VersionTexts:
    """Versions of tracked documents in history order, with their outlines built once."""

    def __init__(self):
        self._versions, self._outlines = {}, {}

    def of(self, document_id):
        if document_id not in self._versions:
            self._versions[document_id] = list(CapturedVersion.objects.filter(document_id=document_id).order_by("sequence"))
        return self._versions[document_id]

    def outline(self, version):
        if version.pk not in self._outlines:
            self._outlines[version.pk] = text.Outline(version.text)
        return self._outlines[version.pk]


def baseline_index(link, versions):
    """Index of the version the clause was read in (-1: before the first capture).

    The commit its source_url cites when that is a captured version of the text; otherwise the last
    version captured on or before the clause's checked_on date.
    """
    if link.cited_commit:
        for i, version in enumerate(versions):
            if version.commit.startswith(link.cited_commit):
                return i
    index = -1
    for i, version in enumerate(versions):
        if version.captured_at.date() <= link.clause.checked_on:
            index = i
    return index


@dataclass
class Finding:
    clause: LicenseClause
    version: CapturedVersion
    reason: str  # ClauseFlag.Reason
    section: str


def clause_findings(links=None, texts=None, from_start=False, only=None):
    """For each linked clause with a quote, every version captured after the clause was read that
    changed the section holding the quote (located in the version before it), or removed the quote.
    `from_start`: every version, read or not (what a version touched, for reports); `only`: version ids
    to look at (default: all)."""
    texts = texts or VersionTexts()
    findings = []
    for link in links if links is not None else clause_links():
        if not link.fragments:
            continue
        versions = texts.of(link.document.pk)
        start = 1 if from_start else max(baseline_index(link, versions) + 1, 1)
        for i in range(start, len(versions)):
            version, before = versions[i], versions[i - 1]
            if only is not None and version.pk not in only:
                continue
            changed = version.changed_sections or {}
            if not (changed.get("old") or changed.get("new")):
                continue
            where_before = texts.outline(before).locate(link.fragments)
            where_now = texts.outline(version).locate(link.fragments)
            if where_before is not None:
                if where_before == "" or where_before in changed.get("old", ()):
                    findings.append(Finding(link.clause, version, ClauseFlag.Reason.SECTION_CHANGED, where_before))
                if where_now is None:
                    findings.append(Finding(link.clause, version, ClauseFlag.Reason.QUOTE_VANISHED, where_before))
            elif where_now is not None and (where_now == "" or where_now in changed.get("new", ())):
                findings.append(Finding(link.clause, version, ClauseFlag.Reason.SECTION_CHANGED, where_now))
    return findings


def flag_is_open(flag, link, cited_sequence=None):
    """A flag is closed once the clause was read again in that version or a later one: the version its
    source_url cites (`cited_sequence`, looked up when not given), or else its checked_on date."""
    if link is None or link.document.pk != flag.version.document_id:
        return False  # the clause no longer rests on this text (superseded, relinked)
    if link.cited_commit and cited_sequence is None:
        cited_sequence = _cited_sequences([link]).get(link.clause.pk)
    if cited_sequence is not None:
        return cited_sequence < flag.version.sequence
    return link.clause.checked_on < flag.version.captured_at.date()


def _cited_sequences(links):
    """{clause id: sequence of the captured version its source_url cites} (one query)."""
    wanted = {(link.document.pk, link.cited_commit): link.clause.pk for link in links if link.cited_commit}
    if not wanted:
        return {}
    query = Q()
    for document_id, commit in wanted:
        query |= Q(document_id=document_id, commit__startswith=commit)
    found = {}
    for document_id, commit, sequence in CapturedVersion.objects.filter(query).values_list("document_id", "commit", "sequence"):
        for (doc, cited), clause_id in wanted.items():
            if doc == document_id and commit.startswith(cited):
                found[clause_id] = sequence
    return found


def open_flags(links=None):
    """The flags still open, newest capture first."""
    links = links if links is not None else clause_links()
    by_clause = {link.clause.pk: link for link in links}
    cited = _cited_sequences(links)
    flags = ClauseFlag.objects.filter(clause_id__in=by_clause).select_related("clause__version__document", "version__document__repository")
    return [flag for flag in flags if flag_is_open(flag, by_clause[flag.clause_id], cited.get(flag.clause_id))]


def clauses_needing_reverification(links=None):
    """{clause id: [open flags]} for the admin, the portal and validate_kb."""
    grouped = {}
    for flag in open_flags(links):
        grouped.setdefault(flag.clause_id, []).append(flag)
    return grouped


@dataclass
class StaleClause:
    clause: LicenseClause
    document: TrackedDocument
    latest: CapturedVersion
    vanished_in: CapturedVersion | None  # the first version without the quote after the last one with it
    section: str  # where the quote was, in the last version that had it
    diff: list = field(default_factory=list)  # unified diff of that section into vanished_in

    @property
    def never_found(self):
        return self.vanished_in is None


def stale_clauses(links=None, texts=None):
    """Linked clauses whose quote is not in the latest captured version of their text."""
    texts = texts or VersionTexts()
    stale = []
    for link in links if links is not None else clause_links():
        if not link.fragments:
            continue
        latest = CapturedVersion.objects.filter(document=link.document).order_by("-sequence").first()
        if latest is None or text.contains(text.normalise(latest.text), link.fragments):
            continue
        versions = texts.of(link.document.pk)
        vanished, section, diff = None, "", []
        for i in range(len(versions) - 2, -1, -1):
            where = texts.outline(versions[i]).locate(link.fragments)
            if where is not None:
                vanished, section = versions[i + 1], where
                diff = text.section_diff(versions[i].text, vanished.text, where) if where else text.full_diff(versions[i].text, vanished.text)
                break
        stale.append(StaleClause(link.clause, link.document, latest, vanished, section, diff))
    return stale


@dataclass
class VersionChange:
    version: CapturedVersion
    previous: CapturedVersion | None
    sections: list  # titles of the sections changed (in the new text; removed ones by their old title)
    clauses: list  # Finding: curated clauses in a changed section (or whose quote it removed)


def version_changes(versions, links=None):
    """What each of `versions` changed, oldest first: sections, and the curated clauses they touch."""
    versions = list(versions.select_related("document__repository", "document__terms").order_by("sequence", "pk"))
    if not versions:
        return []
    links = links if links is not None else clause_links()
    texts = VersionTexts()
    touched_docs = {v.document_id for v in versions}
    relevant = [link for link in links if link.document.pk in touched_docs]
    by_version = {}
    for finding in clause_findings(relevant, texts, from_start=True, only={v.pk for v in versions}):
        by_version.setdefault(finding.version.pk, []).append(finding)
    changes = []
    for version in versions:
        history = texts.of(version.document_id)
        position = next(i for i, v in enumerate(history) if v.pk == version.pk)
        changed = version.changed_sections or {}
        new_titles = list(changed.get("new", []))
        gone = [t for t in changed.get("old", []) if t not in new_titles]
        changes.append(VersionChange(
            version=version,
            previous=history[position - 1] if position > 0 else None,
            sections=new_titles + [f"{t} (before; removed or renamed)" for t in gone],
            clauses=by_version.get(version.pk, []),
        ))
    return changes


def document_versions(document):
    return document.versions.order_by("-sequence").only("pk", "sequence", "commit", "captured_at", "message", "changed_sections", "document_id")
