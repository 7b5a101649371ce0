from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search_page, name="search"),
    path("models/", views.model_list, name="model_list"),
    path("models/<slug:slug>", views.model_detail, name="model"),
    path("datasets/dpi-conformance", views.dpi_conformance, name="dpi_conformance"),
    path("datasets/", views.dataset_list, name="dataset_list"),
    path("datasets/<slug:slug>", views.dataset_detail, name="dataset"),
    path("terms/", views.terms_list, name="terms_list"),
    path("terms/compare", views.terms_compare, name="terms_compare"),
    path("terms/<str:spdx_id>", views.terms_detail, name="terms"),
    path("provisions/", views.provision_list, name="provision_list"),
    path("provisions/<str:ref>", views.provision_detail, name="provision"),
]
