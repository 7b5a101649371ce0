from django.urls import path

from termswatch import feeds, views

app_name = "termswatch"

urlpatterns = [
    path("terms-changes/", views.document_list, name="documents"),
    path("terms-changes/feed", feeds.TermsChangesFeed(), name="feed"),
    path("terms-changes/<int:pk>", views.document_detail, name="document"),
]
