from django.apps import AppConfig


class KbReviewConfig(AppConfig):
    """Knowledge-base edits that can change a decision wait as pending changes until reviewed and published."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "kbreview"
    verbose_name = "Knowledge-base review"

    def ready(self):
        from kb.fixtures_io import register_hold
        from kbreview.selectors import pending_hold

        # load_kb never writes over a record's pending change (as it never writes over a rule's draft).
        register_hold(pending_hold)
