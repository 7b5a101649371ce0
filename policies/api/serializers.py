from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb.api.serializers import MarkdownField
from policies import models as policies
from policies.api import openapi


class CheckSerializer(serializers.ModelSerializer):
    check_id = serializers.UUIDField(source="id", read_only=True)
    requester = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = policies.Check
        fields = ("check_id", "created_at", "channel", "requester", "as_of", "verdict", "summary", "policy_version", "input_hash")

    def get_summary(self, check) -> str:
        return (check.decision or {}).get("summary", "")


@extend_schema_field(openapi.WORKFLOW)
class WorkflowField(serializers.JSONField):
    pass


class CheckDetailSerializer(CheckSerializer):
    input = WorkflowField(read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta(CheckSerializer.Meta):
        fields = (*CheckSerializer.Meta.fields, "input", "decision")

    @extend_schema_field(openapi.DECISION)
    def get_decision(self, check):
        return {**check.decision, "check_id": str(check.id)}


class ClauseRefSerializer(serializers.Serializer):
    document = serializers.CharField(source="version.document.spdx_id")
    version = serializers.CharField(source="version.version")
    key = serializers.CharField()
    section = serializers.CharField()


class RuleSerializer(serializers.ModelSerializer):
    # The clauses and provisions of the version shown (policies.publishing.rules_as_seen_by).
    clauses = ClauseRefSerializer(many=True, read_only=True, source="cited_clauses")
    provisions = serializers.SerializerMethodField()
    description_html = MarkdownField("description")

    def get_provisions(self, rule) -> list[str]:
        return [provision.ref for provision in rule.cited_provisions]

    class Meta:
        model = policies.Rule
        fields = (
            "slug", "title", "effect", "description", "description_html", "scope", "condition", "message", "remedy",
            "clauses", "provisions", "effective_from", "effective_to", "enabled", "status",
        )  # fmt: skip
