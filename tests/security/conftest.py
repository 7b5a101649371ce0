"""The hardening tests (issue 18) reuse the API tests' clients and their fresh throttle budget."""

from tests.api.conftest import alice, api, bob, fresh_throttle_counts  # noqa: F401
