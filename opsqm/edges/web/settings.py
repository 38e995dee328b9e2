"""The one settings module: every deployment knob is an environment variable.

Defaults give the embedded set-up (SQLite under ./var, debug off unless asked);
production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and OPSQM_SECURE=1.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


PACKAGE_DIR = Path(__file__).resolve().parents[2]  # opsqm/, two levels above edges/web/
# Data directory: database, uploads (outside the web root), generated reports.
VAR_DIR = Path(os.environ.get("OPSQM_VAR_DIR", Path.cwd() / "var")).resolve()

# The fallback is for development only; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "opsqm-development-key-change-me-in-production")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "rest_framework.authtoken",
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
    "opsqm.derived.acceptance",
    "opsqm.derived.reports",
    "opsqm.derived.payments",
    "opsqm.edges.home",
    "opsqm.edges.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'opsqm.sqlite3'}"),
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
# Per process, in memory: the dashboards' engine runs and the board's filter lists
# (a minute); nothing here must be shared between processes.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "opsqm.infra.accounts.validators.CharacterClassValidator"},
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
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)

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
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise scans it at start-up; before the first collectstatic it must exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads live outside the web root and are served only through permission-checked views.
MEDIA_ROOT = VAR_DIR / "uploads"
MEDIA_URL = None
OPSQM_UPLOAD_MAX_BYTES = envint("OPSQM_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = OPSQM_UPLOAD_MAX_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
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
}

# The default rulebook for contracts that name none.
OPSQM_DEFAULT_RULEBOOK = os.environ.get("OPSQM_DEFAULT_RULEBOOK", "beijing-prison-2025")

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "servicedesk@opsqm.local")

if envbool("OPSQM_FAST_HASHER"):
    # Tests only: the real hasher costs ~0.3 s per login.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# ---------------------------------------------------------------------------
# Background jobs (opsqm.infra.jobs) and the bureau's intranet mail (opsqm.infra.mail).
# See docs/worker.md and docs/mail.md.
JOBS_RETRY_BASE_SECONDS = envint("JOBS_RETRY_BASE_SECONDS", 10)
JOBS_RETRY_MAX_SECONDS = envint("JOBS_RETRY_MAX_SECONDS", 3600)
JOBS_STALE_AFTER_SECONDS = envint("JOBS_STALE_AFTER_SECONDS", 15 * 60)

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
MAIL_MAX_ATTACHMENT_BYTES = envint("MAIL_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
