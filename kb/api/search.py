"""GET /api/v1/search?q=…: the portal's search (kb.search, the one interface) as JSON."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from kb.search.base import search
from kb.search.query import FILTER_FIELDS, MAX_QUERY_CHARS, MAX_QUERY_TERMS, QueryError

MAX_PAGE_SIZE = 50

class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="model, dataset, terms, clause, provision, …")
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField(help_text="The portal page.")
    snippet_html = serializers.CharField(help_text="Escaped text with <mark> around the matched words.")
    score = serializers.FloatField()


class SearchFacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=SearchFacetValueSerializer(many=True), help_text="Facet name -> values, most frequent first.")
    suggestion = serializers.CharField(allow_blank=True, help_text='A "did you mean" query, or "".')


# The query language's filters, also accepted as query parameters (repeat one for OR within it):
# `?q=distillation&kind=clause&org=openai` searches `distillation kind:"clause" org:"openai"`.
FILTER_PARAMS = tuple(dict.fromkeys(FILTER_FIELDS.values()))  # the language's facets, without its aliases


def _with_filters(text, params):
    """The search text with each filter parameter appended in the query language's own syntax."""
    for name in FILTER_PARAMS:
        for value in params.getlist(name):
            value = value.strip()
            if not value or '"' in value:
                raise ValidationError({name: ['a value without double quotes, e.g. "model"']})
            text += f' {name}:"{value}"'
    return text


def _positive_int(params, name, default, maximum=None):
    raw = params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum and int(raw) > maximum):
        bound = f" up to {maximum}" if maximum else ""
        raise ValidationError({name: [f"must be a whole number from 1{bound}"]})
    return int(raw)


class SearchView(APIView):
    @extend_schema(
        summary="Search the knowledge base",
        description="Models, datasets, terms, clauses, provisions and rules, ranked. The query language is the portal's: words (all must "
        'match), "a phrase", OR, and filters such as kind:model kind:rule org:meta license:MIT jurisdiction:EU status:verified.',
        parameters=[
            OpenApiParameter(
                "q", str, required=True,
                description=f"The search text: at most {MAX_QUERY_CHARS} characters and {MAX_QUERY_TERMS} words or phrases (else a 400 on q).",
            ),
            *(
                OpenApiParameter(name, str, many=True, description=f"Same as {name}:VALUE in q; repeat for either value.")
                for name in FILTER_PARAMS
            ),
            OpenApiParameter("page", int, description="Page number (from 1)."),
            OpenApiParameter("page_size", int, description=f"Hits per page (1-{MAX_PAGE_SIZE}, default 10)."),
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        text = request.query_params.get("q", "").strip()
        if not text:
            raise ValidationError({"q": ["required: the text to search for"]})
        text = _with_filters(text, request.query_params)
        page = _positive_int(request.query_params, "page", 1)
        page_size = _positive_int(request.query_params, "page_size", 10, MAX_PAGE_SIZE)
        try:
            results = search(text, page=page, page_size=page_size)
        except QueryError as error:
            raise ValidationError({"q": [str(error)]}) from None
        if page > results.pages:
            raise NotFound(f"Invalid page: there are {results.pages} page(s).")
        here = request.build_absolute_uri()
        return Response(
            {
                "count": results.total,
                "next": replace_query_param(here, "page", page + 1) if results.has_next else None,
                "previous": (replace_query_param(here, "page", page - 1) if page > 2 else remove_query_param(here, "page"))
                if results.has_previous
                else None,
                "results": [
                    {"kind": h.kind, "title": h.title, "subtitle": h.subtitle, "url": request.build_absolute_uri(h.url),
                     "snippet_html": str(h.snippet), "score": h.score}
                    for h in results.hits
                ],  # fmt: skip
                "facets": {
                    name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]
                    for name, values in results.facets.items()
                },
                "suggestion": results.suggestion,
            }
        )
