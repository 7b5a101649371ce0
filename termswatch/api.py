"""API: re-deciding after a clause changed (staff only: it reads every user's logged checks)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from kb.models import LicenseClause
from termswatch import redecide


def report_json(report):
    clause = report.clause
    return {
        "clause": {"document": clause.version.document.spdx_id, "version": clause.version.version, "key": clause.key},
        "days": report.days,
        "checked": report.checked,
        "differences": [{"field": name, "before": str(before), "now": str(now)} for name, before, now in report.differences],
        "relying": [
            {
                "check_id": r.check_id, "created_at": r.created_at.isoformat(), "as_of": str(r.as_of), "logged_verdict": r.stored,
                "verdict_before_change": r.before, "verdict_now": r.after, "changes": r.changes, "invalid": r.invalid or None,
            }
            for r in report.relying
        ],
    }


@extend_schema(
    summary="Checks that relied on a clause, and which would get another verdict since it changed (staff)",
    parameters=[OpenApiParameter("days", int, description=f"Window of logged checks (default {redecide.WINDOW_DAYS})")],
    responses={200: dict},
)
@api_view(["GET"])
@permission_classes([permissions.IsAdminUser])
def clause_redecide(request, spdx_id, version, key):
    clause = get_object_or_404(LicenseClause.objects.select_related("version__document"), version__document__spdx_id=spdx_id, version__version=version, key=key)
    try:
        days = int(request.query_params.get("days", redecide.WINDOW_DAYS))
    except ValueError:
        raise ValidationError({"days": "a whole number of days"}) from None
    if not 1 <= days <= 366:
        raise ValidationError({"days": "between 1 and 366"})
    return Response(report_json(redecide.redecide(clause, days=days)))
