from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [path("drift/", views.report, name="report")]
