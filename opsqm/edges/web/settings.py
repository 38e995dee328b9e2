"""The one settings module: every deployment knob is an environment variable.

Defaults give the embedded set-up (SQLite under ./var, debug off unless asked);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and OPSQM_SECURE=1.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from opsqm.infra.accounts import identity_settings

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})
# Only with DEBUG on: a production key must come from SECRET_KEY (`opsqm check` refuses this one).
DEVELOPMENT_SECRET_KEY = "opsqm-development-key-change-me-in-production"


def envbool(name: str, default: bool = False) -> bool:
    """A yes/no variable; a value that is neither (a typo) stops the start-up."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: write 1/0, true/false, yes/no or on/off"
    )


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parents[2]  # opsqm/, two levels above edges/web/
# Data directory: database, uploads (outside the web root), generated reports.
VAR_DIR = Path(os.environ.get("OPSQM_VAR_DIR") or Path.cwd() / "var").resolve()

DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not SECRET_KEY:
    # mypy's Django plugin imports these settings to read the models; it serves nothing.
    if not DEBUG and "mypy" not in sys.modules:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: production needs its own secret key "
            "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'); "
            "DEBUG=1 runs with the development key (development only)"
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / ReDoc assets served locally (no CDN)
    "opsqm.infra.core",
    "opsqm.infra.accounts",
    "opsqm.infra.audit",
    "opsqm.facts.contracts",
    "opsqm.facts.staff",
    "opsqm.facts.attendance",
    "opsqm.facts.tickets",
    "opsqm.facts.incidents",
    "opsqm.derived.ledger",
    "opsqm.derived.settlement",
    "opsqm.derived.dashboards",
    "opsqm.edges.api",
    "opsqm.infra.jobs",
    "opsqm.infra.mail",
    "opsqm.infra.documents",
    "opsqm.infra.ops",
    "opsqm.derived.acceptance",
    "opsqm.derived.reports",
    "opsqm.derived.payments",
    "opsqm.edges.home",
    "opsqm.edges.demo",
    "opsqm.edges.schedules",
]

MIDDLEWARE = [
    # First: the request id is known to every later log line, and the timing covers all.
    "opsqm.infra.ops.middleware.RequestIdMiddleware",
    "opsqm.infra.ops.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "opsqm.infra.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opsqm.infra.accounts.middleware.IdleTimeoutMiddleware",
    "opsqm.infra.core.middleware.RequestContextMiddleware",
    "opsqm.infra.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opsqm.edges.web.urls"
WSGI_APPLICATION = "opsqm.edges.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "opsqm.infra.core.context_processors.navigation",
                "opsqm.infra.ops.context_processors.version",
                "opsqm.edges.home.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # Empty (as in the env template): the embedded SQLite database.
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'opsqm.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web process share the embedded database.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# "default" is shared by every process: the database (table opsqm_cache, made by a
# migration) or Redis when OPSQM_REDIS_URL is set.  "local" is per process, in
# memory, for what may lag a minute behind other processes (the board's filter lists).
OPSQM_REDIS_URL = os.environ.get("OPSQM_REDIS_URL", "").strip()
if OPSQM_REDIS_URL:
    if not OPSQM_REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("OPSQM_REDIS_URL must be a redis://, rediss:// or unix:// URL")
    try:
        import redis  # noqa: F401
    except ImportError as exc:
        raise ImproperlyConfigured(
            "OPSQM_REDIS_URL is set but the redis package is missing"
        ) from exc
    _SHARED_CACHE: dict[str, object] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": OPSQM_REDIS_URL,
    }
else:
    _SHARED_CACHE = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "opsqm_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
CACHES = {
    "default": _SHARED_CACHE,
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
# How often the worker recomputes the kept ledgers that no longer hold (docs/ledger.md);
# 0 turns it off (pages then compute what is stale themselves).
OPSQM_LEDGER_KEEP_SECONDS = envint("OPSQM_LEDGER_KEEP_SECONDS", 60)
# How often the worker looks for scheduled reports that are due (docs/reports.md); 0: off.
OPSQM_REPORT_SCHEDULE_SECONDS = envint("OPSQM_REPORT_SCHEDULE_SECONDS", 300)
# How long a process keeps a user's inbox count for the header's bell (docs/dashboards.md).
OPSQM_INBOX_BELL_SECONDS = envint("OPSQM_INBOX_BELL_SECONDS", 30)
if OPSQM_LEDGER_KEEP_SECONDS < 0:
    raise ImproperlyConfigured("OPSQM_LEDGER_KEEP_SECONDS must be 0 (off) or more seconds")

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The bureau's directory (LDAP/AD) and single sign-on platform (OIDC), each on when
# its variables are set (docs/security.md); local passwords always work.
_LDAP = identity_settings.ldap_settings(os.environ)
_OIDC = identity_settings.oidc_settings(os.environ)
# OpsQM's own part of each (role mapping, attribute and claim names); django-auth-ldap's
# AUTH_LDAP_* and mozilla-django-oidc's OIDC_* settings are the rest.
OPSQM_LDAP = _LDAP.pop("OPSQM_LDAP", {})
OPSQM_OIDC = _OIDC.pop("OPSQM_OIDC", {})
globals().update(_LDAP)
globals().update(_OIDC)
OPSQM_LDAP_ENABLED = bool(OPSQM_LDAP)
OPSQM_OIDC_ENABLED = bool(OPSQM_OIDC)
OPSQM_DIRECTORY_MAPS = identity_settings.scope_maps(os.environ)
# How often the worker asks the directory about its accounts (opsqm.infra.accounts.tasks).
OPSQM_LDAP_SYNC_SECONDS = envint("OPSQM_LDAP_SYNC_SECONDS", 3600)
AUTHENTICATION_BACKENDS = identity_settings.backends(OPSQM_LDAP_ENABLED, OPSQM_OIDC_ENABLED)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "opsqm.infra.accounts.validators.CharacterClassValidator"},
    {"NAME": "opsqm.infra.accounts.validators.UsernameInPasswordValidator"},
]

# 等保 2.0: lock an account after 5 failed logins; unlocked by the security admin.
AXES_FAILURE_LIMIT = envint("OPSQM_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = None
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
# Lock the account, not the address: a prison unit's terminals share one NAT address,
# and locking it would shut out the whole unit (axes.W006 asks for the latter).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# The audit key (HMAC of every audit record) and the checkpoint file of the chain's
# head: both outside the database (docs/security.md, "The audit chain").
OPSQM_AUDIT_KEY_FILE = Path(os.environ.get("OPSQM_AUDIT_KEY_FILE", VAR_DIR / "audit.key"))
OPSQM_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("OPSQM_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl")
)
OPSQM_AUDIT_CHECKPOINT_SECONDS = envint("OPSQM_AUDIT_CHECKPOINT_SECONDS", 3600)
if not 60 <= OPSQM_AUDIT_CHECKPOINT_SECONDS <= 3600:
    raise ImproperlyConfigured("OPSQM_AUDIT_CHECKPOINT_SECONDS must be 60…3600 (at least hourly)")

# Days an API token lives (opsqm.infra.accounts.models.ApiToken).
OPSQM_API_TOKEN_DAYS = envint("OPSQM_API_TOKEN_DAYS", 90)
if not 1 <= OPSQM_API_TOKEN_DAYS <= 3650:
    raise ImproperlyConfigured(
        f"OPSQM_API_TOKEN_DAYS={OPSQM_API_TOKEN_DAYS} must be a number of days from 1 to 3650"
    )

# Idle-session timeout (seconds); the session also ends with the browser.
OPSQM_IDLE_TIMEOUT = envint("OPSQM_IDLE_TIMEOUT", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 12 * 3600

SECURE = envbool("OPSQM_SECURE", False)  # behind HTTPS
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS on by default (a year); SECURE_HSTS_SECONDS=0 turns it off.
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    # Plain http is redirected to https (SECURE_SSL_REDIRECT=0 if the proxy does it).
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)

# The reverse proxies in front of the app (addresses or CIDR networks, comma-separated).
# X-Forwarded-For is believed only from them (opsqm.infra.core.request_context.client_ip);
# empty: the direct peer is the client and the header is ignored.
OPSQM_TRUSTED_PROXIES = [
    str(ipaddress.ip_network(p.strip(), strict=False))
    for p in os.environ.get("OPSQM_TRUSTED_PROXIES", "").split(",")
    if p.strip()
]
# django-axes records the same client address as the audit log.
AXES_CLIENT_IP_CALLABLE = "opsqm.infra.core.request_context.request_client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# 2026-10-25 00:00 wherever a template prints a date or time without a format.
FORMAT_MODULE_PATH = ["opsqm.edges.web.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The offline bundle ships the collected static files (install.sh sets OPSQM_STATIC_ROOT).
STATIC_ROOT = Path(os.environ.get("OPSQM_STATIC_ROOT") or VAR_DIR / "static").resolve()
# WhiteNoise scans it at start-up; before the first collectstatic it must exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# collectstatic without compressing (the bundle build gzips afterwards: brotli at its best
# level takes minutes on the API documentation's scripts); serving is the same.
if not envbool("OPSQM_STATIC_COMPRESS", True):
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    }
# Uploads live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = None
OPSQM_UPLOAD_MAX_BYTES = envint("OPSQM_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = OPSQM_UPLOAD_MAX_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, refusing accounts that must change their password first.
        "opsqm.edges.api.authentication.TokenAuthentication",
        "opsqm.edges.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "opsqm.edges.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpsQM API",
    "DESCRIPTION": "运维服务质量管理平台 API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every error answer declared with its body (docs/api.md); the enum hook kept.
    "POSTPROCESSING_HOOKS": ["opsqm.edges.api.schema_errors.add_error_responses"],
}

# The default rulebook for contracts that name none.
OPSQM_DEFAULT_RULEBOOK = os.environ.get("OPSQM_DEFAULT_RULEBOOK", "beijing-prison-2025")

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicedesk@opsqm.local")

if envbool("OPSQM_FAST_HASHER"):
    # Tests only: the real hasher costs ~0.3 s per login.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Production logging: to stderr (journald under systemd, `docker logs` in a container),
# INFO by default, one line per record with the request id (X-Request-ID from nginx,
# or made up): a request error is one line naming the request, its traceback folded in.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "opsqm.infra.ops.logging.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "opsqm.infra.ops.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django logs each 4xx/5xx response; 404s and 403s are no news in production.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its start-up banner in every command
        # Per-document progress lines of the PDF renderer and its font subsetter, and
        # every connection of the loopback SMTP relay: noise in the console.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
    },
}


# ---------------------------------------------------------------------------
# Background jobs (opsqm.infra.jobs) and the bureau's intranet mail (opsqm.infra.mail).
# See docs/worker.md and docs/mail.md.
JOBS_RETRY_BASE_SECONDS = envint("JOBS_RETRY_BASE_SECONDS", 10)
JOBS_RETRY_MAX_SECONDS = envint("JOBS_RETRY_MAX_SECONDS", 3600)
JOBS_STALE_AFTER_SECONDS = envint("JOBS_STALE_AFTER_SECONDS", 15 * 60)
# How often a worker refreshes the lock of the job it runs (its heartbeat).
JOBS_HEARTBEAT_SECONDS = envint("JOBS_HEARTBEAT_SECONDS", 10)

# Message-IDs are <…@MAIL_DOMAIN>; the From of everything OpsQM sends.
MAIL_DOMAIN = (
    os.environ.get("MAIL_DOMAIN") or DEFAULT_FROM_EMAIL.rpartition("@")[2] or "opsqm.local"
)
MAIL_FROM = os.environ.get("MAIL_FROM", DEFAULT_FROM_EMAIL)
# The service desk's mailbox: Bcc of every outbound message, so that its copy's
# server receive time can be read back (empty: no Bcc).
MAIL_SERVICE_DESK_ADDRESS = os.environ.get("MAIL_SERVICE_DESK_ADDRESS", MAIL_FROM)
MAIL_BCC_SERVICE_DESK = envbool("MAIL_BCC_SERVICE_DESK", True)
MAIL_TICKET_PREFIX = os.environ.get("MAIL_TICKET_PREFIX", "GD")
MAIL_SMTP_HOST = os.environ.get("MAIL_SMTP_HOST", "127.0.0.1")
MAIL_SMTP_PORT = envint("MAIL_SMTP_PORT", 25)
MAIL_SMTP_USER = os.environ.get("MAIL_SMTP_USER", "")
MAIL_SMTP_PASSWORD = os.environ.get("MAIL_SMTP_PASSWORD", "")
MAIL_SMTP_STARTTLS = envbool("MAIL_SMTP_STARTTLS", False)
MAIL_SMTP_SSL = envbool("MAIL_SMTP_SSL", False)  # implicit TLS (port 465)
MAIL_SMTP_TIMEOUT = envint("MAIL_SMTP_TIMEOUT", 30)
# The mailbox OpsQM reads (the service desk's); empty host: no polling.
MAIL_IMAP_HOST = os.environ.get("MAIL_IMAP_HOST", "")
MAIL_IMAP_PORT = envint("MAIL_IMAP_PORT", 143)
MAIL_IMAP_USER = os.environ.get("MAIL_IMAP_USER", "")
MAIL_IMAP_PASSWORD = os.environ.get("MAIL_IMAP_PASSWORD", "")
MAIL_IMAP_SSL = envbool("MAIL_IMAP_SSL", False)  # IMAPS (port 993)
MAIL_IMAP_STARTTLS = envbool("MAIL_IMAP_STARTTLS", False)
MAIL_IMAP_MAILBOX = os.environ.get("MAIL_IMAP_MAILBOX", "INBOX")
MAIL_IMAP_TIMEOUT = envint("MAIL_IMAP_TIMEOUT", 30)
MAIL_TLS_CA_FILE = os.environ.get("MAIL_TLS_CA_FILE", "")  # the bureau's CA, if private
MAIL_POLL_INTERVAL = envint("MAIL_POLL_INTERVAL", 60)
MAIL_POLL_BATCH = envint("MAIL_POLL_BATCH", 200)
# A poll whose worker stopped beating this long is given back (a killed worker's
# poll resumes within a minute: this + the 5 s housekeeping; docs/mail.md).
MAIL_POLL_STALE_SECONDS = envint("MAIL_POLL_STALE_SECONDS", 45)
if not 1 <= JOBS_HEARTBEAT_SECONDS < MAIL_POLL_STALE_SECONDS:
    raise ValueError(
        f"JOBS_HEARTBEAT_SECONDS ({JOBS_HEARTBEAT_SECONDS}) must be at least 1 and below "
        f"MAIL_POLL_STALE_SECONDS ({MAIL_POLL_STALE_SECONDS}): a live poll would be taken for lost"
    )
MAIL_MAX_ATTACHMENT_BYTES = envint("MAIL_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)


# ---------------------------------------------------------------------------
# Operations (opsqm.infra.ops, docs/operations.md): health, metrics, backups.
# /metrics answers these addresses or networks (comma-separated) …
OPSQM_METRICS_ALLOWED = [
    str(ipaddress.ip_network(p, strict=False))
    for p in envlist("OPSQM_METRICS_ALLOWED", "127.0.0.1")
]
# … and any client with `Authorization: Bearer <token>` (empty: no token accepted).
OPSQM_METRICS_TOKEN = os.environ.get("OPSQM_METRICS_TOKEN", "")
# /healthz: a worker must have beaten within, the last mail poll succeeded within (seconds).
OPSQM_HEALTH_WORKER_MAX_AGE = envint("OPSQM_HEALTH_WORKER_MAX_AGE", 120)
OPSQM_HEALTH_MAIL_MAX_AGE = envint("OPSQM_HEALTH_MAIL_MAX_AGE", 600)
# A queued job due for longer than this is stuck (no worker takes it).
OPSQM_HEALTH_QUEUE_MAX_LAG = envint("OPSQM_HEALTH_QUEUE_MAX_LAG", 900)
# Nightly backup by the worker (empty directory: off); kept: the newest OPSQM_BACKUP_KEEP.
OPSQM_BACKUP_DIR = os.environ.get("OPSQM_BACKUP_DIR", "").strip()
OPSQM_BACKUP_KEEP = envint("OPSQM_BACKUP_KEEP", 7)
OPSQM_BACKUP_HOUR = envint("OPSQM_BACKUP_HOUR", 2)  # local time (Asia/Shanghai)
if not 0 <= OPSQM_BACKUP_HOUR <= 23:
    raise ImproperlyConfigured(f"OPSQM_BACKUP_HOUR={OPSQM_BACKUP_HOUR} is not an hour (0-23)")
if OPSQM_BACKUP_KEEP < 1:
    raise ImproperlyConfigured(f"OPSQM_BACKUP_KEEP={OPSQM_BACKUP_KEEP}: keep at least 1 backup")

# `make run` only (opsqm/edges/demo/runner.py): the loopback mail server's passwd-file.
# When set, /demo/mailbox/ lets the demo's users read its mailboxes (read-only);
# never set it in production.
DEMO_MAILBOX_FILE = os.environ.get("OPSQM_DEMO_MAILBOX_FILE", "")
