"""Issuing API tokens (the admin issues them through knox's own add form)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from knox.models import AuthToken


@transaction.atomic
def issue_token(username, expires_in_days=None):
    """Create the user if needed (without a usable password) and a new token for them.

    Returns (user, created_user, token). The token is shown once: only its digest is stored.
    """
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    expiry = timedelta(days=expires_in_days) if expires_in_days else None
    _instance, token = AuthToken.objects.create(user=user, expiry=expiry)
    return user, created, token
