from django.contrib import admin
from django.urls import include, path

from kb.admin_views import markdown_preview

urlpatterns = [
    path("admin/markdown-preview", markdown_preview, name="markdown_preview"),
    path("admin/", admin.site.urls),
    path("", include("kb.urls")),
]
