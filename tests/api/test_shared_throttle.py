"""With CACHE_URL pointing at Redis, every worker process counts against one throttle budget."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from api.throttling import AnonThrottle

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]

# Another worker: its own interpreter and Django, the same settings and CACHE_URL.
WORKER = """
import django
django.setup()
from django.test import RequestFactory
from api.throttling import AnonThrottle
from django.contrib.auth.models import AnonymousUser
request = RequestFactory().get("/api/v1/organizations", REMOTE_ADDR="203.0.113.7")
request.user = AnonymousUser()
print(",".join(str(AnonThrottle().allow_request(request, None)) for _ in range(2)))
"""


def redis_is_up():
    host, port = REDIS_URL.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_is_up(), reason=f"no Redis at {REDIS_URL}")
def test_two_worker_processes_share_one_anonymous_budget_through_redis(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"}}
    from django.core.cache import cache

    cache.clear()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", "CACHE_URL": REDIS_URL,
           "API_THROTTLE_ANON": "2/minute"}
    other = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "True,True"  # the other worker spent the whole budget

    request = RequestFactory().get("/api/v1/organizations", REMOTE_ADDR="203.0.113.7")
    request.user = AnonymousUser()
    assert AnonThrottle().allow_request(request, None) is False  # so this worker refuses the third request
    cache.clear()


def test_cache_url_must_be_a_redis_url(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "memcached://127.0.0.1:11211")
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    check = subprocess.run([sys.executable, "-c", "import config.settings"], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ}, timeout=60)
    assert check.returncode != 0 and "CACHE_URL must be a redis://" in check.stderr
    assert ImproperlyConfigured.__name__ in check.stderr
