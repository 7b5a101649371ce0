"""The interactive API docs (Swagger UI and ReDoc from drf-spectacular-sidecar's static files).

The pages also carry a Content-Security-Policy that lets them load only from this site: ReDoc's
bundle shows a logo from cdn.redoc.ly in its sidebar, which the browser now never requests (the
image's error handler hides it). So the docs work offline and tell no third party who reads them.
"""

from functools import wraps

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

LOCAL_ONLY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",  # both UIs style elements inline
    "script-src 'self' 'unsafe-inline'",  # drf-spectacular starts each UI with an inline script
    "worker-src 'self' blob:",  # ReDoc's search runs in a worker made from a blob
    "connect-src 'self'",
])


def local_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = LOCAL_ONLY
        return response

    return wrapped


swagger = local_only(SpectacularSwaggerView.as_view(url_name="api:schema"))
# Our template drops the Google Fonts links drf-spectacular's own ReDoc page has.
redoc = local_only(SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))
