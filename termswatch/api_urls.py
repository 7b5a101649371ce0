from django.urls import path

from termswatch import api

urlpatterns = [
    path("terms-watch/clauses/<str:spdx_id>/<str:version>/<str:key>/redecide", api.clause_redecide, name="clause-redecide"),
]
