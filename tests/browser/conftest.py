"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser).

They need pytest-django's live_server, which makes each test transactional: the tables are flushed
afterwards. So these tests load the knowledge base themselves and run after every other test.
On a failure the page is saved under test-artifacts/ and the path is printed.
"""

import io
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(session, config, items):
    # Transactional tests flush the shared test database: run them after everything else.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls made by the test and by
    # live_server's teardown are still synchronous, so tell Django not to refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def portal(live_server, settings, tmp_path):
    """The live portal with the shipped knowledge base loaded and indexed (whoosh, in tmp_path)."""
    from django.core.management import call_command

    settings.SEARCH_BACKEND = "whoosh"
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    call_command("load_kb", fixtures=str(settings.KB_FIXTURES_DIR), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("rebuild_index", stdout=io.StringIO(), stderr=io.StringIO())
    return live_server


@pytest.fixture
def page(chromium, portal, request):
    context = chromium.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"\nscreenshot of the failed page: {path}")
    context.close()
