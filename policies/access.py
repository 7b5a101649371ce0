"""Who may see a logged check (its input and decision), in the API and the portal.

- its **owner**: the user who made it, or, for a check made in the portal without logging in, the
  browser session that made it (remembered in the session, at most SESSION_CHECKS of them);
- holders of the **`policies.view_check`** permission (auditors; the admin asks for the same one);
- anyone with its **share link**, once the owner has created one on purpose (`share`); the owner
  can revoke it (`unshare`). A check's id alone shows nothing to anybody else.

Being staff is not enough. Only the owner may share or stop sharing.
"""

import secrets

from policies.models import Check, CheckShare

VIEW_PERMISSION = "policies.view_check"
SESSION_KEY = "checks_made"
SESSION_CHECKS = 50


def may_view_all(user):
    return user is not None and user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def visible_checks(user):
    """The checks `user` may list: all of them with the permission, else their own."""
    checks = Check.objects.select_related("requester")
    if may_view_all(user):
        return checks
    if user is None or not user.is_authenticated:
        return checks.none()
    return checks.filter(requester=user)


def remember(session, check):
    """Note in the (anonymous) session that it made `check`, so it can see it again."""
    made = [c for c in session.get(SESSION_KEY, []) if c != str(check.pk)]
    session[SESSION_KEY] = [*made, str(check.pk)][-SESSION_CHECKS:]


def is_owner(user, check, session=None):
    if check.requester_id is not None:
        return user is not None and user.is_authenticated and check.requester_id == user.pk
    return session is not None and str(check.pk) in session.get(SESSION_KEY, [])


def share_token_matches(check, token):
    if not token:
        return False
    share = CheckShare.objects.filter(shared=check).only("token").first()
    return share is not None and secrets.compare_digest(share.token, token)


def may_view(user, check, session=None, share_token=None):
    return is_owner(user, check, session) or may_view_all(user) or share_token_matches(check, share_token)


def share(check, user):
    """The check's share token, created now unless it exists (the owner's deliberate act; callers check is_owner)."""
    created_by = user if user is not None and user.is_authenticated else None
    link, _created = CheckShare.objects.get_or_create(shared=check, defaults={"token": secrets.token_urlsafe(32), "created_by": created_by})
    return link.token


def unshare(check):
    CheckShare.objects.filter(shared=check).delete()


def share_token_of(check):
    return CheckShare.objects.filter(shared=check).values_list("token", flat=True).first()
