"""The API's JSON renderer (orjson underneath) gives the same JSON as DRF's own renderer, for what
orjson knows, for what only DRF's encoder knows, and for what orjson refuses."""

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from kb.api.framework import FastJSONRenderer

CASES = {
    "plain": {"verdict": "prohibited", "findings": [{"n": 1, "ok": True, "none": None, "ratio": 0.5, "flop": 3e22}]},
    "text": {"s": "naïve “quotes” – \u2028 line \u2029 paragraph \x00 nul", "emoji": "\U0001f600"},
    "datetime (DRF writes UTC as Z)": {
        "at": datetime.datetime(2026, 12, 4, 21, 0, 1, 123456, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 4),
    },
    "types only DRF's encoder knows": {"d": decimal.Decimal("1.5"), "lazy": gettext_lazy("Not found."), "set": {3}, "id": uuid.UUID(int=7)},
    "orjson refuses: big integers": {"users": 10**30},
    "orjson refuses: non-string keys": {1: "one", "nested": {2.5: "x"}},
}


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_the_same_json_as_drf(data):
    fast, drf = FastJSONRenderer().render(data), JSONRenderer().render(data)
    assert json.loads(fast) == json.loads(drf)
    assert (b"\\u2028" in fast, b"\xe2\x80\xa8" in fast) == (b"\\u2028" in drf, b"\xe2\x80\xa8" in drf)  # escaped as DRF escapes it


def test_indented_output_is_drfs():
    data = {"a": [1, 2]}
    assert FastJSONRenderer().render(data, "application/json; indent=2") == JSONRenderer().render(data, "application/json; indent=2")


def test_what_neither_encoder_knows_is_still_an_error():
    with pytest.raises(TypeError):
        FastJSONRenderer().render({"x": object()})


def test_the_api_renders_with_it():
    assert api_settings.DEFAULT_RENDERER_CLASSES == [FastJSONRenderer]
