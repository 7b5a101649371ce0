from django.urls import re_path
from rest_framework.routers import SimpleRouter

from kb.api.views import ANY_SEGMENT
from policies.api import views

router = SimpleRouter(trailing_slash=False)
router.register("checks", views.CheckViewSet, basename="check")
router.register("rules", views.RuleViewSet, basename="rule")

urlpatterns = [
    *router.urls,
    re_path(rf"^models/(?P<slug>{ANY_SEGMENT})/aibom$", views.ModelAIBomView.as_view(), name="model-aibom"),
]
