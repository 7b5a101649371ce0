"""Security headers on every response: a Content-Security-Policy and a Permissions-Policy.

The portal runs no inline script and loads nothing from other origins, so its policy allows
scripts, styles, fonts and fetches from our own origin only: a link or markup that slipped through
validation and escaping still cannot run a script or send data elsewhere. Pages we do not write
ourselves get the one relaxation they need, by path (settings.CONTENT_SECURITY_POLICY_PATHS):
the admin's history pages and the API docs (Swagger UI, Redoc) set inline styles; Redoc starts
its search worker from a blob: URL. None of them gets inline or foreign scripts.
"""

from django.conf import settings


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
