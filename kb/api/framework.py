"""Pagination, parsing and throttling shared by every API endpoint (the settings name these classes)."""

import codecs
import io
import re

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from kb import fastjson, jsoninput
from kb.api.errors import RequestBodyTooLarge


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, encoding with orjson (kb.fastjson): the same JSON for the same data.

    Dates and times still go through DRF's encoder (its "Z" for UTC), as does every type orjson does
    not know; \u2028 and \u2029 are escaped as DRF escapes them. Indented output (`Accept:
    application/json; indent=4`) is left to DRF.
    """

    _encoder_default = JSONRenderer.encoder_class().default
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        body = fastjson.dumps(data, default=self._encoder_default, option=self._options)
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body


class LimitedJSONParser(JSONParser):
    """JSON bodies up to settings.API_MAX_BODY_BYTES; larger ones get 413 before they are parsed.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not apply here (DRF reads the stream, not
    request.body), so the limit is enforced on the declared length and on what is actually read.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = RequestBodyTooLarge(f"Request body too large: the limit is {limit} bytes.")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_large
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise too_large
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {jsoninput.too_deep_message()}") from None
        except ParseError as exc:
            if "integer string conversion" in str(exc.detail):  # DRF passes on Python's advice to programmers
                raise ParseError(f"JSON parse error - {jsoninput.too_many_digits_message()}") from None
            raise
        if jsoninput.may_be_deeper_than(body) and jsoninput.deeper_than(data):
            raise ParseError(f"JSON parse error - {jsoninput.too_deep_message()}")
        problem = _unstorable_text(data) if _may_escape_unstorable_text(body, parser_context) else None
        if problem:
            raise ValidationError({problem: ["contains a NUL character or an unpaired surrogate, which is not valid text"]})
        return data


# JSON can escape them, but they are not text: PostgreSQL refuses to store them (\u0000 in jsonb).
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _may_escape_unstorable_text(body, parser_context):
    """False when the body cannot hold such a character, so its data need not be walked (0.13 M of the
    0.33 M instructions that parsing a check took): in UTF-8, JSON can only spell NUL or a surrogate
    as a \\u escape, and a raw one is not valid UTF-8 or not valid JSON. Other encodings are always walked."""
    return codecs.lookup(get_encoding(parser_context or {})).name != "utf-8" or b"\\u" in body


def _unstorable_text(value, path=""):
    """The path (student.name, teachers[0].model) of the first string that is not storable text, or None."""
    if isinstance(value, str):
        return (path or "non_field_errors") if _NOT_TEXT.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _NOT_TEXT.search(key):
                return path or "non_field_errors"
            found = _unstorable_text(item, where)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable_text(item, f"{path}[{index}]")
            if found:
                return found
    return None


class _LiveRates:
    """Read the rate from the current settings on each request, so tests and deployments can
    change REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (DRF's classes freeze it at import time)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRates, AnonRateThrottle):
    """Per anonymous client (by address)."""


class UserThrottle(_LiveRates, UserRateThrottle):
    """Per authenticated user."""
