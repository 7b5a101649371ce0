"""Security middleware: headers on every response, and requests that cannot be text refused.

Headers: a Content-Security-Policy and a Permissions-Policy.

The portal runs no inline script and loads nothing from other origins, so its policy allows
scripts, styles, fonts and fetches from our own origin only: a link or markup that slipped through
validation and escaping still cannot run a script or send data elsewhere. Pages we do not write
ourselves get the one relaxation they need, by path (settings.CONTENT_SECURITY_POLICY_PATHS):
the admin's history pages and the API docs (Swagger UI, Redoc) set inline styles; Redoc starts
its search worker from a blob: URL. None of them gets inline or foreign scripts.
"""

from django.conf import settings
from django.http import Http404, HttpResponseBadRequest


def policy(**directives):
    """A policy string from directive names (underscores for dashes) and their sources."""
    return "; ".join(f"{name.replace('_', '-')} {sources}".strip() for name, sources in directives.items())


STRICT = dict(
    default_src="'self'",
    script_src="'self'",
    style_src="'self'",
    img_src="'self' data:",
    font_src="'self'",
    connect_src="'self'",
    object_src="'none'",
    base_uri="'none'",
    form_action="'self'",
    frame_ancestors="'none'",
)
PERMISSIONS_POLICY = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy_for(request.path))
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    @staticmethod
    def policy_for(path):
        for prefix, value in settings.CONTENT_SECURITY_POLICY_PATHS:
            if path.startswith(prefix):
                return value
        return settings.CONTENT_SECURITY_POLICY


class RefuseNulMiddleware:
    """A NUL character in the path or a query parameter is not text: PostgreSQL refuses it in any
    query (a 500 on every page that looks it up), and no name, slug or search contains one. A path
    with one names nothing (404); a parameter with one is refused (400 naming it). JSON under /api/."""

    def __init__(self, get_response):
        from api import errors  # not at the top: settings import this module for its policies

        self.get_response, self.errors = get_response, errors

    def __call__(self, request):
        if "\x00" in request.path:
            if self.errors.is_api(request):  # answered here: under DEBUG, Django would show its own HTML page for an Http404
                return self.errors.page_not_found(request, None)
            raise Http404("The path contains a NUL character (%00), so nothing has it as its name.")
        parameter = self.parameter_with_nul(request)
        if parameter is None:
            return self.get_response(request)
        message = f"{parameter} contains a NUL character (%00), which is not valid text"
        if self.errors.is_api(request):
            return self.errors.invalid(message, field=parameter)
        return HttpResponseBadRequest(f"Bad request: {message}.", content_type="text/plain; charset=utf-8")

    @staticmethod
    def parameter_with_nul(request):
        if "%00" not in request.META.get("QUERY_STRING", ""):
            return None
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "\\u0000")
        return None
