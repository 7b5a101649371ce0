"""Portal pages: thin views over selectors, the search interface and the portal helpers."""

from urllib.parse import urlencode

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from rest_framework.settings import api_settings

from kb import models as kb
from kb import vocabulary
from kb.portal import browse
from kb.portal.diff import compare_versions
from kb.portal.lineage_svg import lineage_graph, parse_expand
from kb.search.base import kind_labels, search
from kb.search.documents import FACETS
from kb.search.query import QueryError
from kb.selectors import knowledge_base_counts, last_checked

FACET_TITLES = {"kind": "Kind", "org": "Organization", "jurisdiction": "Jurisdiction", "license": "License", "status": "Verification"}


# Where each of the home page's counts leads (counts without an index page stay plain).
COUNT_PAGES = {"models": "kb:model_list", "datasets": "kb:dataset_list", "terms documents": "kb:terms_list", "provisions": "kb:provision_list"}


def home(request):
    counts = [
        {"label": label, "count": count, "url": reverse(COUNT_PAGES[label]) if label in COUNT_PAGES else ""}
        for label, count in knowledge_base_counts().items()
    ]
    newest, oldest = last_checked()
    return render(request, "kb/home.html", {"counts": counts, "checked_newest": newest, "checked_oldest": oldest})


def _facet_labels():
    return {
        "kind": kind_labels(),
        "org": {o.slug: o.name for o in kb.Organization.objects.all()},
        "license": {t.spdx_id.lower(): t.name for t in kb.TermsDocument.objects.all()},
        "jurisdiction": {j.code.lower(): j.name for j in kb.Jurisdiction.objects.all()},
        "status": {v.value: v.label for v in kb.Verification},
    }


def _toggle_filter(text, facet, value, selected):
    token = f'{facet}:"{value}"' if " " in value else f"{facet}:{value}"
    if selected:
        kept = [part for part in text.split() if part.lower() not in (token.lower(), f"{facet}:{value}".lower())]
        return " ".join(kept)
    return f"{text} {token}".strip()


def _search_throttled(request):
    """Seconds to wait when this client has used up the API's request rate (the portal search
    counts against the same budget), else None."""
    for throttle in (cls() for cls in api_settings.DEFAULT_THROTTLE_CLASSES):
        if not throttle.allow_request(request, None):
            return throttle.wait() or 1
    return None


def search_page(request):
    text = request.GET.get("q", "").strip()
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    if text:
        wait = _search_throttled(request)
        if wait is not None:
            seconds = int(wait) + 1
            error = f"Too many searches from this address: try again in {seconds} seconds."
            response = render(request, "kb/search.html", {"q": text, "error": error}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        try:
            results = search(text, page=page)
        except QueryError as error:
            return render(request, "kb/search.html", {"q": text, "error": str(error)}, status=400)
    else:
        results = None
    facets = []
    if results is not None:
        labels = _facet_labels()
        for facet in FACETS:
            values = [
                {
                    "value": f.value,
                    "label": labels[facet].get(f.value, f.value),
                    "count": f.count,
                    "selected": f.selected,
                    "url": "?" + urlencode({"q": _toggle_filter(text, facet, f.value, f.selected)}),
                }
                for f in results.facets.get(facet, [])
            ]
            if values:
                facets.append({"name": facet, "title": FACET_TITLES[facet], "values": values})
    context = {
        "q": text,
        "results": results,
        "facets": facets,
        "start": (results.page - 1) * results.page_size + 1 if results else 1,
        "previous_url": "?" + urlencode({"q": text, "page": page - 1}) if results and results.has_previous else "",
        "next_url": "?" + urlencode({"q": text, "page": page + 1}) if results and results.has_next else "",
        "suggestion_url": "?" + urlencode({"q": results.suggestion}) if results and results.suggestion else "",
    }
    return render(request, "kb/search.html", context)


def _index(request, template, queryset, listing, **extra):
    context = browse.browse(request.GET, queryset, listing)
    return render(request, template, {**context, **extra}, status=400 if "errors" in context else 200)


def model_list(request):
    models = kb.AIModel.objects.select_related("organization").prefetch_related("weights_terms", "service_terms")
    return _index(request, "kb/model_list.html", models, browse.MODELS)


def dataset_list(request):
    datasets = kb.Dataset.objects.select_related("license", "organization")
    return _index(request, "kb/dataset_list.html", datasets, browse.DATASETS)


def _graph(request, subject):
    start = request.GET.get("from", "0")
    return lineage_graph(subject, expand=parse_expand(request.GET.get("expand")), start=int(start) if start.isdigit() else 0)


def model_detail(request, slug):
    model = get_object_or_404(
        kb.AIModel.objects.select_related("organization").prefetch_related("weights_terms", "service_terms"), slug=slug
    )
    return render(request, "kb/model_detail.html", {"model": model, "graph": _graph(request, model)})


def dataset_detail(request, slug):
    from kb.commercial_use import dataset_class
    from kb.ingest.dpi import SOURCE
    from kb.selectors import dataset_conflicts, dataset_generators

    dataset = get_object_or_404(kb.Dataset.objects.select_related("organization", "license").prefetch_related("other_licenses"), slug=slug)
    imported = dataset.imported_record or {}
    context = {
        "dataset": dataset,
        "graph": _graph(request, dataset),
        "license_class": dataset_class(dataset),
        "generators": dataset_generators(dataset),
        "dpi_records": imported.get("records", []) if imported.get("source") == SOURCE else [],
        "conflicts": dataset_conflicts(dataset),
    }
    return render(request, "kb/dataset_detail.html", context)


def dpi_conformance(request):
    from kb.ingest.dpi_conformance import REASONS, conformance

    report = conformance()
    reason = request.GET.get("reason", "")
    differences = [r for r in report.rows if not r.agrees and (not reason or r.reason == reason)]
    context = {
        "report": report,
        "total": len(report.rows),
        "percent": 100 * report.agree / len(report.rows) if report.rows else 0,
        "reasons": [{"key": k, "meaning": v, "count": report.reasons.get(k, 0)} for k, v in REASONS.items()],
        "classes": [
            {"name": c, "dpi": report.dpi_counts.get(c, 0), "provenant": report.provenant_counts.get(c, 0)}
            for c in ("commercial", "unspecified", "non-commercial", "academic-only", "unknown")
        ],
        "reason": reason,
        "differences": differences,
    }
    return render(request, "kb/dpi_conformance.html", context)


def _clauses_by_type(version):
    groups = {}
    for clause in version.clauses.all():
        groups.setdefault(clause.clause_type, []).append(clause)
    return [
        {"type": t, "label": vocabulary.CLAUSE_TYPES.get(t, (t,))[0], "clauses": groups[t]}
        for t in sorted(groups, key=lambda t: list(vocabulary.CLAUSE_TYPES).index(t) if t in vocabulary.CLAUSE_TYPES else 99)
    ]


def _versions_of(document):
    return document.versions.order_by("effective_from", "version")


def terms_list(request):
    documents = kb.TermsDocument.objects.select_related("publisher").annotate(version_count=Count("versions"))
    return _index(request, "kb/terms_list.html", documents, browse.TERMS)


def terms_detail(request, spdx_id):
    document = get_object_or_404(kb.TermsDocument.objects.select_related("publisher"), spdx_id=spdx_id)
    versions = list(document.versions.order_by("-effective_from").prefetch_related("clauses"))
    return render(
        request,
        "kb/terms_detail.html",
        {
            "document": document,
            "versions": [{"version": v, "groups": _clauses_by_type(v)} for v in versions],
            "document_versions": _versions_of(document),
            "old_pk": versions[-1].pk if versions else None,
            "new_pk": versions[0].pk if versions else None,
            "models": document.models_by_weights.all().union(document.models_by_service.all()).order_by("name"),
            "datasets": document.datasets.all(),
        },
    )


def terms_compare(request):
    def version(param):
        value = request.GET.get(param, "")
        if not value.isdigit():
            raise Http404(f"choose two versions to compare ({param} is missing)")
        return get_object_or_404(kb.TermsVersion.objects.select_related("document"), pk=int(value))

    old, new = version("old"), version("new")
    return render(
        request,
        "kb/terms_compare.html",
        {
            "old": old,
            "new": new,
            "same_document": old.document_id == new.document_id,
            "changes": compare_versions(old, new),
            "old_versions": _versions_of(old.document),
            "new_versions": _versions_of(new.document),
        },
    )


def provision_list(request):
    provisions = kb.Provision.objects.select_related("instrument", "instrument__jurisdiction")
    return _index(request, "kb/provision_list.html", provisions, browse.PROVISIONS)


def provision_detail(request, ref):
    provision = get_object_or_404(kb.Provision.objects.select_related("instrument", "instrument__jurisdiction"), ref=ref)
    roles = [{"key": r, "label": vocabulary.ROLES.get(r, r)} for r in provision.roles or []]
    return render(request, "kb/provision_detail.html", {"provision": provision, "instrument": provision.instrument, "roles": roles})
