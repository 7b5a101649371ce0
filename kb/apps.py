from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from kb.search import sync

        # Keep the whoosh index in step with saves and deletes (after commit) and with load_kb.
        sync.connect()
