"""Pagination, parsing and throttling shared by every API endpoint (the settings name these classes)."""

import io

from django.conf import settings
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from kb.api.errors import RequestBodyTooLarge


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


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
        return super().parse(io.BytesIO(body), media_type, parser_context)


class _LiveRates:
    """Read the rate from the current settings on each request, so tests and deployments can
    change REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (DRF's classes freeze it at import time)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRates, AnonRateThrottle):
    """Per anonymous client (by address)."""


class UserThrottle(_LiveRates, UserRateThrottle):
    """Per authenticated user."""
