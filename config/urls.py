from django.contrib import admin
from django.urls import include, path, re_path

from api import errors
from api.errors import not_found
from audit import views as audit_views
from kb.admin_views import markdown_preview
from kb.api import urls as kb_api
from policies.api import urls as policies_api
from registry import api as registry_api
from termswatch import api_urls as termswatch_api

api_v1 = [
    *kb_api.urlpatterns,
    *policies_api.urlpatterns,
    *termswatch_api.urlpatterns,
    *registry_api.urlpatterns,
    *audit_views.api_urlpatterns,
    re_path(r"^[\s\S]*$", not_found),  # last: any other path (newlines too) gets the API's JSON 404
]

urlpatterns = [
    path("admin/markdown-preview", markdown_preview, name="markdown_preview"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("policies.urls")),
    path("", include("termswatch.urls")),
    path("", include("kb.urls")),
    path("", include("registry.urls")),
    path("", include("audit.urls")),
]

# Under /api/ every error is the API's JSON error body, whatever raised it (api.errors).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
