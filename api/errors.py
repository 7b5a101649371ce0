"""One error body for every API failure, with field paths:

    {"errors": [{"field": "student.purpose", "message": "…", "code": "invalid"}]}

`field` is a dotted path into the request (list items as `teachers[1].model`), or null when the
error is about the request as a whole (401, 403, 404, 405, 413, 415, 429 and non-field 400s).
"""

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

# DRF's names for "no particular field".
_NON_FIELD_KEYS = {"non_field_errors", "detail"}


def _join(path, key):
    if key in _NON_FIELD_KEYS:
        return path
    return f"{path}.{key}" if path else str(key)


def flatten_errors(detail, path=""):
    """DRF error details (nested dicts and lists) -> [{"field", "message", "code"}]."""
    if isinstance(detail, dict):
        return [error for key, value in detail.items() for error in flatten_errors(value, _join(path, key))]
    if isinstance(detail, list | tuple):
        errors = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list | tuple):
                # A list serializer reports one entry per item; valid items are empty.
                errors.extend(flatten_errors(item, f"{path}[{index}]"))
            else:
                errors.extend(flatten_errors(item, path))
        return errors
    return [{"field": path or None, "message": str(detail), "code": getattr(detail, "code", None) or "invalid"}]


def error_body(errors):
    return {"errors": errors}


def api_exception_handler(exc, context):
    """DRF's handler (status, Retry-After and WWW-Authenticate headers), with our body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a bug, left to Django's 500 handling and logging
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
    else:
        detail = getattr(exc, "detail", None) or response.data.get("detail", "")
        errors = [{"field": None, "message": str(detail), "code": getattr(detail, "code", None) or "error"}]
    response.data = error_body(errors)
    return response


def not_found(request, *args, **kwargs):
    """Unknown paths under the API get the API's 404 body, not the portal's HTML page."""
    return JsonResponse(
        error_body([{"field": None, "message": f"No API endpoint at {request.path}.", "code": "not_found"}]),
        status=status.HTTP_404_NOT_FOUND,
    )
