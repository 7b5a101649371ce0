"""Request rates per anonymous address and per token holder (settings: DEFAULT_THROTTLE_RATES)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _LiveRates:
    """Read the rate from the current settings on each request, so tests and deployments can
    change REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (DRF's classes freeze it at import time)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRates, AnonRateThrottle):
    """Per anonymous client (by address)."""


class UserThrottle(_LiveRates, UserRateThrottle):
    """Per authenticated user."""
