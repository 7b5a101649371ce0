"""Portal pages of the registry: a Hub model as its uploader declared it (and the curated record, if
any, with the disagreements), a family head's counts per relation with a page of children, and the
suggestions the check form and the search page ask for."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from registry import selectors
from registry.licenses import load_mapping
from registry.models import Relation

SUGGESTIONS = 10


def model_detail(request, repo_id):
    found = selectors.lookup(repo_id)
    if found is None:
        raise Http404(f"{repo_id} is not in the registry")
    model = found["model"]
    relation = request.GET.get("relation", "")
    counts = selectors.family_counts(model.repo_key)
    context = {
        "model": model,
        "parents": found["parents"],
        "family": [(value, label, counts["children"][value], counts["descendants"][value]) for value, label in Relation.choices],
        "counted_at": counts["counted_at"],
        "comparison": selectors.curated_comparison(model, load_mapping()),
        "relation": relation if relation in Relation.values else "",
    }
    if context["relation"]:
        children = selectors.children(model.repo_key, relation, page=_page(request))
        context["children"] = children
        context["children_start"] = (children["page"] - 1) * selectors.PAGE_SIZE + 1
    return render(request, "registry/model_detail.html", context)


def suggest(request):
    """Repo ids for a text, as JSON: the exact match, then prefix matches, then similar ones."""
    text = request.GET.get("q", "").strip()[:200]
    found = selectors.search(text, limit=SUGGESTIONS) if len(text) >= 2 else []
    return JsonResponse({"q": text, "models": [{"repo_id": r["repo_id"], "license": r["license"]} for r in found]})


def _page(request):
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
