"""/api/v1/registry/…: Hugging Face Hub models as their uploaders declare them, read-only.

Every model carries `evidence: "declared"` (the uploader's card, cited at its commit) and every
lineage edge its own grade (`declared`, or `inferred` from the repository's name, with the pattern).
A model that the curated knowledge base also has names that record (`curated`) and the fields where
the card disagrees with it (`conflicts`): curated facts win, disagreements are shown, never merged.
"""

import re

from django.urls import path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from registry import selectors
from registry.licenses import load_mapping
from registry.models import Relation

NO_CONTROL = re.compile(r"^[^\x00-\x1f]*$")
REPO_ID = r"[^/\x00-\x1f]+(?:/[^/\x00-\x1f]+)?"


def _text(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=200, **kwargs)


class ListParams(serializers.Serializer):
    q = _text(help_text="A repo id or part of one: the exact match first, then prefix matches, then similar ones (at most `limit`).")
    author = _text(help_text="Only this Hub user's or organization's models.")
    after = _text(help_text="Keyset paging: models whose lower-case repo id sorts after this one (the `next` link sets it).")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    def validate(self, attrs):
        for name in ("q", "author", "after"):
            if not NO_CONTROL.match(attrs.get(name, "")):
                raise serializers.ValidationError({name: ["no control characters"]})
        return attrs


class ChildrenParams(serializers.Serializer):
    relation = serializers.ChoiceField(choices=Relation.values)
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)


class HubModelSerializer(serializers.Serializer):
    repo_id = serializers.CharField()
    author = serializers.CharField(allow_blank=True)
    license = serializers.CharField(allow_blank=True, help_text='The Hub license id the card declares ("other": see license_name).')
    license_name = serializers.CharField(allow_blank=True)
    license_link = serializers.CharField(allow_blank=True)
    pipeline_tag = serializers.CharField(allow_blank=True)
    gated = serializers.CharField(allow_blank=True, help_text='"" (not gated), "auto" or "manual".')
    downloads = serializers.IntegerField()
    sha = serializers.CharField(allow_blank=True, help_text="The commit the card was read at.")
    card_url = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField(help_text='Always "declared": the uploader\'s word, not checked by Provenant.')

    def get_card_url(self, obj) -> str:
        repo_id, sha = (obj["repo_id"], obj["sha"]) if isinstance(obj, dict) else (obj.repo_id, obj.sha)
        return f"https://huggingface.co/{repo_id}/blob/{sha}/README.md" if sha else f"https://huggingface.co/{repo_id}"

    def get_evidence(self, obj) -> str:
        return "declared"


class HubEdgeSerializer(serializers.Serializer):
    parent_repo_id = serializers.CharField()
    parent_key = serializers.CharField()
    relation = serializers.ChoiceField(choices=Relation.values)
    evidence = serializers.CharField(help_text='"declared" (the card\'s base_model) or "inferred" (from the repo name).')
    relation_basis = serializers.CharField(help_text='"card", "hub_rule" or "name": how the relation was found.')
    pattern = serializers.CharField(allow_blank=True, help_text="For inferred edges, the name pattern that matched.")


class LineageEdgeSerializer(HubEdgeSerializer):
    child = serializers.CharField(help_text="The lower-case repo id of the model this edge is a parent of.")
    depth = serializers.IntegerField(help_text="1 for a parent of a model asked about, 2 for a grandparent, …")


class ConflictSerializer(serializers.Serializer):
    field = serializers.CharField()
    declared = serializers.CharField()
    curated = serializers.CharField()


class CuratedSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    verification = serializers.CharField()


class FamilySerializer(serializers.Serializer):
    children = serializers.DictField(child=serializers.IntegerField(), help_text="Relation -> models naming this one as their parent.")
    descendants = serializers.DictField(child=serializers.IntegerField(), help_text="Relation -> every model below, to depth 8.")
    counted_at = serializers.DateTimeField(
        allow_null=True, help_text="For a large family head: when the import last counted its descendants; null: counted now."
    )


class HubModelDetailSerializer(HubModelSerializer):
    library_name = serializers.CharField(allow_blank=True)
    datasets = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField(allow_null=True)
    last_modified = serializers.DateTimeField(allow_null=True)
    imported_at = serializers.DateTimeField()
    terms = serializers.CharField(allow_null=True, help_text="The knowledge base's terms document the declared license designates, or null.")
    terms_reason = serializers.CharField()
    parents = HubEdgeSerializer(many=True)
    family = FamilySerializer()
    curated = CuratedSerializer(allow_null=True, help_text="The curated record for the same Hugging Face id; its facts win.")
    conflicts = ConflictSerializer(many=True)


class HubModelPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    results = HubModelSerializer(many=True)


class ChildrenPageSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    items = serializers.ListField(child=serializers.DictField())


class RegistryLineageSerializer(serializers.Serializer):
    edges = LineageEdgeSerializer(many=True)
    models = serializers.DictField(child=serializers.DictField(), help_text="Lower-case repo id -> the registry's row, for every model reached.")


def _found(repo_id):
    found = selectors.lookup(repo_id)
    if found is None:
        raise NotFound(f"{repo_id} is not in the registry")
    return found


class HubModelList(APIView):
    @extend_schema(parameters=[ListParams], responses=HubModelPageSerializer, summary="Hub models in the registry", operation_id="registry_models_list")
    def get(self, request):
        """Registry models: those matching `q` (exact, prefix, similar), or all of them (or an author's)
        in repo-id order, a page at a time with keyset paging."""
        params = ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        p = params.validated_data
        if p.get("q", "").strip():
            rows, after = selectors.search(p["q"], limit=p["limit"]), None
        else:
            rows = selectors.page_after(after=p.get("after", ""), author=p.get("author", ""), limit=p["limit"])
            after = rows[-1].repo_key if len(rows) == p["limit"] else None
        next_url = replace_query_param(request.build_absolute_uri(), "after", after) if after else None
        return Response(HubModelPageSerializer({"next": next_url, "results": rows}).data)


class HubModelDetail(APIView):
    @extend_schema(responses=HubModelDetailSerializer, summary="One Hub model, as declared, beside the curated record")
    def get(self, request, repo_id):
        found = _found(repo_id)
        model = found["model"]
        comparison = selectors.curated_comparison(model, load_mapping())
        data = {
            **{f: getattr(model, f) for f in ("repo_id", "author", "license", "license_name", "license_link", "pipeline_tag", "gated",
                                              "downloads", "sha", "library_name", "datasets", "created_at", "last_modified", "imported_at")},
            "terms": comparison["declared_terms"][0],
            "terms_reason": comparison["declared_terms"][1],
            "parents": found["parents"],
            "family": selectors.family_counts(model.repo_key),
            "curated": comparison["curated"],
            "conflicts": comparison["conflicts"],
        }
        return Response(HubModelDetailSerializer(data).data)


class HubModelLineage(APIView):
    @extend_schema(responses=RegistryLineageSerializer, summary="Every ancestor the registry knows, nearest first")
    def get(self, request, repo_id):
        found = _found(repo_id)
        return Response(RegistryLineageSerializer(selectors.ancestors([found["model"].repo_key])).data)


class HubModelChildren(APIView):
    @extend_schema(parameters=[ChildrenParams], responses=ChildrenPageSerializer, summary="A page of a model's children by relation")
    def get(self, request, repo_id):
        found = _found(repo_id)
        params = ChildrenParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = selectors.children(found["model"].repo_key, params.validated_data["relation"], page=params.validated_data["page"])
        return Response(ChildrenPageSerializer(page).data)


# The repo id is one or two path segments; lineage and children are suffixes after a "~" segment so
# that no repo id ("org/lineage" is a valid one) can be mistaken for them.
urlpatterns = [
    path("registry/models", HubModelList.as_view(), name="registry-models"),
    re_path(rf"^registry/models/(?P<repo_id>{REPO_ID})/~/lineage$", HubModelLineage.as_view(), name="registry-model-lineage"),
    re_path(rf"^registry/models/(?P<repo_id>{REPO_ID})/~/children$", HubModelChildren.as_view(), name="registry-model-children"),
    re_path(rf"^registry/models/(?P<repo_id>{REPO_ID})$", HubModelDetail.as_view(), name="registry-model"),
]
