"""Who may see a check (policies.access): its owner (the user who made it, or the browser session that
made it without logging in), holders of policies.view_check, and anyone with a share link the owner
created. Being staff is not enough; a check's id alone shows nothing."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from policies.models import Check
from tests.api.conftest import client_with_token

pytestmark = pytest.mark.django_db

WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "secret-project-7b", "purpose": "commercial", "release": "internal"}}
FORM = {"student_name": "secret-project-7b", "purpose": "commercial", "release": "internal", "modalities": ["text"]}


def browser(username=None, perm=False, staff=False):
    client = Client()
    if username:
        user = User.objects.create_user(username, password="pw", is_staff=staff)
        if perm:
            user.user_permissions.add(Permission.objects.get(codename="view_check"))
        client.force_login(user)
    return client


def api_user(username, perm=False, staff=False):
    client = client_with_token(username)
    user = User.objects.get(username=username)
    user.is_staff = staff
    user.save()
    if perm:
        user.user_permissions.add(Permission.objects.get(codename="view_check"))
    return client


def portal_sees(client, check_id, share=""):
    query = f"?share={share}" if share else ""
    page, json = client.get(f"/checks/{check_id}{query}"), client.get(f"/checks/{check_id}.json{query}")
    assert page.status_code == json.status_code, (page.status_code, json.status_code)
    if page.status_code == 200:
        assert b"secret-project-7b" in page.content
    return page.status_code


def api_sees(client, check_id):
    detail = client.get(f"/api/v1/checks/{check_id}").status_code
    replay = client.post(f"/api/v1/checks/{check_id}/replay", {}, format="json").status_code
    listed = check_id in {c["check_id"] for c in client.get("/api/v1/checks", {"page_size": 200}).json()["results"]}
    assert (detail == 200) == (replay == 200) == listed, (detail, replay, listed)
    return detail


def test_an_api_check_is_seen_by_its_owner_and_auditors_only(kb_db):
    alice = api_user("alice")
    check_id = alice.post("/api/v1/checks", WORKFLOW, format="json").json()["check_id"]
    assert api_sees(alice, check_id) == 200
    assert api_sees(api_user("bob"), check_id) == 403
    assert api_sees(api_user("stan", staff=True), check_id) == 403  # staff alone is not enough
    assert api_sees(api_user("audrey", perm=True), check_id) == 200
    # The portal permalink of an API check shows nothing to people without the right.
    assert portal_sees(Client(), check_id) == 404
    assert portal_sees(browser("bert"), check_id) == 404
    assert portal_sees(browser("sam", staff=True), check_id) == 404
    assert portal_sees(browser("ava", perm=True), check_id) == 200


def test_an_anonymous_portal_check_is_its_sessions_and_a_share_link_opens_it_to_others(kb_db):
    maker = Client()
    response = maker.post("/check", FORM)
    check_id = response["Location"].rsplit("/", 1)[1]
    assert portal_sees(maker, check_id) == 200
    assert portal_sees(Client(), check_id) == 404
    assert portal_sees(browser("carl", staff=True), check_id) == 404
    assert portal_sees(browser("ann", perm=True), check_id) == 200
    assert b'id="share-check"' in maker.get(f"/checks/{check_id}").content  # the owner is offered a share link

    # Only the owner can create the link; with it anyone can read; revoking closes it again.
    assert Client().post(f"/checks/{check_id}/share", {"action": "share"}).status_code == 404
    maker.post(f"/checks/{check_id}/share", {"action": "share"})
    token = Check.objects.get(pk=check_id).share.token
    assert f"?share={token}" in maker.get(f"/checks/{check_id}").content.decode()
    assert portal_sees(Client(), check_id, share=token) == 200
    assert portal_sees(Client(), check_id, share="wrong-" + token) == 404
    page = Client().get(f"/checks/{check_id}?share={token}").content.decode()
    assert 'id="share-check"' not in page and "Stop sharing" not in page  # a reader cannot reshare or revoke
    maker.post(f"/checks/{check_id}/share", {"action": "revoke"})
    assert portal_sees(Client(), check_id, share=token) == 404


def test_a_logged_in_users_portal_check_is_theirs_in_any_session(kb_db):
    user = User.objects.create_user("dana", password="pw")
    first = Client()
    first.force_login(user)
    check_id = first.post("/check", FORM)["Location"].rsplit("/", 1)[1]
    second = Client()
    second.force_login(user)
    assert portal_sees(second, check_id) == 200
    assert portal_sees(browser("eve"), check_id) == 404


def test_the_api_owner_shares_and_revokes_a_check(kb_db):
    alice = api_user("alice")
    check_id = alice.post("/api/v1/checks", WORKFLOW, format="json").json()["check_id"]
    assert api_user("bob").post(f"/api/v1/checks/{check_id}/share").status_code == 403
    assert api_user("audrey", perm=True).post(f"/api/v1/checks/{check_id}/share").status_code == 403  # seeing is not owning
    url = alice.post(f"/api/v1/checks/{check_id}/share").json()["share_url"]
    assert url == alice.post(f"/api/v1/checks/{check_id}/share").json()["share_url"]  # one link per check
    path_and_query = url.split("testserver", 1)[1]
    assert Client().get(path_and_query).status_code == 200
    assert alice.delete(f"/api/v1/checks/{check_id}/share").status_code == 204
    assert Client().get(path_and_query).status_code == 404
