"""What API clients get back: UTF-8 JSON with text as it was sent, times in UTC marked Z, and
indented JSON when they ask for it."""

import json

import pytest

pytestmark = pytest.mark.django_db

WORKFLOW = {
    "name": "naïve “quotes” – \u2028 \U0001f600",
    "as_of": "2026-11-28",
    "student": {"name": "acme", "purpose": "commercial", "release": "internal"},
    "deployment": {"jurisdictions": ["EU"]},
}


def test_text_comes_back_as_sent_in_utf8(alice):
    check_id = alice.post("/api/v1/checks", WORKFLOW).json()["check_id"]
    response = alice.get(f"/api/v1/checks/{check_id}")
    assert response["Content-Type"] == "application/json"
    assert "naïve “quotes” –".encode() in response.content  # not \\u-escaped
    assert json.loads(response.content)["input"]["name"] == WORKFLOW["name"]


def test_times_are_utc_marked_z(alice):
    check_id = alice.post("/api/v1/checks", WORKFLOW).json()["check_id"]
    created_at = alice.get(f"/api/v1/checks/{check_id}").json()["created_at"]
    assert created_at.endswith("Z") and "+00:00" not in created_at


def test_indented_json_on_request(alice):
    response = alice.get("/api/v1/checks", HTTP_ACCEPT="application/json; indent=2")
    assert response.status_code == 200
    assert response.content.startswith(b'{\n  "')
    assert b"\n" not in alice.get("/api/v1/checks").content
