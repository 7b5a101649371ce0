"""/api/v1/: the knowledge base (read-only), the schema and its docs. config/urls.py mounts the
checks (policies.api.urls) under the same prefix and ends with the JSON 404 for unknown paths."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from kb.api import views

router = SimpleRouter(trailing_slash=False)
router.register("models", views.AIModelViewSet, basename="model")
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("terms", views.TermsDocumentViewSet, basename="terms")
router.register("provisions", views.ProvisionViewSet, basename="provision")
router.register("organizations", views.OrganizationViewSet, basename="organization")

urlpatterns = [
    *router.urls,
    path("ping", views.PingView.as_view(), name="ping"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
