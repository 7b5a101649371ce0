"""Token authentication for the API: `Authorization: Token <token>` or `Authorization: Bearer <token>`.

Tokens are django-rest-knox tokens: the database keeps only a SHA-512 digest and an 8-character
lookup prefix, so a leaked database does not leak usable tokens. Knox accepts one header keyword;
pipelines and HTTP clients commonly send `Bearer`, so both are accepted here.
"""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from apitokens.throttling import FailedAuthThrottle

KEYWORDS = (b"token", b"bearer")


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # no token: anonymous, or another scheme (the session) decides
        throttle = FailedAuthThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(throttle.wait(), detail="Too many failed authentications from this address.")
        try:
            return self.check_token(parts)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise

    def check_token(self, parts):
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid Authorization header: expected 'Token <token>' or 'Bearer <token>'.")
        try:
            parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return self.authenticate_credentials(parts[1])

    def authenticate_header(self, request):
        # Sent as WWW-Authenticate with 401 responses.
        return "Token"

    def _cleanup_token(self, auth_token):
        """Refuse (and delete) this token if it has expired.

        Knox also loads and prunes all of the user's other tokens here: one more query on every
        request. Expired tokens are refused when used either way, so that pruning is left out.
        """
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
