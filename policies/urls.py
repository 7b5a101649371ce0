from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("rules/", views.rules_list, name="rules"),
    path("check", views.check_form, name="check_form"),
    path("checks/<uuid:check_id>", views.check_detail, name="check"),
    path("checks/<uuid:check_id>.json", views.check_json, name="check_json"),
    path("checks/<uuid:check_id>/export/<slug:name>", views.check_export, name="check_export"),
    path("checks/<uuid:check_id>/share", views.check_share, name="check_share"),
    path("checks/<uuid:check_id>/variant", views.check_variant, name="check_variant"),
]
