"""Read-only knowledge-base endpoints, open to anonymous clients. Querysets prefetch what the
serializers read, so a page costs the same number of queries whatever its size."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kb import lineage
from kb import models as kb
from kb.api import filters, serializers

# Slugs, SPDX ids ("Apache-2.0", "LicenseRef-…") and provision refs contain dots, never slashes
# nor control characters (PostgreSQL cannot even compare text with a NUL in it).
ANY_SEGMENT = r"[^/\x00-\x1f]+"


class ListDetailViewSet(viewsets.ReadOnlyModelViewSet):
    """A list serializer and a richer detail serializer (rendered Markdown, nested children)."""

    detail_serializer_class = None
    lookup_value_regex = ANY_SEGMENT

    def get_serializer_class(self):
        if self.action == "list" or self.detail_serializer_class is None:
            return self.serializer_class
        return self.detail_serializer_class


def _lineage_response(subject, kind):
    ancestors, descendants = lineage.lineage(subject)
    data = {"subject": {"kind": kind, "slug": subject.slug, "name": subject.name}, "ancestors": ancestors, "descendants": descendants}
    return Response(serializers.LineageSerializer(data).data)


class AIModelViewSet(ListDetailViewSet):
    """AI models with their organization, access, terms (by SPDX id) and modalities."""

    queryset = kb.AIModel.objects.select_related("organization").prefetch_related("weights_terms", "service_terms")
    serializer_class = serializers.AIModelSerializer
    detail_serializer_class = serializers.AIModelDetailSerializer
    filterset_class = filters.AIModelFilter
    lookup_field = "slug"

    @extend_schema(responses=serializers.LineageSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def lineage(self, request, slug=None):
        """What the model was made from (ancestors) and what was made from it (descendants), nearest
        first, each edge with its relation, evidence and source."""
        return _lineage_response(self.get_object(), "model")


class DatasetViewSet(ListDetailViewSet):
    """Datasets, curated and imported (`imported_from`), with their licenses; filters as the portal's."""

    queryset = kb.Dataset.objects.select_related("organization", "license").prefetch_related("other_licenses")
    serializer_class = serializers.DatasetSerializer
    detail_serializer_class = serializers.DatasetDetailSerializer
    filterset_class = filters.DatasetFilter
    lookup_field = "slug"

    @extend_schema(responses=serializers.LineageSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def lineage(self, request, slug=None):
        """What the dataset was made from (e.g. the models that generated it) and what was trained on it."""
        return _lineage_response(self.get_object(), "dataset")


class TermsDocumentViewSet(ListDetailViewSet):
    """Licenses, service terms and usage policies, with their dated versions (and, in detail, clauses)."""

    serializer_class = serializers.TermsDocumentSerializer
    detail_serializer_class = serializers.TermsDocumentDetailSerializer
    filterset_class = filters.TermsDocumentFilter
    lookup_field = "spdx_id"

    def get_queryset(self):
        versions = kb.TermsVersion.objects.order_by("effective_from", "version")
        if self.action != "list":
            versions = versions.prefetch_related("clauses")
        return kb.TermsDocument.objects.select_related("publisher").prefetch_related(Prefetch("versions", queryset=versions))


class ProvisionViewSet(ListDetailViewSet):
    """Provisions of laws, guidance and codes of practice, each with its instrument and effective window."""

    queryset = kb.Provision.objects.select_related("instrument__jurisdiction")
    serializer_class = serializers.ProvisionSerializer
    detail_serializer_class = serializers.ProvisionDetailSerializer
    filterset_class = filters.ProvisionFilter
    lookup_field = "ref"


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = kb.Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT


class PingView(APIView):
    """The smallest authenticated endpoint: the framework's floor for bench/api.py."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: {"type": "object", "properties": {"user": {"type": "string"}}}})
    def get(self, request):
        return Response({"user": request.user.get_username()})


class ApiRootView(APIView):
    """Where to start: the schema, the interactive docs and the collections, as absolute links."""

    # Names under /api/v1/ (config/urls.py mounts kb's and policies' routes in one namespace).
    LINKS = {
        "docs": "api:docs", "redoc": "api:redoc", "schema": "api:schema",
        "models": "api:model-list", "datasets": "api:dataset-list", "terms": "api:terms-list", "provisions": "api:provision-list",
        "organizations": "api:organization-list", "rules": "api:rule-list", "search": "api:search", "checks": "api:check-list",
    }

    @extend_schema(responses={200: {"type": "object", "properties": {
        "name": {"type": "string"}, "notice": {"type": "string"}, "links": {"type": "object", "additionalProperties": {"type": "string"}},
    }}})
    def get(self, request):
        return Response({
            "name": "Provenant API v1",
            "notice": "Not legal advice. Checks (POST checks) need a token: Authorization: Token <key>.",
            "links": {name: reverse(url_name, request=request) for name, url_name in self.LINKS.items()},
        })
