"""The result page's suggestions: unresolved references at the top with a one-click "did you mean", and
"What would make it allowed", each suggestion checked again with one click (a CSRF-protected POST)."""

import json
import re

import pytest
from django.test import Client

from policies.models import Check
from tests.portal.test_check import DISTIL_GPT4O

pytestmark = pytest.mark.django_db

# The portal's own GPT-4o distillation, offered as an API and read on a fixed day.
FORM = {**DISTIL_GPT4O, "release": "api", "as_of": "2026-11-28", "org_country": "", "jurisdictions": ""}


def check_of(response):
    return Check.objects.get(pk=response["Location"].rsplit("/", 1)[1])


def posted_changes(body):
    """The `changes` each one-click form of the page posts, in order."""
    return [json.loads(value.replace("&quot;", '"')) for value in re.findall(r'name="changes" value="([^"]*)"', body)]


def test_the_result_says_what_would_make_it_allowed_and_checks_a_suggestion_in_one_click(client, kb_db):
    check = check_of(client.post("/check", FORM))
    assert check.decision["verdict"] == "prohibited" and check.decision["counterfactuals"]
    body = client.get(f"/checks/{check.pk}").content.decode()
    assert "What would make it allowed" in body and "Not legal advice" in body
    assert body.index('id="counterfactuals"') < body.index('class="findings"')
    first = check.decision["counterfactuals"][0]
    assert f'class="verdict {first["verdict"]}">{first["verdict"].upper()}<' in body
    forms = posted_changes(body)
    assert forms[0] == [{"field": c["field"], "to": c["to"]} for c in first["changes"]]

    response = client.post(f"/checks/{check.pk}/variant", {"changes": json.dumps(forms[0])})
    assert response.status_code == 302
    variant = check_of(response)
    assert variant.pk != check.pk and variant.decision["verdict"] == first["verdict"]


def test_an_unresolved_teacher_is_shown_first_with_a_did_you_mean_that_applies_it(client, kb_db):
    check = check_of(client.post("/check", {**FORM, "teacher_0_model": "gpt4o"}))
    [unresolved] = check.decision["unresolved"]
    assert unresolved["suggestions"][0] == "gpt-4o" and len(set(unresolved["suggestions"])) == len(unresolved["suggestions"])
    body = client.get(f"/checks/{check.pk}").content.decode()
    assert body.index('id="unresolved"') < body.index('class="findings"')
    assert "Did you mean" in body
    [apply_gpt_4o] = [c for c in posted_changes(body) if c == [{"field": "teachers[0].model", "to": "gpt-4o"}]]

    variant = check_of(client.post(f"/checks/{check.pk}/variant", {"changes": json.dumps(apply_gpt_4o)}))
    assert variant.input["teachers"][0]["model"] == "gpt-4o" and variant.decision["unresolved"] == []
    assert variant.decision["verdict"] == "prohibited"  # the real teacher's terms now count


def test_the_one_click_check_needs_the_csrf_token_and_a_visible_check(client, kb_db, django_user_model):
    check = check_of(client.post("/check", FORM))
    changes = json.dumps([{"field": "student.release", "to": "internal"}])
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the same session, without the form's token
    assert strict.post(f"/checks/{check.pk}/variant", {"changes": changes}).status_code == 403
    assert Client().post(f"/checks/{check.pk}/variant", {"changes": changes}).status_code == 404  # another session
    assert client.get(f"/checks/{check.pk}/variant").status_code == 405


def test_changes_that_are_not_a_suggestion_s_are_refused_naming_them(client, kb_db):
    check = check_of(client.post("/check", FORM))
    before = Check.objects.count()
    for bad in ("not json", "[]", json.dumps([{"field": "teachers[9].model", "to": "x"}]), json.dumps([{"to": "x"}])):
        response = client.post(f"/checks/{check.pk}/variant", {"changes": bad})
        assert response.status_code == 400 and "changes" in response.content.decode()
    response = client.post(f"/checks/{check.pk}/variant", {"changes": json.dumps([{"field": "student.purpose", "to": "evil"}])})
    assert response.status_code == 400 and "student.purpose" in response.content.decode()
    assert Check.objects.count() == before


def test_a_check_logged_without_suggestions_gets_them_searched_with_today_s_rules(client, kb_db, django_user_model):
    from policies.services import decide_and_record
    from tests.api.test_counterfactuals import WORKFLOW

    user = django_user_model.objects.create_user("carol")
    _decision, check = decide_and_record(WORKFLOW, channel=Check.Channel.API, requester=user)
    assert "counterfactuals" not in check.decision
    client.force_login(user)
    response = client.get(f"/checks/{check.pk}")
    body = response.content.decode()
    assert response.status_code == 200, body[body.find("<main"):][:500]
    assert "What would make it allowed" in body and "searched now, with today's rules" in body
    assert posted_changes(body)  # each with its one-click check
