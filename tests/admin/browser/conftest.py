# The browser fixtures (Debian's Chromium via Playwright, the live server with the knowledge base)
# and the hook that runs transactional browser tests last, shared with tests/browser.
from tests.browser.conftest import chromium, page, portal, pytest_collection_modifyitems, pytest_runtest_makereport  # noqa: F401
