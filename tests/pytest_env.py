"""Loaded with `-p tests.pytest_env` before Django starts: tests use development settings unless
the environment says otherwise (CI and `make test` set DJANGO_DEBUG explicitly), and a search index
of their own, so a test run never rewrites the checkout's var/search-index."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("SEARCH_INDEX_DIR", tempfile.mkdtemp(prefix="provenant-test-index-"))
