import shutil

import pytest
from django.conf import settings


@pytest.fixture
def fixtures(tmp_path):
    """A copy of the shipped fixtures directory that a test may edit."""
    target = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, target)
    return target
