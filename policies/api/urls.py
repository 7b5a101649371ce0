from rest_framework.routers import SimpleRouter

from policies.api import views

router = SimpleRouter(trailing_slash=False)
router.register("checks", views.CheckViewSet, basename="check")
router.register("rules", views.RuleViewSet, basename="rule")

urlpatterns = router.urls
