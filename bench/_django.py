"""Shared bench setup: Django on a fresh SQLite database with the shipped fixtures loaded."""

import os
import time


def setup_django(db_path, database_url=None):
    """Start Django on db_path (or database_url, an empty database), migrate, load the knowledge base;
    return load_kb's seconds."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings: with DEBUG on, Django wraps every cursor to log its queries, which would
    # be measured as part of the work under test.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + os.urandom(16).hex())
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{db_path}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        call_command("load_kb", fixtures=str(settings.KB_FIXTURES_DIR), verbosity=0, stdout=devnull)
    return time.perf_counter() - started
