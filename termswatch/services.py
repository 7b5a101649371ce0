"""What writes: importing captured versions, and a watch run (flags, report, webhook)."""

import hashlib
import hmac
import json
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from termswatch import gitrepo, selectors, text
from termswatch.models import CapturedVersion, ClauseFlag, Repository, TrackedDocument, WatchRun


class ImportError_(Exception):  # noqa: N801 - ImportError is a builtin
    """The repository cannot be imported as asked; nothing was written."""


@dataclass
class ImportResult:
    repository: str
    head: str
    commits: int = 0
    versions: int = 0
    removed: list = field(default_factory=list)
    new_documents: list = field(default_factory=list)  # tracked documents the mapping does not list
    up_to_date: bool = False


def _tracked_path(path):
    """(service, document type) for `<Service>/<Document type>.md`, None for anything else."""
    parts = path.split("/")
    if len(parts) != 2 or not parts[1].endswith(".md") or parts[0].startswith("."):
        return None
    return parts[0], parts[1][: -len(".md")]


def import_versions(repo_path, *, name, url="", rev="HEAD", full=False):
    """Store every version the repository captured since the last import (all of them the first time).

    One transaction: a failure leaves the database as it was. Raises ImportError_ (or
    gitrepo.GitError) with a message naming what is wrong.
    """
    head = gitrepo.resolve(repo_path, rev)
    repository = Repository.objects.filter(name=name).first()
    since = repository.last_commit if repository and repository.last_commit and not full else None
    result = ImportResult(repository=name, head=head)
    if since == head:
        result.up_to_date = True
        return result
    if since and not gitrepo.is_ancestor(repo_path, since, head):
        raise ImportError_(
            f"{name}: the last imported commit {since[:12]} is not in the history of {rev} ({head[:12]}); "
            "the repository was rewritten or is another one. Import with --full to read it all again."
        )
    history = gitrepo.commits(repo_path, head, since)
    wanted = [(c.sha, ch.path) for c in history for ch in c.changes if ch.status in "AM" and _tracked_path(ch.path)]
    texts = gitrepo.read_files(repo_path, wanted)

    with transaction.atomic():
        if repository is None:
            repository = Repository.objects.create(name=name, url=url)
        elif url and repository.url != url:
            repository.url = url
        documents = {(d.service, d.document_type): d for d in repository.documents.select_for_update()}
        known = set(CapturedVersion.objects.filter(document__repository=repository).values_list("document_id", "commit"))
        sequence = CapturedVersion.objects.filter(document__repository=repository).aggregate(m=Max("sequence"))["m"] or 0
        previous = {}  # document id -> latest text, read only for the documents this import touches
        new_rows = []
        for commit in history:
            sequence += 1
            for change in commit.changes:
                key = _tracked_path(change.path)
                if key is None:
                    continue
                document = documents.get(key)
                if document is None:
                    document = TrackedDocument.objects.create(repository=repository, service=key[0], document_type=key[1])
                    documents[key] = document
                    result.new_documents.append(f"{key[0]} / {key[1]}")
                if change.status == "D":
                    document.removed_at = commit.date
                    document.save(update_fields=["removed_at"])
                    result.removed.append(str(document))
                    continue
                if (document.pk, commit.sha) in known:
                    continue  # --full over versions already stored
                if document.removed_at is not None:
                    document.removed_at = None
                    document.save(update_fields=["removed_at"])
                if document.pk not in previous:
                    latest = document.versions.order_by("-sequence").values_list("text", flat=True).first()
                    previous[document.pk] = latest
                body = texts[(commit.sha, change.path)]
                before = previous[document.pk]
                changed = text.changed_sections(before, body) if before is not None else {
                    "old": [], "new": [s.title for s in text.Outline(body).sections]
                }
                new_rows.append(CapturedVersion(
                    document=document, sequence=sequence, commit=commit.sha, captured_at=commit.date,
                    message=commit.subject[:300], text=body, changed_sections=changed,
                ))
                previous[document.pk] = body
        CapturedVersion.objects.bulk_create(new_rows, batch_size=200)
        repository.last_commit = head
        repository.imported_at = timezone.now()
        repository.save()
    result.commits, result.versions = len(history), len(new_rows)
    return result


# ----------------------------------------------------------------------------------------- watch


@dataclass
class WatchReport:
    run: WatchRun
    changes: list  # selectors.VersionChange, oldest first
    stale: list  # selectors.StaleClause
    open_flags: list  # ClauseFlag still open
    webhook: str = ""


def record_flags():
    """Store a flag for every (curated clause, later version) whose change touched the clause's section
    or removed its quote. Returns the number of flags added."""
    existing = set(ClauseFlag.objects.values_list("clause_id", "version_id", "reason"))
    rows = []
    for finding in selectors.clause_findings():
        key = (finding.clause.pk, finding.version.pk, finding.reason)
        if key not in existing:
            existing.add(key)
            rows.append(ClauseFlag(clause=finding.clause, version=finding.version, reason=finding.reason, section=finding.section[:300]))
    ClauseFlag.objects.bulk_create(rows)
    return len(rows)


def run_watch(*, send=None, now=None):
    """One scheduled run: the versions captured since the previous run, with the sections they changed
    and the curated clauses they touch; flags stored; the webhook told (when configured)."""
    last = WatchRun.objects.order_by("-ran_at", "-pk").first()
    mark = last.up_to_version if last else 0
    with transaction.atomic():
        record_flags()
        changes = selectors.version_changes(CapturedVersion.objects.filter(pk__gt=mark))
        top = CapturedVersion.objects.aggregate(m=Max("pk"))["m"] or 0
        open_flags = selectors.open_flags()
        run = WatchRun.objects.create(up_to_version=max(top, mark), new_versions=len(changes), flags=len(open_flags))
    report = WatchReport(run=run, changes=changes, stale=selectors.stale_clauses(), open_flags=open_flags)
    if changes and getattr(settings, "TERMS_WEBHOOK_URL", ""):
        report.webhook = notify(settings.TERMS_WEBHOOK_URL, webhook_body(report), send=send)
        run.webhook_status = report.webhook[:200]
        run.save(update_fields=["webhook_status"])
    return report


# --------------------------------------------------------------------------------------- webhook


def webhook_body(report):
    return {
        "event": "terms.changed",
        "run": report.run.pk,
        "ran_at": report.run.ran_at.isoformat(),
        "attribution": "Texts: Open Terms Archive contributors (ODC-BY 1.0)",
        "changes": [
            {
                "service": c.version.document.service,
                "document_type": c.version.document.document_type,
                "terms": c.version.document.terms.spdx_id if c.version.document.terms else None,
                "commit": c.version.commit,
                "captured_at": c.version.captured_at.isoformat(),
                "url": c.version.source_url,
                "technical": c.version.is_technical,
                "sections": c.sections,
                "changes": text.change_snippets(c.previous.text, c.version.text, limit=10) if c.previous else [],
                "clauses": [{"document": f.clause.version.document.spdx_id, "version": f.clause.version.version, "key": f.clause.key} for f in c.clauses],
            }
            for c in report.changes
        ],
        "open_flags": len(report.open_flags),
    }


def sign(body_bytes, secret):
    return "sha256=" + hmac.new(secret.encode(), body_bytes, hashlib.sha256).hexdigest()


def _post(url, data, headers, timeout):
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's configured URL
        return response.status


def notify(url, payload, *, send=None, timeout=10):
    """POST the payload as JSON, signed with HMAC-SHA256 of the body under TERMS_WEBHOOK_SECRET
    (header X-Provenant-Signature: sha256=<hex>). Returns a status line; a failure is reported, not raised:
    the run's report and flags are already stored."""
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    secret = getattr(settings, "TERMS_WEBHOOK_SECRET", "") or settings.SECRET_KEY
    headers = {"Content-Type": "application/json", "User-Agent": "Provenant terms watch", "X-Provenant-Signature": sign(body, secret)}
    try:
        status = (send or _post)(url, body, headers, timeout)
    except Exception as exc:  # network errors, HTTP errors: the report says what happened
        return f"failed: {exc}"
    return f"sent: HTTP {status}"
