"""Loaded with `-p tests.pytest_env` before Django starts: tests use development settings
unless the environment says otherwise (CI and `make test` set DJANGO_DEBUG explicitly)."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
