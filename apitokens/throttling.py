"""Failed token authentication, counted per client address: past the budget (settings
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_failures"]) every token from that address is refused
with 429 until the window has passed, so guessing tokens costs a lifetime. Successful requests are
not counted here (the anon and user throttles count those)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class FailedAuthThrottle(SimpleRateThrottle):
    scope = "auth_failures"

    def get_rate(self):
        # Read on each use, as api.throttling's throttles do, so settings can change it.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _recent(self, request):
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration]

    def blocked(self, request):
        """True when this address has used up its failures; `wait()` then says for how long."""
        if self.rate is None:
            return False
        self._recent(request)
        return len(self.history) >= self.num_requests

    def record_failure(self, request):
        if self.rate is None:
            return
        self._recent(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
