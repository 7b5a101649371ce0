"""Portal pages of the policies app: the rules and the check form (thin over the engine)."""

import json

from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kb import models as kb
from policies import access
from policies.engine import snapshot as snapshots
from policies.engine.counterfactuals import apply_changes
from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError
from policies.exports.documents import EXPORTS, build_export, content_type, filename, serialize
from policies.forms import CheckForm
from policies.models import Check, Rule
from policies.publishing import rules_as_seen_by
from policies.services import decide_and_record


def rules_list(request):
    rules = rules_as_seen_by(request.user, Rule.objects.prefetch_related("clauses", "provisions"))  # drafts only for editors
    return render(request, "policies/rules_list.html", {"rules": rules})


def _license_suggestions():
    """(id, label) for the license fields: the knowledge base's licenses, then the Hub ids that name them."""
    licenses = kb.TermsDocument.objects.exclude(kind__in=kb.TermsDocument.CONTRACT_KINDS).order_by("name")
    names = dict(licenses.values_list("spdx_id", "name"))
    hub = [(hub_id, f"{names[key]} (Hugging Face id)") for hub_id, key in sorted(snapshots.current().license_aliases.items()) if key in names]
    return [*names.items(), *hub]


def _check_page(request, form, error=None, status=200):
    context = {
        "form": form,
        "error": error,
        "model_names": kb.AIModel.objects.order_by("name").values_list("name", "hf_id"),
        "dataset_names": kb.Dataset.objects.order_by("name").values_list("name", "hf_id"),
        "license_names": _license_suggestions(),
    }
    return render(request, "policies/check_form.html", context, status=status)


def check_form(request):
    """Build a workflow with form fields; the engine decides; the decision is stored and shown."""
    if request.method != "POST":
        return _check_page(request, CheckForm())
    form = CheckForm(request.POST)
    if not form.is_valid():
        return _check_page(request, form, status=400)
    workflow = form.workflow()
    requester = request.user if request.user.is_authenticated else None
    try:
        _decision, check = decide_and_record(workflow, channel=Check.Channel.PORTAL, requester=requester, counterfactuals=True)
    except WorkflowError as exc:
        return _check_page(request, form, error=str(exc), status=400)
    if requester is None:
        access.remember(request.session, check)  # without an account, the session that made it owns it
    return redirect("policies:check", check_id=check.pk)


@require_POST
def check_variant(request, check_id):
    """Check a stored workflow again with some changes: a "did you mean" applied, or a suggestion of
    "What would make it allowed", in one click. The variant is a new check of whoever asks."""
    check = _visible_check(request, check_id)
    try:
        changes = json.loads(request.POST.get("changes", ""))
        if not isinstance(changes, list) or not changes or not all(isinstance(c, dict) and isinstance(c.get("field"), str) and "to" in c for c in changes):
            raise ValueError('a list of {"field", "to"}')
        workflow = apply_changes(check.input, changes)
    except ValueError as exc:  # json.JSONDecodeError is one
        return HttpResponseBadRequest(f"changes: not the changes of a suggestion ({exc})", content_type="text/plain; charset=utf-8")
    requester = request.user if request.user.is_authenticated else None
    try:
        _decision, variant = decide_and_record(workflow, channel=Check.Channel.PORTAL, requester=requester, counterfactuals=True)
    except WorkflowError as exc:
        return HttpResponseBadRequest(f"The changed workflow is not valid: {exc}", content_type="text/plain; charset=utf-8")
    if requester is None:
        access.remember(request.session, variant)
    return redirect("policies:check", check_id=variant.pk)


def _visible_check(request, check_id):
    """The check, if this request may see it (policies.access); 404 otherwise, so an id alone reveals nothing."""
    check = get_object_or_404(Check, pk=check_id)
    if not access.may_view(request.user, check, request.session, request.GET.get("share")):
        raise Http404("No check with this id is visible to you.")
    return check


def check_detail(request, check_id):
    """The permalink of a stored decision, rendered from the stored JSON (as it was decided)."""
    check = _visible_check(request, check_id)
    owner = access.is_owner(request.user, check, request.session)
    token = access.share_token_of(check) if owner else None
    share_url = request.build_absolute_uri(f"{reverse('policies:check', args=[check.pk])}?share={token}") if token else None
    share_query = f"?share={request.GET['share']}" if request.GET.get("share") else ""
    decision, today = check.decision, False
    if "counterfactuals" not in decision and decision["verdict"] != "allowed":
        # Logged before the portal searched for them: searched now, with today's rules (and said so).
        decision, today = {**decision, "counterfactuals": _counterfactuals_today(check)}, True
    context = {"check": check, "decision": decision, "workflow": check.input, "owner": owner, "share_url": share_url,
               "share_query": share_query, "counterfactuals_today": today,
               "suggestions": [_did_you_mean(item) for item in decision.get("unresolved", ())],
               "variants": [_variant(suggestion) for suggestion in decision.get("counterfactuals") or ()]}
    response = render(request, "policies/check_result.html", context)
    response["Cache-Control"] = "private, no-store"  # it holds someone's workflow
    return response


def _counterfactuals_today(check):
    try:
        return evaluate_workflow(check.input, as_of=check.as_of.isoformat(), counterfactuals=True).counterfactuals
    except WorkflowError:
        return []  # a workflow valid when logged that today's parser refuses: nothing to suggest from


def _shown(value):
    return "not given" if value is None else json.dumps(value, ensure_ascii=False)


def _variant(suggestion):
    """A suggestion as the result page shows it, with the changes its "Check this workflow" button posts."""
    changes = [{**c, "shown_from": _shown(c["from"]), "shown_to": "removed" if c["to"] is None else _shown(c["to"])} for c in suggestion["changes"]]
    return {**suggestion, "changes": changes, "posted": json.dumps([{"field": c["field"], "to": c["to"]} for c in suggestion["changes"]])}


def _did_you_mean(item):
    """An unresolved reference with each suggestion as the change that applies it."""
    return {**item, "options": [(s, json.dumps([{"field": item["field"], "to": s}])) for s in item.get("suggestions") or ()]}


def check_json(request, check_id):
    check = _visible_check(request, check_id)
    response = JsonResponse(check.decision, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="provenant-check-{check.pk}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


def check_export(request, check_id, name):
    """A check's export (AI-BOM, EU training-content summary draft, obligations pack), for whoever may see the check (policies.exports)."""
    check = _visible_check(request, check_id)
    if name not in EXPORTS:
        raise Http404(f"No export named {name!r}.")
    document = build_export(name=name, workflow=check.input, decision=check.decision)
    response = HttpResponse(serialize(document), content_type=content_type(name))
    response["Content-Disposition"] = f'attachment; filename="provenant-check-{filename(name=name, check_id=check.pk)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def check_share(request, check_id):
    """The owner creates (or revokes) the check's share link, on purpose, with a button."""
    check = get_object_or_404(Check, pk=check_id)
    if not access.is_owner(request.user, check, request.session):
        raise Http404("No check with this id is visible to you.")
    if request.POST.get("action") == "revoke":
        access.unshare(check)
    else:
        access.share(check, request.user)
    return redirect("policies:check", check_id=check.pk)
