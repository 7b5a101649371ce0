"""The API's one parser: JSON, with a size limit, refusing text that cannot be stored."""

import codecs
import io
import re

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser, get_encoding

from kb import jsoninput


class RequestBodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """JSON bodies up to settings.API_MAX_BODY_BYTES; larger ones get 413 before they are parsed.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not apply here (DRF reads the stream, not
    request.body), so the limit is enforced on the declared length and on what is actually read.
    A string holding NUL or an unpaired surrogate is refused naming its field: JSON can spell them,
    but they are not text, and PostgreSQL refuses to store them in the decision log.
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


_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _may_escape_unstorable_text(body, parser_context):
    """False when the body cannot hold such a character, so its data need not be walked: in UTF-8,
    JSON can only spell NUL or a surrogate as a \\u escape (a raw one is not valid UTF-8 or not valid
    JSON). Bodies in other encodings are always walked."""
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
