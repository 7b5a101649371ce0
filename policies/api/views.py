"""The checks endpoints: a workflow in, the engine's decision out, logged with who asked.

Thin on purpose: `policies.services.decide_and_record` (and its batch form) validates, decides and
logs, as for the CLI and the portal; `policies.api.services` holds what only the API needs.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_body
from kb import models as kb
from kb.api.views import ANY_SEGMENT
from policies import access
from policies import models as policies
from policies.api import openapi, serializers, services
from policies.api.filters import CheckFilter, RuleFilter
from policies.api.negotiation import ExportNegotiation
from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError, parse_batch, parse_replay_options, split_check_options
from policies.exports.documents import (
    AIBOM_FORMATS,
    EXPORTS,
    MODEL_EXPORTS,
    SUMMARY_FORMATS,
    UnknownExport,
    build_export,
    build_model_export,
    content_type,
    export_name,
    filename,
    serialize,
)
from policies.publishing import may_see_drafts, rules_as_seen_by
from policies.services import BatchError, decide_and_record, decide_and_record_batch

EXAMPLE_WORKFLOW = {
    "name": "Distil GPT-4o into a support bot",
    "as_of": "2026-11-28",
    "student": {"name": "acme-support-7b", "base_model": "Qwen/Qwen2.5-7B-Instruct", "purpose": "commercial", "release": "open_weights",
                "competes_with_teachers": True, "license": "Apache-2.0"},
    "teachers": [{"model": "gpt-4o", "signal": "outputs", "access": "api"}],
    "deployment": {"jurisdictions": ["EU", "US-CA"]},
}  # fmt: skip


def _export_response(document, name, stem):
    response = HttpResponse(serialize(document), content_type=content_type(name))
    response["Content-Disposition"] = f'attachment; filename="{filename(name=name, check_id=stem)}"'
    return response


def _invalid(exc):
    return ValidationError({exc.path or "non_field_errors": [exc.message]})


def _decide(workflow, as_of=None, counterfactuals=False):
    try:
        return evaluate_workflow(workflow, as_of=as_of, counterfactuals=counterfactuals)
    except WorkflowError as exc:
        raise _invalid(exc) from None


def _decide_and_record(request, workflow, counterfactuals=False):
    try:
        return decide_and_record(workflow, channel=policies.Check.Channel.API, requester=request.user, counterfactuals=counterfactuals)
    except WorkflowError as exc:
        raise _invalid(exc) from None


@extend_schema_view(
    list=extend_schema(summary="Your checks (with the policies.view_check permission: everyone's), newest first"),
    retrieve=extend_schema(summary="One check: its input and decision (its owner, or with the policies.view_check permission)"),
)
class CheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = serializers.CheckSerializer
    filterset_class = CheckFilter
    lookup_value_regex = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return policies.Check.objects.none()
        if self.action == "list":
            return access.visible_checks(self.request.user)
        return policies.Check.objects.select_related("requester")

    def get_serializer_class(self):
        return serializers.CheckDetailSerializer if self.action != "list" else serializers.CheckSerializer

    def get_object(self):
        check = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        if not access.may_view(self.request.user, check):  # who may see a check: policies.access
            raise PermissionDenied("This check was made by another user.")
        return check

    @extend_schema(
        summary="Check a workflow",
        description="Validates the workflow, decides with today's rules and knowledge base, logs the decision and returns it with its check_id. "
        "A rejected workflow is logged nowhere. With `\"counterfactuals\": true` beside the workflow, the decision also lists what would "
        "make it allowed: the smallest changes, each verified by the engine, with the verdict they get.",
        request={"application/json": openapi.CHECK_REQUEST},
        responses={201: OpenApiResponse(openapi.DECISION, description="The decision, logged.")},
        examples=[OpenApiExample("distillation", value=EXAMPLE_WORKFLOW, request_only=True)],
    )
    def create(self, request):
        try:
            workflow, options = split_check_options(request.data)
        except WorkflowError as exc:
            raise _invalid(exc) from None
        _decision, check = _decide_and_record(request, workflow, options["counterfactuals"])
        return Response(check.decision, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Check up to 100 workflows at once",
        description="All or nothing: if any workflow is invalid, none is logged and every error names its index (workflows[3].student.purpose).",
        request={"application/json": openapi.BATCH_REQUEST},
        responses={201: OpenApiResponse(openapi.BATCH_RESPONSE, description="One decision per workflow, in order, each logged.")},
        filters=False,
    )
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def batch(self, request):
        try:
            workflows = parse_batch(request.data)
        except WorkflowError as exc:
            raise _invalid(exc) from None
        try:
            _decisions, checks = decide_and_record_batch(workflows, channel=policies.Check.Channel.API, requester=request.user)
        except BatchError as exc:
            return Response(error_body(services.batch_errors(exc)), status=status.HTTP_400_BAD_REQUEST)
        return Response({"results": [check.decision for check in checks]}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Re-evaluate a stored check with today's rules",
        description="Decides the stored input again with the current rules and knowledge base (read on the stored as_of unless the body "
        "says otherwise) and shows which findings were added, removed or changed. The replay is not logged.",
        request={"application/json": openapi.REPLAY_REQUEST},
        responses={200: OpenApiResponse(openapi.REPLAY_RESPONSE)},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def replay(self, request, pk=None):
        check = self.get_object()
        try:
            as_of = parse_replay_options(request.data)
        except WorkflowError as exc:
            raise _invalid(exc) from None
        after = _decide(check.input, as_of=services.replay_as_of(check, as_of)).to_json()
        before = check.decision
        return Response(
            {
                "check_id": str(check.id),
                "before": before,
                "after": after,
                "verdict_changed": before["verdict"] != after["verdict"],
                **services.diff_findings(before, after),
                "registry_changes": services.diff_registry_records(before, after),
            }
        )

    @extend_schema(
        summary="What would make a stored check allowed",
        description="Searches for the smallest changes to the stored workflow that give a better verdict (another teacher of the same "
        "role and comparable size, dropping or replacing a dataset, another release mode, leaving a jurisdiction, stating a missing "
        "fact), each verified by running the engine, with today's rules on the check's own as_of. Who may read the check may ask. "
        "Nothing is logged.",
        request=None,
        responses={200: OpenApiResponse(openapi.COUNTERFACTUALS_RESPONSE)},
        filters=False,
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def counterfactuals(self, request, pk=None):
        check = self.get_object()
        decision = _decide(check.input, as_of=services.replay_as_of(check, None), counterfactuals=True)
        return Response({"check_id": str(check.id), "as_of": decision.as_of, "verdict": decision.verdict,
                         "policy_version": decision.policy_version, "counterfactuals": decision.counterfactuals})

    def _export(self, name_for):
        """The check's export whose name `name_for(format parameter)` picks; one path for every export endpoint."""
        check = self.get_object()
        try:
            name = name_for(self.request.query_params.get("format"))
        except UnknownExport as exc:
            field, _, message = str(exc).partition(": ")
            raise ValidationError({field: [message]}) from None
        return _export_response(build_export(name=name, workflow=check.input, decision=check.decision), name, check.pk)

    @extend_schema(
        summary="A check's AI bill of materials: CycloneDX 1.6 ML-BOM or SPDX 3.0.1 (AI and Dataset profiles)",
        description="`format`: `cyclonedx` (default, CycloneDX 1.6 JSON) or `spdx` (SPDX 3.0.1 JSON-LD). The student, its base and "
        "lineage, teachers and datasets with their licences and relations, and the decision (verdict, policy_version, check_id, "
        "obligations). Built from the stored input and decision with today's knowledge base; who may see the check may export it.",
        parameters=[openapi.AIBOM_FORMAT],
        responses={(200, EXPORTS[n].media_type): OpenApiResponse(OpenApiTypes.OBJECT, description=EXPORTS[n].label) for n in AIBOM_FORMATS.values()},
        filters=False,
    )
    @action(detail=True, methods=["get"], content_negotiation_class=ExportNegotiation, filterset_class=None, pagination_class=None)
    def aibom(self, request, pk=None):
        return self._export(lambda value: export_name(choices=AIBOM_FORMATS, value=value or "cyclonedx"))

    @extend_schema(
        summary="A check's EU training-content summary draft (AI Act Art. 53(1)(d))",
        description="Follows the sections of the Commission's template (July 2025), prefilled from the workflow and the knowledge "
        "base; every field the provider must fill is marked. `format`: `markdown` (default), `json` or `html` (print to PDF).",
        parameters=[openapi.SUMMARY_FORMAT],
        responses={(200, EXPORTS[n].media_type): OpenApiResponse(OpenApiTypes.OBJECT if n == "eu-summary-json" else OpenApiTypes.STR,
                                                                 description=EXPORTS[n].label) for n in SUMMARY_FORMATS.values()},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="eu-training-summary", content_negotiation_class=ExportNegotiation,
            filterset_class=None, pagination_class=None)
    def eu_training_summary(self, request, pk=None):
        return self._export(lambda value: export_name(choices=SUMMARY_FORMATS, value=value or "markdown"))

    @extend_schema(
        summary="A check's obligations pack (zip)",
        description="The notices and texts the obligations require, ready to ship: OBLIGATIONS.md, ATTRIBUTION.md (e.g. \"Built with "
        "Llama\", naming), NOTICE, USE-RESTRICTIONS.md (use policies to pass on), LICENSES.md (licences and where their texts "
        "are: the knowledge base stores none) and pack.json. Every text is a quote the knowledge base recorded, with its source.",
        parameters=[],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description=EXPORTS["obligations-pack"].label)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="obligations-pack", content_negotiation_class=ExportNegotiation,
            filterset_class=None, pagination_class=None)
    def obligations_pack(self, request, pk=None):
        return self._export(lambda _value: "obligations-pack")

    @extend_schema(
        summary="Any export of a check by its name (older form of aibom, eu-training-summary and obligations-pack)",
        description="`format` names the document: " + "; ".join(f"`{e.name}`: {e.label}" for e in EXPORTS.values())
        + ". Kept for existing clients; the same documents as the endpoints named after them.",
        parameters=[openapi.EXPORT_FORMAT],
        responses={(200, e.media_type): OpenApiResponse(
            OpenApiTypes.BINARY if e.media_type == "application/zip" else OpenApiTypes.STR if e.media_type.startswith("text/") else OpenApiTypes.OBJECT,
            description=e.label) for e in EXPORTS.values()},
        filters=False,
        deprecated=True,
    )
    @action(detail=True, methods=["get"], content_negotiation_class=ExportNegotiation, filterset_class=None, pagination_class=None)
    def bom(self, request, pk=None):
        return self._export(lambda value: export_name(choices={n: n for n in EXPORTS}, value=value or "cyclonedx"))

    @extend_schema(
        summary="Share a check with a link (owner only), or stop sharing it",
        description="POST creates the check's share link (or returns the existing one): anyone with it can read the check, input "
        "included, in the portal. DELETE revokes it. Only the check's owner may do either.",
        request=None,
        responses={200: OpenApiResponse(description='{"share_url": "https://…/checks/{id}?share=…"}'), 204: OpenApiResponse(description="Revoked.")},
        filters=False,
    )
    @action(detail=True, methods=["post", "delete"], filterset_class=None, pagination_class=None)
    def share(self, request, pk=None):
        check = self.get_object()
        if not access.is_owner(request.user, check):
            raise PermissionDenied("Only the check's owner may share it.")
        if request.method == "DELETE":
            access.unshare(check)
            return Response(status=status.HTTP_204_NO_CONTENT)
        token = access.share(check, request.user)
        return Response({"share_url": request.build_absolute_uri(f"{reverse('policies:check', args=[check.pk])}?share={token}")})


class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The rules the engine applies (read-only), with the clauses and provisions each rests on.

    Editors see pending drafts; everyone else sees each rule as last published (`rules_as_seen_by`).
    """

    serializer_class = serializers.RuleSerializer
    filterset_class = RuleFilter
    lookup_field = "slug"
    lookup_value_regex = ANY_SEGMENT
    queryset = policies.Rule.objects.prefetch_related(
        Prefetch("clauses", queryset=kb.LicenseClause.objects.select_related("version__document")),
        Prefetch("provisions", queryset=kb.Provision.objects.only("id", "ref")),
    )

    def list(self, request, *args, **kwargs):
        if may_see_drafts(request.user):
            rules = rules_as_seen_by(request.user, self.filter_queryset(self.get_queryset()))
        else:
            # Filter the published versions, not the rows: a draft's values must not decide what a reader sees.
            filters = self.filterset_class(request.GET, queryset=self.get_queryset())
            if not filters.is_valid():
                raise ValidationError(filters.errors)
            wanted = {name: value for name, value in filters.form.cleaned_data.items() if value not in (None, "")}
            rules = [rule for rule in rules_as_seen_by(request.user, self.get_queryset())
                     if all(getattr(rule, name) == value for name, value in wanted.items())]
        page = self.paginate_queryset(rules)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        seen = rules_as_seen_by(self.request.user, [super().get_object()])
        if not seen:
            raise NotFound("No rule matches the given query.")  # a draft never published: there is nothing to show yet
        return seen[0]


@extend_schema(
    summary="A knowledge-base model's AI bill of materials: CycloneDX 1.6 or SPDX 3.0.1",
    description="The model with its known lineage (weights it derives from, teachers, datasets and their generators), each with "
    "its licence and the knowledge base's evidence. `format`: `cyclonedx` (default) or `spdx`. Open to anonymous clients, "
    "like the model itself.",
    parameters=[openapi.AIBOM_FORMAT],
    responses={(200, EXPORTS[n].media_type): OpenApiResponse(OpenApiTypes.OBJECT, description=EXPORTS[n].label) for n in MODEL_EXPORTS},
    filters=False,
)
class ModelAIBomView(APIView):
    permission_classes = [permissions.AllowAny]
    content_negotiation_class = ExportNegotiation

    def get(self, request, slug):
        model = get_object_or_404(kb.AIModel, slug=slug)
        try:
            name = export_name(choices=AIBOM_FORMATS, value=request.query_params.get("format") or "cyclonedx")
        except UnknownExport as exc:
            raise ValidationError({"format": [str(exc).removeprefix("format: ")]}) from None
        return _export_response(build_model_export(name=name, model=model), name, f"model-{model.slug}")
