"""Provenant settings, read from the environment.

A local `.env` file (KEY=VALUE lines; `make run` writes one with DJANGO_DEBUG=1) supplies variables
the environment does not set, so the README's manage.py commands work in a development checkout.
Production sets its variables in the environment and has no .env: there, DEBUG stays off and
SECRET_KEY stays required. DJANGO_ENV_FILE names another file ("" reads none).

DATABASE_URL      sqlite:///db.sqlite3 (default, in the project root) or postgres://user@host:port/name
DJANGO_DEBUG      1/true to debug; off by default
SECRET_KEY        required unless debugging (a development key is used only while DJANGO_DEBUG is on)
ALLOWED_HOSTS     comma-separated; defaults to localhost names while debugging
SEARCH_INDEX_DIR  where the whoosh index lives (default var/search-index)
SEARCH_BACKEND    whoosh (default) or postgres (PostgreSQL full-text search, PostgreSQL only)
API_THROTTLE_ANON requests per anonymous client (address), e.g. 60/minute (default)
API_THROTTLE_USER requests per authenticated user, e.g. 600/minute (default)
API_THROTTLE_AUTH_FAILURES failed token authentications per address, e.g. 20/hour (default); then 429
API_MAX_BODY_BYTES largest accepted API request body (default 1048576); larger ones get 413
HUB_RESOLVE       on/1: look unknown model references up on the Hugging Face Hub during a check (off)
HUB_RESOLVE_TIMEOUT seconds per Hub call when HUB_RESOLVE is on (default 3)
CACHE_URL         redis://host:port/db for a cache shared by every worker (API throttle counts);
                  unset = local memory, counted per process
DB_CONN_MAX_AGE   seconds a database connection is reused (default 60)
TERMS_WEBHOOK_URL optional URL that watch_terms POSTs new terms versions to (signed JSON body)
TERMS_WEBHOOK_SECRET key of the webhook's HMAC-SHA256 signature (default: SECRET_KEY)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import security

BASE_DIR = Path(__file__).resolve().parent.parent


def read_env_file(path):
    """KEY=VALUE lines of a .env file as a dict; blank lines and # comments are skipped."""
    values = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"{path}, line {number}: expected KEY=VALUE, got {line!r}")
        values[key.strip()] = value.strip().strip("'\"")
    return values


_env_file = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file and Path(_env_file).is_file():
    for _key, _value in read_env_file(_env_file).items():
        os.environ.setdefault(_key, _value)  # the environment wins over the file


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or for local development set DJANGO_DEBUG=1 "
            "(in the environment or in the checkout's .env file, which `make run` writes)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "simple_history",
    "apitokens",
    "kb",
    "kbreview",
    "policies",
    "registry",
    "audit",
    "termswatch",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "config.security.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A reused connection is checked (SELECT 1) before a request's first query, so one the server
        # ended since (restart, idle timeout) is replaced instead of failing that request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the registry's recursive lineage queries reach its cost threshold on their
    # row estimates, and compiling takes far longer than these short queries run (a libpq option).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Content-Security-Policy and Permissions-Policy on every response (config/security.py).
CONTENT_SECURITY_POLICY = security.policy(**security.STRICT)
_INLINE_STYLES = {**security.STRICT, "style_src": "'self' 'unsafe-inline'"}
CONTENT_SECURITY_POLICY_PATHS = [  # (path prefix, policy); the first match wins
    ("/admin/", security.policy(**_INLINE_STYLES)),  # django-simple-history's pages carry style attributes
    ("/api/v1/docs", security.policy(**_INLINE_STYLES)),  # Swagger UI
    ("/api/v1/redoc", security.policy(**_INLINE_STYLES, worker_src="'self' blob:")),  # Redoc: styled-components, a blob: worker
]
PERMISSIONS_POLICY = security.PERMISSIONS_POLICY
# No script reads the CSRF cookie: forms carry the token, and the admin's preview and Swagger UI
# read it from the page. So scripts may not read the cookie either.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"  # JSON under /api/, Django's page elsewhere

# SQLite cannot enforce LineageEdge's NULLS NOT DISTINCT uniqueness; PostgreSQL does, and
# load_kb upserts edges by their natural key on both, so fixtures cannot create duplicates.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Where the knowledge base's fixtures live (YAML + Markdown); load_kb reads them.
KB_FIXTURES_DIR = Path(os.environ.get("KB_FIXTURES_DIR", BASE_DIR / "fixtures"))

# Resolution on demand: a model reference that neither the knowledge base nor the registry knows is
# looked up on the Hugging Face Hub during the check (registry.lineage), bounded by this timeout per
# call; off by default (and in tests), since a check then depends on the network.
HUB_RESOLVE = env_bool("HUB_RESOLVE", False)
HUB_RESOLVE_TIMEOUT = float(os.environ.get("HUB_RESOLVE_TIMEOUT", "3"))

# Four eyes: a rule's publisher must not be anyone who changed it since its last publication (policies.publishing).
POLICY_FOUR_EYES = env_bool("POLICY_FOUR_EYES", False)

SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR", BASE_DIR / "var" / "search-index"))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # API clients send `Authorization: Token …` or `Bearer …`; the portal's session also works.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apitokens.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Reading the knowledge base is open; endpoints that need a user say so themselves.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonThrottle", "api.throttling.UserThrottle"],
    # Counted in the default cache: per process with the local-memory cache; set CACHE_URL to a
    # Redis server when several workers must share one budget.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
        # Failed token authentications per address (apitokens.throttling); then 429 until the hour is over.
        "auth_failures": os.environ.get("API_THROTTLE_AUTH_FAILURES", "20/hour"),
    },
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// URL (got {CACHE_URL!r}); leave it unset for a per-process cache.")

# Terms watch (termswatch): where `watch_terms` POSTs a JSON report of new versions, signed with
# HMAC-SHA256 under TERMS_WEBHOOK_SECRET (SECRET_KEY when unset). Unset: no webhook.
TERMS_WEBHOOK_URL = os.environ.get("TERMS_WEBHOOK_URL", "")
TERMS_WEBHOOK_SECRET = os.environ.get("TERMS_WEBHOOK_SECRET", "")

API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(1024 * 1024)))

# API tokens (django-rest-knox): only a SHA-512 digest is stored; `prv_` marks them for secret scanners.
REST_KNOX = {
    "TOKEN_TTL": None,  # CI tokens live until revoked in the admin; create_api_token --expires-in-days sets one
    "TOKEN_PREFIX": "prv_",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Provenant API",
    "DESCRIPTION": "AI licensing and IP policy knowledge base and compliance checks. Not legal advice.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise fetch a validity badge from validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "TermsKindEnum": "kb.models.TermsDocument.Kind",
        "InstrumentKindEnum": "kb.models.Instrument.Kind",
        "LineageNodeKindEnum": ["model", "dataset"],
        "HubRelationEnum": "registry.models.Relation.values",  # the Hub's words, beside kb's lineage relations
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_error_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if not DEBUG:
    # Production hardening; `manage.py check --deploy` passes with these.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
