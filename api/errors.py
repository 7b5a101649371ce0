"""One error body for every API failure, with field paths:

    {"errors": [{"field": "student.purpose", "message": "…", "code": "invalid"}]}

`field` is a dotted path into the request (list items as `teachers[1].model`), or null when the
error is about the request as a whole (401, 403, 404, 405, 413, 415, 429 and non-field 400s).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from api.parsers import RequestBodyTooLarge

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
    if isinstance(exc, RequestDataTooBig):  # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE), met while DRF reads the body
        exc = too_large()
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


def too_large():
    return RequestBodyTooLarge(f"Request body too large: the limit is {settings.API_MAX_BODY_BYTES} bytes.")


def invalid(message, field=None):
    """A 400 with the error body, for code outside DRF's views (middleware)."""
    return _error(message, "invalid", status.HTTP_400_BAD_REQUEST, field)


def _error(message, code, status_code, field=None):
    return JsonResponse(error_body([{"field": field, "message": message, "code": code}]), status=status_code)


@csrf_exempt  # it only answers "not found": a POST to a mistyped path must get that, not a CSRF page
def not_found(request, *args, **kwargs):
    """Unknown paths under the API get the API's 404 body, not the portal's HTML page."""
    message = f"No API endpoint at {request.path}."
    if request.path.endswith("/"):
        try:
            resolve(request.path.rstrip("/"))
            message += f" Did you mean {request.path.rstrip('/')} (API paths have no trailing slash)?"
        except Resolver404:
            pass
    return _error(message, "not_found", status.HTTP_404_NOT_FOUND)


# Errors raised outside DRF's views (in middleware, by Django's request parsing, or a bug) reach
# Django's handlers: under /api/ they answer with the same JSON error body, elsewhere with the
# portal's pages. config/urls.py and settings.CSRF_FAILURE_VIEW name them.
API_PREFIX = "/api/"


def is_api(request):
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _error(str(too_large().detail), "too_large", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return _error(f"Bad request: {exception}" if str(exception) else "Bad request.", "bad_request", status.HTTP_400_BAD_REQUEST)


def page_not_found(request, exception):
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return _error(f"No API endpoint at {request.path}.", "not_found", status.HTTP_404_NOT_FOUND)


def permission_denied(request, exception):
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return _error(str(exception) or "You do not have permission to perform this action.", "permission_denied", status.HTTP_403_FORBIDDEN)


def server_error(request):
    if not is_api(request):
        return defaults.server_error(request)
    return _error("Internal server error: the request was not completed. It has been logged.", "server_error",
                  status.HTTP_500_INTERNAL_SERVER_ERROR)


def csrf_failure(request, reason=""):
    if not is_api(request):
        return django_csrf_failure(request, reason)
    return _error(f"CSRF check failed ({reason}). API clients send a token (Authorization: Token …), which needs no CSRF token.",
                  "csrf_failed", status.HTTP_403_FORBIDDEN)
