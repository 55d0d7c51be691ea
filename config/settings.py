"""Settings for the accountability tracker; every deployment value comes from the environment."""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str, env_url
from config.spectacular import ModelFieldEnumNames

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long")
        return key
    if not DEBUG:
        # A deployment names its key: one made up here would differ per host and sign nothing
        # the other hosts accept.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set it to 50 or more random characters "
            "(or set DEBUG=1 on a development machine, which keeps one under VAR_DIR)"
        )
    # Development without a key: keep a random one per machine under var/ (never in the repo),
    # so sessions survive a restart of `make run`.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "core",
    "org",
    "accountability",
    "oversight",
    "performance",
    "risk",
    "governance",
    "reports",
    "signon",
    "operations",
]

MIDDLEWARE = [
    "core.middleware.FreezeStartupObjectsMiddleware",  # loaded last: once the rest is built
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RefuseControlCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "signon.session_user.CachedUserAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.CSPMiddleware",  # django-csp's, the settings' policy built once
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    "operations.middleware.RequestLogMiddleware",
    "core.middleware.MalformedIdMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "org.context_processors.access",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"
DATABASE_URL = env_url(
    "DATABASE_URL", _default_db, ("sqlite", "postgres", "postgresql", "pgsql", "postgis")
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with timestamps read by psycopg's C loader (core/db/postgresql).
    DATABASES["default"]["ENGINE"] = "core.db.postgresql"
    # Parameters bound by the server, so that psycopg prepares a statement a connection has run
    # DB_PREPARE_THRESHOLD times and PostgreSQL stops planning it on every request: the decision
    # list's six-way join took 3-5 ms to plan and 1-2 ms to run. DB_PREPARE_THRESHOLD=-1 turns
    # preparing off (a PgBouncer pool in transaction mode keeps no prepared statement).
    _prepare = env_int("DB_PREPARE_THRESHOLD", 5, minimum=-1)
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": None if _prepare < 0 else _prepare,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the Celery worker writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
_test_db_name = env_str("TEST_DATABASE_NAME")
if _test_db_name:
    DATABASES["default"]["TEST"] = {"NAME": _test_db_name}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "core.db.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker, Celery --------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        # Django's Redis cache with one client per pool, not one per operation (core.cache).
        "default": {"BACKEND": "core.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from the shared cache (written through to the database): a signed-in
    # request no longer queries the session row (issue 13). Without Redis the per-process
    # locmem cache is not shared between processes, so sessions stay in the database there.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # The signed-in user and their role read from the same cache, dropped by any change to
    # either (signon.session_user): no user or role query on a signed-in request.
    AUTH_USER_CACHE = True
    CELERY_BROKER_URL = REDIS_URL
    # A task whose worker died goes back on the queue after this long. It must outlast the
    # longest step and the longest retry countdown (300 s, reports.tasks.backoff), or a live
    # task would be delivered twice; a dead worker's run is recovered sooner by the heartbeat
    # sweep (REPORT_STALE_AFTER_SECONDS), so it need not be short.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600, minimum=10)
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    AUTH_USER_CACHE = False
    # Embedded default: a broker on the local file system, so `make run` needs no Redis. Every
    # folder it writes is under VAR_DIR (kombu's exchange table would otherwise go to ./control).
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Each app adds its periodic jobs in its own `schedule.py`; config/celery.py gathers them.
CELERY_BEAT_SCHEDULE: dict = {}

# --- Authentication ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses a password sign-in when OIDC_LOCAL_SIGNIN=0, but for the break-glass administrators.
    "signon.backends.LocalSignInGate",
    "django.contrib.auth.backends.ModelBackend",
    "signon.backends.ProviderBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "core.middleware.lockout_response"  # JSON for the API
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# --- Single sign-on: OpenID Connect (signon app; README "Single sign-on") -----------------------
# Off unless OIDC_ISSUER and OIDC_CLIENT_ID are set; then the login page offers "Sign in with
# <OIDC_PROVIDER_NAME>" (authorization code flow with PKCE, endpoints from the issuer's discovery
# document) and roles follow OIDC_GROUP_ROLES at every sign-in.
OIDC_ISSUER = (env_str("OIDC_ISSUER", "") or "").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "") or ""
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "") or ""
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "") or "openid email profile"
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256") or "RS256"
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "") or ""
OIDC_CLAIM_USERNAME = env_str("OIDC_CLAIM_USERNAME", "preferred_username") or "preferred_username"
OIDC_CLAIM_NAME = env_str("OIDC_CLAIM_NAME", "name") or "name"
OIDC_CLAIM_EMAIL = env_str("OIDC_CLAIM_EMAIL", "email") or "email"
OIDC_CLAIM_INDEX_NUMBER = env_str("OIDC_CLAIM_INDEX_NUMBER", "") or ""
OIDC_CLAIM_GROUPS = env_str("OIDC_CLAIM_GROUPS", "groups") or "groups"
try:
    from signon.mapping import parse_group_roles

    OIDC_GROUP_ROLES = parse_group_roles(env_str("OIDC_GROUP_ROLES", ""))
except ValueError as error:
    raise ImproperlyConfigured(f"OIDC_GROUP_ROLES: {error}") from None
OIDC_LOCAL_SIGNIN = env_bool("OIDC_LOCAL_SIGNIN", True)
OIDC_BREAK_GLASS_ADMINS = env_list("OIDC_BREAK_GLASS_ADMINS", [])
OIDC_ACCESS_CONTACT = env_str("OIDC_ACCESS_CONTACT", "") or ""
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", 60, minimum=0)
if OIDC_CLOCK_SKEW_SECONDS > 300:
    raise ImproperlyConfigured("OIDC_CLOCK_SKEW_SECONDS must be at most 300")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
# A session opened through the provider lasts this long: roles are re-read at least this often.
OIDC_SESSION_HOURS = env_int("OIDC_SESSION_HOURS", 10, minimum=1)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for the provider's logout
OIDC_AUTHENTICATE_CLASS = "signon.views.ProviderSignInView"
OIDC_CALLBACK_CLASS = "signon.views.ProviderCallbackView"
# API tokens issued from the profile page (signon.models.APIToken) expire after at most this.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 90, minimum=1)

# --- Languages ---------------------------------------------------------------
LANGUAGE_CODE = "en"
# The six official languages, in the order the United Nations lists them. Arabic is written
# right to left (Django's LANGUAGES_BIDI names it); the language menu names each in itself.
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static and uploaded files ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Uploads are stored under random names (core.uploads), served only by permission checks.
    "default": {"BACKEND": "core.uploads.UnguessableFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Issued report files and evidence go to S3-compatible object storage when a bucket is named,
# so several web and worker machines share them; otherwise to MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL"),
            "region_name": env_str("AWS_S3_REGION_NAME"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "accountability-tracker@localhost")
# One date style on every page: UN style ("20 November 2026"); see core/formats.
FORMAT_MODULE_PATH = "core.formats"

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's tokens (POST /api/auth/token/) and the expiring ones of the profile page.
        "signon.authentication.APITokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.keyset.KeysetCursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "COERCE_DECIMAL_TO_STRING": True,
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Accountability tracker API (A/RES/64/259)",
    "DESCRIPTION": "Records that answer General Assembly resolution 64/259.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs describe every resource: signed-in users only (README).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": ModelFieldEnumNames(),
}

# --- Security -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics/$"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- Operations (operations app; README, "Operating the tracker") -----------
# Structured logs: JSON lines (LOG_FORMAT=json, the default without DEBUG) or a readable console
# line (LOG_FORMAT=console, the default under DEBUG); request id, user id, task; secrets scrubbed.
LOG_FORMAT = env_str("LOG_FORMAT", "console" if DEBUG else "json")
from operations.logging import logging_config  # noqa: E402  (no Django import inside)

LOGGING = logging_config(fmt=LOG_FORMAT, level=env_str("LOG_LEVEL", "INFO"))
# Celery keeps this logging (web, worker and beat write the same lines).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Prometheus metrics at /metrics/, only when enabled and only to these addresses / networks.
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
# Optional Sentry-compatible error tracker; nothing is initialised without a DSN.
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from operations import sentry as _sentry

    _sentry.init(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", ""),
        release=env_str("SENTRY_RELEASE", ""),
    )
# Retention of personal data, in years, per kind (operations/retention.py; nightly beat job,
# `manage.py apply_retention --dry-run` lists what would change).
RETENTION_YEARS = {
    "person": env_int("RETENTION_PERSON_YEARS", 7, minimum=1),  # after separation
    "disciplinary_case": env_int("RETENTION_DISCIPLINARY_YEARS", 10, minimum=1),  # after opening
}

# Report generation deadlines and schedule (reports app).
REPORT_STUCK_AFTER_MINUTES = env_int("REPORT_STUCK_AFTER_MINUTES", 60, minimum=1)
# Bounded recovery: the worker touches the run's heartbeat every REPORT_HEARTBEAT_SECONDS while
# compiling; the sweep (beat, every REPORT_SWEEP_SECONDS) queues again a run whose heartbeat is
# older than REPORT_STALE_AFTER_SECONDS, and fails it after REPORT_MAX_ATTEMPTS attempts.
REPORT_HEARTBEAT_SECONDS = env_int("REPORT_HEARTBEAT_SECONDS", 5, minimum=1)
REPORT_STALE_AFTER_SECONDS = env_int("REPORT_STALE_AFTER_SECONDS", 30, minimum=2)
REPORT_SWEEP_SECONDS = env_int("REPORT_SWEEP_SECONDS", 30, minimum=1)
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 3, minimum=1)

# Procurement (risk app, para 32): a case worth more than this (USD) is awarded only after a
# committee on contracts review recommending the award.
CONTRACTS_COMMITTEE_THRESHOLD_USD = env_int("CONTRACTS_COMMITTEE_THRESHOLD_USD", 500000, minimum=0)

# Checkpoints of the change history's head, outside the database (core.history; README,
# "Verifying the history"): signed with AUDIT_CHECKPOINT_KEY (without it, a per-machine key file
# under VAR_DIR), appended to a file per database in AUDIT_CHECKPOINT_DIR every
# AUDIT_CHECKPOINT_SECONDS, at every report compile and before every backup.
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY", "")
AUDIT_CHECKPOINT_DIR = Path(env_str("AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 3600, minimum=10)

# seed_demo creates well-known demo passwords: production deployments set ALLOW_DEMO_DATA=0.
ALLOW_DEMO_DATA = env_bool("ALLOW_DEMO_DATA", True)
