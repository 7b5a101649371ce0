from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("registry/suggest", views.suggest, name="suggest"),
    # Repo ids hold one slash ("org/name"); path: takes it.
    path("registry/<path:repo_id>", views.model_detail, name="model"),
]
