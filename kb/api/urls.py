"""/api/v1/: the knowledge base (read-only), the schema and its docs. config/urls.py mounts the
checks (policies.api.urls) under the same prefix and ends with the JSON 404 for unknown paths."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from kb.api import views
from kb.api.search import SearchView

router = SimpleRouter(trailing_slash=False)
router.register("models", views.AIModelViewSet, basename="model")
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("terms", views.TermsDocumentViewSet, basename="terms")
router.register("provisions", views.ProvisionViewSet, basename="provision")
router.register("organizations", views.OrganizationViewSet, basename="organization")

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    *router.urls,
    path("search", SearchView.as_view(), name="search"),
    path("ping", views.PingView.as_view(), name="ping"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (docs?script), not inline, so the
    # Content-Security-Policy need not allow inline scripts.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # templates/drf_spectacular/redoc.html drops the Google Fonts links of drf-spectacular's own page.
    path("redoc", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
