"""Portal pages: the tracked texts, their captured versions, a side-by-side diff of any two of them,
and the curated clauses that need re-verification. Captured text is outside content: templates
escape it (never `|safe`, never the Markdown renderer)."""

from django.db.models import Count, F, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from termswatch import selectors, text
from termswatch.models import CapturedVersion, TrackedDocument


def document_list(request):
    documents = (
        TrackedDocument.objects.select_related("repository", "terms")
        .annotate(version_count=Count("versions"), last_capture=Max("versions__captured_at"))
        .order_by(F("terms").asc(nulls_last=True), "service", "document_type")
    )
    flagged = selectors.clauses_needing_reverification()
    flags_by_document = {}
    for flags in flagged.values():
        for flag in flags:
            flags_by_document.setdefault(flag.version.document_id, set()).add(flag.clause_id)
    rows = [(d, len(flags_by_document.get(d.pk, ()))) for d in documents]
    return render(request, "termswatch/document_list.html", {"rows": rows, "flagged": flagged})


def _version(document, value, what):
    try:
        return document.versions.get(pk=int(value))
    except (TypeError, ValueError, CapturedVersion.DoesNotExist):
        raise Http404(f"{what}: no captured version {value!r} of this document") from None


def document_detail(request, pk):
    document = get_object_or_404(TrackedDocument.objects.select_related("repository", "terms"), pk=pk)
    versions = list(selectors.document_versions(document))
    old = new = None
    if "to" in request.GET:
        new = _version(document, request.GET.get("to"), "to")
        if "from" in request.GET:
            old = _version(document, request.GET.get("from"), "from")
        else:  # the version before it
            old = document.versions.filter(sequence__lt=new.sequence).order_by("-sequence").first() or new
        if old.sequence > new.sequence:
            old, new = new, old
    elif "from" in request.GET:
        raise Http404("from: say which version to compare it to (to=)")
    elif len(versions) >= 2:
        new, old = document.versions.get(pk=versions[0].pk), document.versions.get(pk=versions[1].pk)
    rows = text.side_by_side(old.text, new.text) if old and new else []
    links = [link for link in selectors.clause_links() if link.document.pk == document.pk]
    flagged = selectors.clauses_needing_reverification(links)
    stale = selectors.stale_clauses(links)
    clauses = [(link.clause, flagged.get(link.clause.pk, [])) for link in links]
    return render(request, "termswatch/document_detail.html", {
        "document": document, "versions": versions, "history": list(zip(versions, [*versions[1:], None], strict=True)), "old": old, "new": new, "rows": rows,
        "clauses": clauses, "stale": stale, "identical": bool(old and new) and old.text == new.text,
    })
