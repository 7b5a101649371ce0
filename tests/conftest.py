import io

import pytest
from django.conf import settings
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test sees the shipped knowledge base; each test rolls back its own changes."""
    with django_db_blocker.unblock():
        call_command("load_kb", fixtures=str(settings.KB_FIXTURES_DIR), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def kb_db(db):
    """Database access with the shipped knowledge base present (named for readability)."""
    return None
