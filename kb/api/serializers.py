"""Read-only representations of the knowledge base. Every fact keeps its source, date and verification."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb import models as kb
from kb.markdown import render_markdown

SOURCED_FIELDS = ("source_url", "checked_on", "verification", "notes")


class MarkdownField(serializers.Field):
    """The HTML rendering of a Markdown attribute (the one renderer, kb.markdown)."""

    def __init__(self, source_attr, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.source_attr = source_attr

    def to_representation(self, obj):
        return str(render_markdown(getattr(obj, self.source_attr)))


MarkdownField = extend_schema_field(OpenApiTypes.STR)(MarkdownField)


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = kb.Organization
        fields = ("slug", "name")


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = kb.Organization
        fields = ("slug", "name", "country", "url")


class AIModelSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True)
    weights_terms = serializers.SlugRelatedField(slug_field="spdx_id", many=True, read_only=True)
    service_terms = serializers.SlugRelatedField(slug_field="spdx_id", many=True, read_only=True)

    class Meta:
        model = kb.AIModel
        fields = (
            "slug", "name", "aliases", "hf_id", "organization", "release_date", "access",
            "weights_terms", "weights_terms_unknown", "service_terms", "service_terms_unknown",
            "parameter_count", "parameter_count_basis", "training_compute_flop", "training_compute_source", "modalities",
            "description", *SOURCED_FIELDS,
        )  # fmt: skip


class AIModelDetailSerializer(AIModelSerializer):
    description_html = MarkdownField("description")
    notes_html = MarkdownField("notes")

    class Meta(AIModelSerializer.Meta):
        fields = (*AIModelSerializer.Meta.fields, "description_html", "notes_html")


class DatasetSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    license = serializers.SlugRelatedField(
        slug_field="spdx_id", read_only=True, allow_null=True, help_text="SPDX id or LicenseRef; null = unknown."
    )

    other_licenses = serializers.SlugRelatedField(
        slug_field="spdx_id", many=True, read_only=True, help_text="Further licenses that apply together with `license`."
    )

    class Meta:
        model = kb.Dataset
        fields = (
            "slug", "name", "aliases", "hf_id", "organization", "license", "other_licenses", "license_expression",
            "licenses_unmapped", "origin", "description", "imported_from", *SOURCED_FIELDS,
        )


class DatasetDetailSerializer(DatasetSerializer):
    description_html = MarkdownField("description")
    notes_html = MarkdownField("notes")
    license_class = serializers.SerializerMethodField(help_text="Provenant's commercial-use class and what decides it.")
    provenance = serializers.SerializerMethodField(help_text="The imported records (with their source's credit), if any.")
    conflicts = serializers.SerializerMethodField(help_text="Where a curated dataset and its imported records differ; the curated value is used.")

    class Meta(DatasetSerializer.Meta):
        fields = (*DatasetSerializer.Meta.fields, "description_html", "notes_html", "license_class", "provenance", "conflicts")

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_license_class(self, obj):
        from kb.commercial_use import dataset_class

        found = dataset_class(obj)
        return {"class": found.use, "basis": found.basis, "unmapped": list(found.unmapped)}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_provenance(self, obj):
        from kb.ingest.dpi import CREDIT, SOURCE

        imported = obj.imported_record or {}
        if imported.get("source") != SOURCE:
            return None
        return {"source": SOURCE, "credit": CREDIT, "records": imported.get("records", [])}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_conflicts(self, obj):
        from kb.selectors import dataset_conflicts

        return dataset_conflicts(obj)


class LicenseClauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = kb.LicenseClause
        fields = ("key", "section", "heading", "clause_type", "quote", "summary", "parameters", *SOURCED_FIELDS)


class TermsVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = kb.TermsVersion
        fields = ("version", "effective_from", "effective_to", "url", "summary", *SOURCED_FIELDS)


class TermsVersionDetailSerializer(TermsVersionSerializer):
    clauses = LicenseClauseSerializer(many=True, read_only=True)

    class Meta(TermsVersionSerializer.Meta):
        fields = (*TermsVersionSerializer.Meta.fields, "clauses")


class TermsDocumentSerializer(serializers.ModelSerializer):
    publisher = OrganizationRefSerializer(read_only=True, allow_null=True)
    is_contract = serializers.BooleanField(read_only=True, help_text="Service terms or a usage policy: binds whoever accepted it.")
    versions = TermsVersionSerializer(many=True, read_only=True)

    class Meta:
        model = kb.TermsDocument
        fields = ("spdx_id", "name", "kind", "is_contract", "publisher", "url", "summary", "free_and_open_source", "versions")


class TermsDocumentDetailSerializer(TermsDocumentSerializer):
    versions = TermsVersionDetailSerializer(many=True, read_only=True)
    summary_html = MarkdownField("summary")

    class Meta(TermsDocumentSerializer.Meta):
        fields = (*TermsDocumentSerializer.Meta.fields, "summary_html")


class InstrumentRefSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = kb.Instrument
        fields = ("slug", "short_name", "title", "kind", "jurisdiction", "binding", "url")


class ProvisionSerializer(serializers.ModelSerializer):
    instrument = InstrumentRefSerializer(read_only=True)

    class Meta:
        model = kb.Provision
        fields = (
            "ref", "instrument", "article", "title", "summary", "quote", "roles", "url",
            "effective_from", "effective_to", *SOURCED_FIELDS,
        )  # fmt: skip


class ProvisionDetailSerializer(ProvisionSerializer):
    summary_html = MarkdownField("summary")

    class Meta(ProvisionSerializer.Meta):
        fields = (*ProvisionSerializer.Meta.fields, "summary_html")


class LineageNodeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["model", "dataset"])
    slug = serializers.CharField()
    name = serializers.CharField()


def _node(edge, end):
    model, dataset = getattr(edge, f"{end}_model"), getattr(edge, f"{end}_dataset")
    target = model or dataset
    return {"kind": "model" if model else "dataset", "slug": target.slug, "name": target.name}


class LineageStepSerializer(serializers.Serializer):
    """One edge on the walk: `child` was made from `parent` by `relation`, according to the source."""

    depth = serializers.IntegerField(help_text="1 = a direct parent (ancestors) or child (descendants).")
    relation = serializers.ChoiceField(choices=kb.LineageEdge.Relation.choices, source="edge.relation")
    child = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField()
    evidence_kind = serializers.ChoiceField(choices=kb.LineageEdge.EvidenceKind.choices, source="edge.evidence_kind")
    evidence = serializers.CharField(source="edge.evidence")
    source_url = serializers.URLField(source="edge.source_url")
    checked_on = serializers.DateField(source="edge.checked_on")
    verification = serializers.ChoiceField(choices=kb.Verification.choices, source="edge.verification")

    @extend_schema_field(LineageNodeSerializer)
    def get_child(self, step):
        return _node(step.edge, "child")

    @extend_schema_field(LineageNodeSerializer)
    def get_parent(self, step):
        return _node(step.edge, "parent")


class LineageSerializer(serializers.Serializer):
    subject = LineageNodeSerializer()
    ancestors = LineageStepSerializer(many=True)
    descendants = LineageStepSerializer(many=True)
