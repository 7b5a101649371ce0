"""Portal pages of the policies app: the rules and the check form (thin over the engine)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from kb import models as kb
from policies.engine.workflow import WorkflowError
from policies.forms import CheckForm
from policies.models import Check, Rule
from policies.publishing import rules_as_seen_by
from policies.services import decide_and_record


def rules_list(request):
    rules = rules_as_seen_by(request.user, Rule.objects.prefetch_related("clauses", "provisions"))  # drafts only for editors
    return render(request, "policies/rules_list.html", {"rules": rules})


def _check_page(request, form, error=None, status=200):
    context = {
        "form": form,
        "error": error,
        "model_names": kb.AIModel.objects.order_by("name").values_list("name", "hf_id"),
        "dataset_names": kb.Dataset.objects.order_by("name").values_list("name", "hf_id"),
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
        _decision, check = decide_and_record(workflow, channel=Check.Channel.PORTAL, requester=requester)
    except WorkflowError as exc:
        return _check_page(request, form, error=str(exc), status=400)
    return redirect("policies:check", check_id=check.pk)


def check_detail(request, check_id):
    """The permalink of a stored decision, rendered from the stored JSON (as it was decided)."""
    check = get_object_or_404(Check, pk=check_id)
    return render(request, "policies/check_result.html", {"check": check, "decision": check.decision, "workflow": check.input})


def check_json(request, check_id):
    check = get_object_or_404(Check, pk=check_id)
    response = JsonResponse(check.decision, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="provenant-check-{check.pk}.json"'
    return response
