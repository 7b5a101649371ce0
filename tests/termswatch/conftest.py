import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BUNDLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "open-terms-archive-genai-eu.bundle"
needs_bundle = pytest.mark.skipif(not BUNDLE.exists(), reason="the Open Terms Archive bundle is not beside this checkout (../shared/data)")


@pytest.fixture(scope="session")
def ota_clone(tmp_path_factory):
    """A clone of the real genai-eu versions repository (Open Terms Archive contributors, ODC-BY 1.0)."""
    if not BUNDLE.exists():
        pytest.skip("the Open Terms Archive bundle is not beside this checkout (../shared/data)")
    target = tmp_path_factory.mktemp("ota") / "genai-eu-versions"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(target)], check=True)
    return target


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


class FakeRepo:
    """A small versions repository made in a test: each commit writes or deletes `<Service>/<Type>.md`."""

    def __init__(self, path):
        self.path = path
        path.mkdir()
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "user.email", "bot@example.org")
        git(path, "config", "user.name", "Test bot")

    def record(self, service, document_type, text, when="2026-01-01T10:00:00+00:00", message=None):
        folder = self.path / service
        folder.mkdir(exist_ok=True)
        (folder / f"{document_type}.md").write_text(text, encoding="utf-8")
        git(self.path, "add", "-A")
        return self._commit(message or f"Record new changes of {service} {document_type}", when)

    def delete(self, service, document_type, when="2026-01-02T10:00:00+00:00"):
        (self.path / service / f"{document_type}.md").unlink()
        git(self.path, "add", "-A")
        return self._commit(f"Stop tracking {service} {document_type}", when)

    def _commit(self, message, when):
        subprocess.run(
            ["git", "-C", str(self.path), "commit", "-q", "-m", message],
            check=True, env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "PATH": "/usr/bin:/bin", "HOME": str(self.path)},
        )
        return git(self.path, "rev-parse", "HEAD")


@pytest.fixture
def fake_repo(tmp_path):
    return FakeRepo(tmp_path / "versions")
