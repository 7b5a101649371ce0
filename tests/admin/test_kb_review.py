"""Knowledge-base edits that can change a decision wait for review (kbreview): saved in the admin as a
pending change that checks do not see, previewed against the logged checks, and published by someone
else, exactly as reviewed, in one transaction (the same path as rules, policies.publishing)."""

import datetime
import html
import io

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from kb import models as kb
from kbreview.models import KbChange
from kbreview.reviewed import DIRECT
from policies.engine import snapshot as snapshots
from policies.engine.evaluate import evaluate_workflow
from policies.engine.loader import load_policy
from policies.models import PolicyRevision
from policies.services import decide_and_record

pytestmark = pytest.mark.django_db

# Decided "review" today: GPT-4o's service terms say nothing clear about training competing models.
WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "api"}, "teachers": [{"model": "gpt-4o"}]}
MISTRAL_TERMS = "LicenseRef-Mistral-Terms"  # under these terms the same workflow would be "allowed"


def person(name, *codenames, superuser=False):
    if superuser:
        user = get_user_model().objects.create_superuser(name, f"{name}@example.org", "pw-for-tests-only")
    else:
        user = get_user_model().objects.create_user(name, password="pw-for-tests-only", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


EDITOR = ("view_aimodel", "change_aimodel")
PUBLISHER = ("view_kbchange", "publish_kbchange")


def change_url(record):
    return f"/admin/kb/{record._meta.model_name}/{record.pk}/change/"


def opened_form(client, record):
    """The change form's POST data exactly as the editor's browser would send it back unchanged
    (`record`: a saved record, or the URL of an add form)."""
    response = client.get(record if isinstance(record, str) else change_url(record))
    assert response.status_code == 200
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def edit(client, record, reason="testing", **fields):
    data = {**opened_form(client, record), "change_reason": reason, **fields}
    return client.post(change_url(record), data)


def verdict():
    snapshots.clear_cache()
    return evaluate_workflow(WORKFLOW).verdict


def service_terms(slug="gpt-4o"):
    return sorted(kb.AIModel.objects.get(slug=slug).service_terms.values_list("spdx_id", flat=True))


def impact_url(change):
    return f"/admin/kbreview/kbchange/{change.pk}/impact/"


def reviewed_revision(client, change):
    response = client.get(impact_url(change))
    assert response.status_code == 200
    assert response.context["can_publish"], "the impact page offers no publish form"
    return response.context["revision"]


@pytest.fixture
def gpt4o():
    return kb.AIModel.objects.get(slug="gpt-4o")


@pytest.fixture
def proposed(gpt4o):
    """Alice (an editor) proposes Mistral's terms as GPT-4o's service terms; returns (alice's client, the change)."""
    alice = person("alice", *EDITOR)
    mistral = kb.TermsDocument.objects.get(spdx_id=MISTRAL_TERMS)
    response = edit(alice, gpt4o, reason="terms moved", service_terms=[str(mistral.pk)])
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return alice, KbChange.objects.get(object_id=gpt4o.pk, status=KbChange.Status.PENDING)


def test_an_edit_of_a_models_service_terms_waits_as_a_pending_change_that_checks_do_not_see(gpt4o, proposed):
    before = service_terms()
    alice, change = proposed
    assert before == service_terms() == ["LicenseRef-OpenAI-Services-Agreement", "LicenseRef-OpenAI-Terms-of-Use"]
    assert verdict() == "review"
    assert list(change.values) == ["service_terms"] and change.author == alice.user and change.reason == "terms moved"
    page = alice.get(change_url(gpt4o)).content.decode()
    assert f"Pending change #{change.pk} by alice" in html.unescape(page) and "Mistral" in page
    # A decision logged now names the published state.
    decision, _check = decide_and_record(WORKFLOW, channel="cli")
    assert decision.verdict == "review"


def test_an_edit_that_cannot_change_a_decision_is_saved_at_once(gpt4o):
    alice = person("alice", *EDITOR)
    assert edit(alice, gpt4o, reason="caveat", notes="Terms re-read; nothing new.").status_code == 302
    assert kb.AIModel.objects.get(pk=gpt4o.pk).notes == "Terms re-read; nothing new."
    assert not KbChange.objects.exists()
    assert gpt4o.history.first().history_change_reason == "caveat"


def test_the_impact_preview_lists_the_verdict_the_change_would_change_without_touching_the_live_policy(proposed):
    _decision, check = decide_and_record(WORKFLOW, channel="api")
    alice, change = proposed
    token, records = PolicyRevision.objects.get(pk=1).token, kb.AIModel.history.count()
    response = alice.get(impact_url(change))
    report = response.context["report"]
    [changed] = report.changes
    assert (changed.check.id, changed.before, changed.after) == (str(check.pk), "review", "allowed")
    assert {f["rule"] for f in changed.removed} == {"competing-models-unknown"}
    assert str(check.pk)[:12] in response.content.decode()
    assert not response.context["can_publish"]  # alice may propose, not publish
    assert (PolicyRevision.objects.get(pk=1).token, kb.AIModel.history.count()) == (token, records)
    assert verdict() == "review"


def test_four_eyes_refuses_the_author_and_a_colleague_publishes_the_change_as_reviewed(settings, gpt4o, proposed):
    settings.POLICY_FOUR_EYES = True
    _alice, change = proposed
    # The author holds the publish permission too: four eyes still refuses them.
    alice = person("alice2", superuser=True)
    mistral = kb.TermsDocument.objects.get(spdx_id=MISTRAL_TERMS)
    openai = kb.TermsDocument.objects.get(spdx_id="LicenseRef-OpenAI-Terms-of-Use")
    assert edit(alice, gpt4o, reason="both terms", service_terms=[str(mistral.pk), str(openai.pk)]).status_code == 302
    refused = alice.post(impact_url(change), {"revision": reviewed_revision(alice, change)}, follow=True).content.decode()
    assert "Not published" in refused and "by you" in refused
    assert service_terms() != ["LicenseRef-Mistral-Terms", "LicenseRef-OpenAI-Terms-of-Use"]
    token = PolicyRevision.objects.get(pk=1).token

    bob = person("bob", *PUBLISHER)
    response = bob.post(impact_url(change), {"revision": reviewed_revision(bob, change)}, follow=True)
    assert f"Published change #{change.pk} as reviewed" in response.content.decode()
    assert service_terms() == ["LicenseRef-Mistral-Terms", "LicenseRef-OpenAI-Terms-of-Use"]
    change.refresh_from_db()
    assert (change.status, change.published_by) == (KbChange.Status.PUBLISHED, bob.user)
    record = gpt4o.history.order_by("-history_id").first()
    assert record.history_user == bob.user and f"Published #{change.pk} by alice, alice2" in record.history_change_reason
    assert PolicyRevision.objects.get(pk=1).token != token  # every process's cached snapshot is replaced
    assert snapshots.current().models["gpt-4o"]["service_terms"] == service_terms()


def test_a_colleague_publishes_and_the_verdict_changes(proposed):
    _alice, change = proposed
    assert verdict() == "review"
    bob = person("bob", *PUBLISHER)
    bob.post(impact_url(change), {"revision": reviewed_revision(bob, change)})
    assert verdict() == "allowed"


def test_an_edit_based_on_an_older_state_is_refused_naming_who_changed_it(gpt4o):
    alice, bob = person("alice", *EDITOR), person("bob", *EDITOR)
    alices_form = opened_form(alice, gpt4o)
    mistral = kb.TermsDocument.objects.get(spdx_id=MISTRAL_TERMS)
    assert edit(bob, gpt4o, reason="bob's terms", service_terms=[str(mistral.pk)]).status_code == 302

    response = alice.post(change_url(gpt4o), {**alices_form, "change_reason": "alice's access", "access": "both"})
    assert response.status_code == 200
    errors = html.unescape(" ".join(response.context["adminform"].form.non_field_errors()))
    assert "was changed by bob" in errors and "bob's terms" in errors and "Nothing was saved" in errors
    [change] = KbChange.objects.all()
    assert list(change.values) == ["service_terms"] and kb.AIModel.objects.get(pk=gpt4o.pk).access == gpt4o.access


def test_a_second_editor_builds_on_the_pending_change_and_counts_as_its_author(settings, gpt4o, proposed):
    settings.POLICY_FOUR_EYES = True
    _alice, change = proposed
    carol = person("carol", *EDITOR, *PUBLISHER)
    form = opened_form(carol, gpt4o)
    mistral = kb.TermsDocument.objects.get(spdx_id=MISTRAL_TERMS)
    assert form["service_terms"] == [str(mistral.pk)]  # the form shows the proposal, not the live terms
    assert carol.post(change_url(gpt4o), {**form, "change_reason": "no-op save"}).status_code == 302
    refused = carol.post(impact_url(change), {"revision": reviewed_revision(carol, change)}, follow=True).content.decode()
    assert "Not published" in refused and "by you" in refused


def test_a_publish_of_a_change_edited_after_the_review_is_refused(proposed, gpt4o):
    alice, change = proposed
    bob = person("bob", *PUBLISHER)
    revision = reviewed_revision(bob, change)
    assert edit(alice, gpt4o, reason="late edit", access="both").status_code == 302
    body = bob.post(impact_url(change), {"revision": revision}, follow=True).content.decode()
    assert "Not published" in body and "changed by alice" in body and "late edit" in body
    assert KbChange.objects.get(pk=change.pk).status == KbChange.Status.PENDING
    assert kb.AIModel.objects.get(pk=gpt4o.pk).access == gpt4o.access


def test_a_publish_after_the_record_itself_moved_on_is_refused(proposed, gpt4o):
    _alice, change = proposed
    bob = person("bob", *PUBLISHER)
    revision = reviewed_revision(bob, change)
    gpt4o.name, gpt4o._change_reason = "GPT-4o (renamed by a script)", "script"
    gpt4o.save()
    body = html.unescape(bob.post(impact_url(change), {"revision": revision}, follow=True).content.decode())
    assert "Not published" in body and "after the change was proposed" in body
    assert service_terms() == ["LicenseRef-OpenAI-Services-Agreement", "LicenseRef-OpenAI-Terms-of-Use"]


def test_a_change_that_no_longer_validates_publishes_nothing(gpt4o):
    alice = person("alice", *EDITOR)
    mistral = kb.TermsDocument.objects.get(spdx_id=MISTRAL_TERMS)
    assert edit(alice, gpt4o, reason="hub id and terms", hf_id="openai/gpt-4o", service_terms=[str(mistral.pk)]).status_code == 302
    change = KbChange.objects.get(status=KbChange.Status.PENDING)
    bob = person("bob", *PUBLISHER)
    revision = reviewed_revision(bob, change)
    kb.AIModel.objects.filter(slug="claude-3-5-sonnet").update(hf_id="openai/gpt-4o")  # another record takes the id meanwhile
    token = PolicyRevision.objects.get(pk=1).token
    body = html.unescape(bob.post(impact_url(change), {"revision": revision}, follow=True).content.decode())
    assert "Not published" in body and "hf_id" in body
    assert service_terms() == ["LicenseRef-OpenAI-Services-Agreement", "LicenseRef-OpenAI-Terms-of-Use"]  # not even the m2m half
    assert kb.AIModel.objects.get(pk=gpt4o.pk).hf_id == gpt4o.hf_id
    assert KbChange.objects.get(pk=change.pk).status == KbChange.Status.PENDING
    assert PolicyRevision.objects.get(pk=1).token == token


@pytest.mark.parametrize(
    ("codenames", "may_propose", "may_see_impact", "may_publish"),
    [
        ((), False, False, False),
        (("view_aimodel",), False, False, False),
        (EDITOR, True, True, False),
        (PUBLISHER, False, True, True),
        (("view_aimodel", "publish_kbchange"), False, True, True),
        ((*EDITOR, *PUBLISHER), True, True, True),
    ],
)
def test_who_may_propose_see_the_impact_and_publish(gpt4o, proposed, codenames, may_propose, may_see_impact, may_publish):
    _alice, change = proposed
    user = person("someone", *codenames)
    before = KbChange.history.filter(id=change.pk).count()
    response = user.post(change_url(gpt4o), {"change_reason": "x", "access": "both"})
    assert (response.status_code != 403) is may_propose
    if not may_propose:
        assert KbChange.history.filter(id=change.pk).count() == before
    assert (user.get(impact_url(change)).status_code == 200) is may_see_impact
    revision = KbChange.history.filter(id=change.pk).order_by("-history_id").values_list("history_id", flat=True).first()
    response = user.post(impact_url(change), {"revision": revision})
    assert (response.status_code == 302 and KbChange.objects.get(pk=change.pk).status == KbChange.Status.PUBLISHED) is may_publish


def test_load_kb_does_not_write_over_a_record_with_a_pending_change(gpt4o, proposed):
    gpt4o.name, gpt4o._change_reason = "GPT-4o (local name)", "local"
    gpt4o.save()  # the fixture now differs from the live record
    _alice, change = proposed
    out = io.StringIO()
    call_command("load_kb", fixtures=str(django_settings.KB_FIXTURES_DIR), stdout=out, stderr=io.StringIO())
    assert f"pending change (#{change.pk}) saved by alice" in out.getvalue()
    assert kb.AIModel.objects.get(pk=gpt4o.pk).name == "GPT-4o (local name)"
    assert KbChange.objects.get(pk=change.pk).status == KbChange.Status.PENDING


def test_a_history_revert_of_a_reviewed_record_is_refused(gpt4o):
    gpt4o.name, gpt4o._change_reason = "GPT-4o renamed", "rename"
    gpt4o.save()
    first = gpt4o.history.order_by("history_id").first()
    admin = person("admin", superuser=True)
    url = f"/admin/kb/aimodel/{gpt4o.pk}/history/{first.history_id}/"
    response = admin.post(url, opened_form(admin, gpt4o) | {"name": first.name, "change_reason": "revert"}, follow=True)
    assert "Nothing was restored" in response.content.decode()
    assert kb.AIModel.objects.get(pk=gpt4o.pk).name == "GPT-4o renamed"


def test_inlines_of_reviewed_records_are_read_only_with_a_link_to_the_record(gpt4o):
    admin = person("admin", superuser=True)
    page = admin.get(change_url(kb.AIModel.objects.get(slug="deepseek-r1-distill-llama-8b"))).content.decode()
    assert "lineage: made from" in page.lower() and "/admin/kb/lineageedge/" in page
    assert 'name="parent_edges-0-relation"' not in page


def _changed_value(model, field):
    if field.many_to_one:
        return field.related_model._default_manager.exclude(pk__in=model._default_manager.exclude(**{f"{field.name}__isnull": True}).values(field.attname)).first()
    if field.choices:
        return field.choices[-1][0]
    return {"DateField": datetime.date(1999, 1, 2), "BigIntegerField": 12345}.get(field.get_internal_type(), "changed for the test")


def test_no_field_saved_directly_reaches_the_engine():
    """Every DIRECT field (kbreview.reviewed) changed on every row leaves what the engine reads unchanged."""
    before = load_policy()
    for model, names in DIRECT.items():
        values = {name: _changed_value(model, model._meta.get_field(name)) for name in names}
        if "parameter_count" in values:
            values["parameter_count_basis"] = "stated"  # a count needs its basis (kb_aimodel_parameter_count_has_basis)
        assert model._default_manager.update(**values) > 0, model
    assert load_policy() == before


# Phi-4-reasoning was distilled from o3-mini's outputs: with that edge a check on it is "review", without it "conditional".
def phi_edge():
    return kb.LineageEdge.objects.filter(child_model__slug="phi-4-reasoning", parent_model__slug="o3-mini", relation="output_distillation")


PHI_WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "open_weights", "base_model": "phi-4-reasoning"}}


def phi_verdict():
    snapshots.clear_cache()
    return evaluate_workflow(PHI_WORKFLOW).verdict


def test_deleting_a_lineage_edge_waits_for_review_and_a_colleague_publishes_it():
    edge = phi_edge().get()
    alice = person("alice", "view_lineageedge", "delete_lineageedge")
    response = alice.post(f"/admin/kb/lineageedge/{edge.pk}/delete/", {"post": "yes"}, follow=True)
    assert "Saved as pending change" in response.content.decode()
    assert phi_edge().exists() and phi_verdict() == "review"
    change = KbChange.objects.get(action=KbChange.Action.DELETE, object_id=edge.pk)

    decide_and_record(PHI_WORKFLOW, channel="cli")
    bob = person("bob", *PUBLISHER)
    [changed] = bob.get(impact_url(change)).context["report"].changes
    assert (changed.before, changed.after) == ("review", "conditional")
    bob.post(impact_url(change), {"revision": reviewed_revision(bob, change)})
    assert not phi_edge().exists() and phi_verdict() == "conditional"
    deleted = kb.LineageEdge.history.filter(id=edge.pk, history_type="-").get()
    assert deleted.history_user == bob.user


def test_adding_a_lineage_edge_waits_for_review_and_a_colleague_publishes_it():
    edge = phi_edge().get()
    fields = {"child_model": str(edge.child_model_id), "parent_model": str(edge.parent_model_id), "relation": edge.relation,
              "evidence_kind": edge.evidence_kind, "source_url": edge.source_url, "checked_on": str(edge.checked_on), "verification": edge.verification}
    phi_edge().delete()
    assert phi_verdict() == "conditional"
    alice = person("alice", "view_lineageedge", "add_lineageedge")
    response = alice.post("/admin/kb/lineageedge/add/", {**opened_form(alice, "/admin/kb/lineageedge/add/"), **fields, "change_reason": "the model card says so"})
    change = KbChange.objects.get(action=KbChange.Action.ADD)
    assert response.status_code == 302 and response["Location"] == impact_url(change)
    assert alice.get(impact_url(change)).status_code == 200  # the proposer sees what the addition would do
    assert not phi_edge().exists() and phi_verdict() == "conditional"

    bob = person("bob", *PUBLISHER)
    bob.post(impact_url(change), {"revision": reviewed_revision(bob, change)})
    change.refresh_from_db()
    assert change.status == KbChange.Status.PUBLISHED and change.object_id == phi_edge().get().pk
    assert phi_verdict() == "review"


def test_a_deletion_is_refused_while_the_record_has_a_pending_change(gpt4o, proposed):
    admin = person("admin", superuser=True)
    response = admin.post(f"/admin/kb/aimodel/{gpt4o.pk}/delete/", {"post": "yes"}, follow=True)
    assert "Nothing was deleted" in html.unescape(response.content.decode()) and kb.AIModel.objects.filter(pk=gpt4o.pk).exists()
    assert not KbChange.objects.filter(action=KbChange.Action.DELETE).exists()


def _clause():
    return kb.LicenseClause.objects.filter(version__document__spdx_id="LicenseRef-OpenAI-Terms-of-Use").order_by("pk").first()


def _open_version():
    # The rest-of-world version: the Europe variants (applies_in) are open-ended too.
    return kb.TermsVersion.objects.filter(document__spdx_id="LicenseRef-OpenAI-Terms-of-Use", effective_to__isnull=True, applies_in=[]).get()


def _curated_dataset():
    return kb.Dataset.objects.filter(license__isnull=False, imported_from="").order_by("pk").first()


def _other_license(dataset):
    return str(kb.TermsDocument.objects.exclude(pk=dataset.license_id).filter(spdx_id__in=["MIT", "Apache-2.0"]).order_by("spdx_id").first().pk)


@pytest.mark.parametrize(
    ("record", "field", "value"),
    [
        (_clause, "quote", lambda clause: "A quote nobody checked."),
        (_open_version, "effective_to", lambda version: "2031-01-01"),
        (lambda: kb.Provision.objects.order_by("pk").first(), "title", lambda provision: "A title nobody checked"),
        (_curated_dataset, "license", _other_license),
        (lambda: phi_edge().get(), "evidence_kind", lambda edge: "reported"),
    ],
    ids=["clause quote", "terms version end", "provision title", "dataset license", "lineage edge evidence kind"],
)
def test_every_decision_relevant_record_is_edited_through_a_pending_change(record, field, value):
    target = record()
    before = getattr(target, field)
    admin = person("admin", superuser=True)
    response = edit(admin, target, reason="checking the path", **{field: value(target)})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    change = KbChange.objects.get(status=KbChange.Status.PENDING)
    assert list(change.values) == [field] and change.object_id == target.pk
    assert getattr(type(target)._default_manager.get(pk=target.pk), field) == before


def test_a_form_posted_back_unchanged_by_a_browser_proposes_nothing():
    """Browsers send textarea line ends as CRLF and forms strip the ends: no change to review."""
    provision = kb.Provision.objects.exclude(summary="").order_by("pk").first()
    clause = _clause()
    admin = person("admin", superuser=True)
    for record, field in ((provision, "summary"), (clause, "quote")):
        text = getattr(record, field).replace("\n", "\r\n") + "\r\n"
        assert edit(admin, record, reason="opened and saved", **{field: text}).status_code == 302
    assert not KbChange.objects.exists()
