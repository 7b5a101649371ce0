"""The drift report page (/drift/), its CSV download, and GET /api/v1/drift: thin views over
audit.selectors (the audit itself runs in `manage.py audit_lineage`)."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import selectors
from audit.models import AuditResult
from policies.audit import KINDS

CSV_COLUMNS = ("model", "source", "declared_license", "kind", "rule", "ancestor", "licensor", "terms", "relation", "path", "evidence", "fix", "citation_url", "policy_version", "audited_at")
PAGE_LIMIT = 500


class DriftParams(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS, required=False)
    source = serializers.ChoiceField(choices=AuditResult.Source.values, required=False)
    licensor = serializers.CharField(required=False, max_length=200)
    relation = serializers.CharField(required=False, max_length=30)
    terms = serializers.CharField(required=False, max_length=100)
    model = serializers.CharField(required=False, max_length=200)
    format = serializers.ChoiceField(choices=["html", "csv"], required=False)


def _filters(params):
    form = DriftParams(data=params)
    return (form.validated_data, {}) if form.is_valid() else ({}, form.errors)


def report(request):
    filters, errors = _filters(request.GET)
    rows = selectors.conflict_rows(filters=filters)
    if filters.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="license-drift.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            flat = {**row, "path": " > ".join(row["path"]), "evidence": " > ".join(row["evidence"]), "citation_url": (row["citation"] or {}).get("url", "")}
            writer.writerow([flat[c] for c in CSV_COLUMNS])
        return response
    everything = selectors.conflict_rows()
    context = {
        "rows": rows[:PAGE_LIMIT], "total": len(rows), "shown_limit": PAGE_LIMIT, "counts": selectors.counts(rows),
        "filters": filters, "errors": errors, "kinds": KINDS, "sources": AuditResult.Source.choices,
        "licensors": sorted({r["licensor"] for r in everything}), "relations": sorted({r["relation"] for r in everything}),
        "audited": AuditResult.objects.count(), "last": AuditResult.objects.order_by("-audited_at").values_list("audited_at", "policy_version").first(),
        "query": request.GET.urlencode(),
    }
    return render(request, "audit/report.html", context)


class DriftList(APIView):
    """Stored license drift conflicts (one row per conflict), filtered by kind, source, licensor,
    relation, terms (SPDX id) or model (part of its name)."""

    @extend_schema(parameters=[DriftParams], responses=OpenApiTypes.OBJECT, summary="License drift conflicts, with counts")
    def get(self, request):
        form = DriftParams(data=request.query_params)
        form.is_valid(raise_exception=True)
        rows = selectors.conflict_rows(filters=form.validated_data)
        return Response({"count": len(rows), "counts": {k: dict(v) for k, v in selectors.counts(rows).items()}, "results": rows})


api_urlpatterns = [path("drift", DriftList.as_view(), name="drift")]
