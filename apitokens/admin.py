"""Issuing a token in the admin shows it once, on the page that answers the form.

knox's own admin puts the new token in a message, which Django keeps in a cookie (or the session)
until the next page: the secret would travel back and forth and sit in the browser. Here it is
written only into that one response, which no cache may keep; only its digest is stored.
"""

from django.contrib import admin
from django.template.response import TemplateResponse
from knox.admin import AuthTokenAdmin
from knox.models import AuthToken

admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class IssuedOnceAuthTokenAdmin(AuthTokenAdmin):
    def save_model(self, request, obj, form, change):
        # Not knox's save_model: that one sends the token as a message.
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        if not change:
            obj.issued_token = form.token

    def response_add(self, request, obj, post_url_continue=None):
        context = {**self.admin_site.each_context(request), "title": "API token issued", "token": obj.issued_token, "token_user": obj.user,
                   "expiry": obj.expiry, "opts": self.opts, "changelist_url": "../"}
        response = TemplateResponse(request, "admin/knox/token_issued.html", context)
        response["Cache-Control"] = "no-store"
        return response
