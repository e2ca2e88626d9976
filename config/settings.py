"""Settings for the NTM recognition engine.

Defaults run with nothing installed but Python: SQLite and an embedded (file-system)
Celery transport under ``var/``. With ``DATABASE_URL`` and ``CELERY_BROKER_URL`` in the
environment the same code runs on PostgreSQL and Redis.
"""

import datetime as dt
import os
import re
import sys
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.storages import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NTM_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Secure by default: DEBUG is on only when DJANGO_DEBUG=1 says so (dev.py run and the test
# settings do); without it the product refuses to start unless it has a secret key and the
# host names it serves.
DEBUG = env_bool("DJANGO_DEBUG", False)
# Under the test runner (pytest, or manage.py test) development keys are derived, as with DEBUG.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "dev-only-not-secret"  # noqa: S105 - development default only
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
else:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (or DJANGO_DEBUG=1 for development)")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set (or DJANGO_DEBUG=1 for development)")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- HTTPS (production defaults; each can be turned off by its variable) ---------------
# The product runs behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto
# (and strips it from clients' requests); gunicorn listens on the loopback only.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS",
                                         "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of the product reads it (forms carry the token)
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Who hears about errors and a broken audit chain ---------------------------------
# DJANGO_ADMINS: "Name <address>, other@address" (RFC 5322 addresses, comma separated).
ADMINS = [(name or address, address)
          for name, address in getaddresses([os.environ.get("DJANGO_ADMINS", "")]) if address]
MANAGERS = ADMINS
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL",
                              os.environ.get("DEFAULT_FROM_EMAIL", "ntm@localhost"))
EMAIL_SUBJECT_PREFIX = "[NTM] "

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "django_celery_beat",
    "anymail",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "audit",
    "dossiers",
    "workflow",
    "notifications",
    "reports",
    "web",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # the product serves its own static files
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "web.auth.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "audit.middleware.RequestIdMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

# --- Content Security Policy (django-csp): no inline or foreign script anywhere. Inline
# style attributes are still allowed (the templates and Swagger UI use them).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

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
                "django.template.context_processors.i18n",
                "web.context_processors.notifications",
                "web.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once; the web server, the Celery worker
    # and beat share the file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# Least privilege on PostgreSQL (docs/DATABASE_ROLES.md): DATABASE_URL connects as the
# application's role, which may only INSERT and SELECT the audit tables; DATABASE_OWNER_URL
# (same database, the role that owns the tables) is used by ``manage.py migrate`` alone, which
# then grants the application's role what it may do.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
if DATABASE_OWNER_URL:
    DATABASES["owner"] = dj_database_url.parse(DATABASE_OWNER_URL)
    if DATABASES["owner"]["NAME"] != DATABASES["default"]["NAME"]:
        raise RuntimeError("DATABASE_OWNER_URL must name the same database as DATABASE_URL")
# The role granted its rights after each migrate (default: DATABASE_URL's user, when an owner
# is set apart).
DATABASE_APP_ROLE = os.environ.get(
    "DATABASE_APP_ROLE", DATABASES["default"].get("USER", "") if DATABASE_OWNER_URL else "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: refuses a locked-out username or address before any check.
    "web.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # no anonymous object permissions

# --- Failed sign-ins (django-axes) ------------------------------------------------------
# A username, and separately an address, is refused for AXES_COOLOFF_TIME after
# NTM_LOGIN_FAILURE_LIMIT failures; the administrator unlocks earlier in the admin
# ("Access attempts") or with `manage.py axes_reset_username NAME` / `axes_reset_ip ADDR`.
# Every failure is kept in axes' access failure log (not in the chained audit trail, whose
# lock would let anyone guessing passwords slow down every province's work).
AXES_FAILURE_LIMIT = int(os.environ.get("NTM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("NTM_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "web.auth.lockout_response"  # templates/registration/locked_out.html
AXES_CLIENT_IP_CALLABLE = "audit.middleware.client_address"
AXES_COOLOFF_MESSAGE = _("Too many failed sign-ins: this account or address is locked for a "
                         "while. Try again later or ask the administrator to unlock it.")
AXES_PERMALOCK_MESSAGE = _("Too many failed sign-ins: this account or address is locked. "
                           "Ask the administrator to unlock it.")
# Behind N reverse proxies the client's address is the N-th from the right in
# X-Forwarded-For (0: REMOTE_ADDR, nothing forwarded is believed).
NTM_PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))

# An optional second factor (TOTP) for the chairman, council members and administrators:
# enrolled in the admin ("TOTP devices"); see web.auth.
OTP_TOTP_ISSUER = "NTM"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads: an S3-compatible store when NTM_S3_BUCKET is set (shared by every application
# server), local files under MEDIA_ROOT otherwise (config/storages.py, README).
STORAGES = storages_from_env(os.environ)
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("NTM_MEDIA_ROOT", VAR_DIR / "media"))

STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "web.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "web.api.views.exception_handler",
    # Requests per caller (signed-in user, or address when anonymous); NTM_API_RATE_*.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("NTM_API_RATE_ANON", "30/minute"),
        "user": os.environ.get("NTM_API_RATE_USER", "600/minute"),
    },
    "NUM_PROXIES": NTM_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NTM recognition API",
    "DESCRIPTION": "Dossiers, tasks, self-assessment, evidence, appraisals, surveys, "
                   "confirmations, meetings and votes, decisions, batches, audit events.",
    "VERSION": "1",
    # Swagger UI is served by the product itself (no CDN): closed provincial networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and the docs are for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "dossiers.models.assessment.DossierDocument.Kind",
        "AgendaItemKindEnum": "dossiers.models.council.AgendaItem.Kind",
        "ConfirmationKindEnum": [("debt", "debt"), ("security", "security")],
        "AgencyKindEnum": "dossiers.models.agencies.Agency.Kind",
        "CommuneKindEnum": "dossiers.models.geography.Commune.Kind",
        "CommuneGroupEnum": "dossiers.models.geography.Commune.Group",
        "RegionEnum": "dossiers.models.geography.Region",
    },
}

# --- Celery -----------------------------------------------------------------
# Embedded default: a file-system transport under var/celery (no server to install).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "results", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    "file://" + str(VAR_DIR / "celery" / "results")
    if CELERY_BROKER_URL.startswith("filesystem://") else CELERY_BROKER_URL,
)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- E-mail -----------------------------------------------------------------
# Production: ANYMAIL_ESP names an anymail backend (e.g. "postmark", "mailgun") and
# ANYMAIL_* variables carry its credentials. Demo: messages are written as files.
ANYMAIL_ESP = os.environ.get("ANYMAIL_ESP", "")
if ANYMAIL_ESP:
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
    ANYMAIL = {
        key[len("ANYMAIL_"):]: value
        for key, value in os.environ.items()
        if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
    }
    # The tracking webhook (https://…/anymail/<esp>/tracking/) must be signed: anymail
    # refuses unsigned calls once ANYMAIL_WEBHOOK_SECRET (basic auth "user:password") or the
    # provider's own signing key (e.g. ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY) is set.
else:
    EMAIL_BACKEND = os.environ.get(
        "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
    )
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ntm@localhost")

# --- Product settings ------------------------------------------------------
# The criteria YAML files ship with the product (see dossiers/data/criteria/PROVENANCE.md).
NTM_CRITERIA_DIR = Path(
    os.environ.get("NTM_CRITERIA_DIR", BASE_DIR / "dossiers" / "data" / "criteria")
)
NTM_BASE_URL = os.environ.get("NTM_BASE_URL", "http://127.0.0.1:8000")
NTM_EVIDENCE_MAX_BYTES = int(os.environ.get("NTM_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
# Office documents are archives: what they may unpack to, and how many parts they may hold.
NTM_UPLOAD_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("NTM_UPLOAD_MAX_UNCOMPRESSED_BYTES",
                                                       str(200 * 1024 * 1024)))
NTM_UPLOAD_MAX_ENTRIES = int(os.environ.get("NTM_UPLOAD_MAX_ENTRIES", "2000"))
# Bulk imports from Excel (dossiers/imports): the largest sheet, and its most data rows.
NTM_IMPORT_MAX_BYTES = int(os.environ.get("NTM_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
NTM_IMPORT_MAX_ROWS = int(os.environ.get("NTM_IMPORT_MAX_ROWS", "2000"))
# Optional virus scan of every upload (dossiers/scanning.py): a class with scan(stream).
# With NTM_CLAMD_ADDRESS (unix:/run/clamav/clamd.ctl or tcp:host:3310) ClamAV is used.
NTM_CLAMD_ADDRESS = os.environ.get("NTM_CLAMD_ADDRESS", "")
NTM_CLAMD_TIMEOUT = float(os.environ.get("NTM_CLAMD_TIMEOUT", "30"))
NTM_UPLOAD_SCANNER = os.environ.get(
    "NTM_UPLOAD_SCANNER", "dossiers.scanning.ClamdScanner" if NTM_CLAMD_ADDRESS else "")

# API throttling counts in the cache: with several gunicorn workers set DJANGO_CACHE_URL
# (e.g. redis://127.0.0.1:6379/1) so that they share one count.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["DJANGO_CACHE_URL"]}
    if os.environ.get("DJANGO_CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# --- Audit keys (docs/AUDIT_KEYS.md) ------------------------------------------------
# Each event's hash is an HMAC-SHA256 keyed with a secret kept outside the database, and the
# chain head is signed at intervals (Ed25519) and e-mailed to the auditors. Production must
# set both keys; with DEBUG or under the test runner, development keys are derived from
# SECRET_KEY (key id "dev").
_AUDIT_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


def _audit_hmac_keys() -> dict[str, bytes]:
    """``id:hex`` pairs from NTM_AUDIT_HMAC_KEYS (comma-separated) and from the file named
    by NTM_AUDIT_HMAC_KEYS_FILE (one a line, ``#`` comments)."""
    text = os.environ.get("NTM_AUDIT_HMAC_KEYS", "")
    path = os.environ.get("NTM_AUDIT_HMAC_KEYS_FILE", "")
    if path:
        text += "\n" + Path(path).read_text(encoding="utf-8")
    keys: dict[str, bytes] = {}
    for item in re.split(r"[,\n]", text):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        key_id, _sep, secret = item.partition(":")
        key_id = key_id.strip()
        if not _AUDIT_KEY_ID.match(key_id):
            raise RuntimeError(f"audit key id {key_id!r}: letters, digits, '.', '_', '-' (<= 32)")
        try:
            key = bytes.fromhex(secret.strip())
        except ValueError:
            raise RuntimeError(f"audit key {key_id!r} is not hexadecimal") from None
        if len(key) < 32:
            raise RuntimeError(f"audit key {key_id!r} is shorter than 32 bytes")
        keys[key_id] = key
    return keys


NTM_AUDIT_HMAC_KEYS = _audit_hmac_keys()
# The key that new events are written with (default: the last one listed); the others stay
# to verify the events written before a rotation.
NTM_AUDIT_HMAC_KEY_ID = os.environ.get(
    "NTM_AUDIT_HMAC_KEY_ID", next(reversed(NTM_AUDIT_HMAC_KEYS), ""))
if NTM_AUDIT_HMAC_KEYS and NTM_AUDIT_HMAC_KEY_ID not in NTM_AUDIT_HMAC_KEYS:
    raise RuntimeError("NTM_AUDIT_HMAC_KEY_ID names none of the keys in NTM_AUDIT_HMAC_KEYS")
# The Ed25519 private key that signs checkpoints: a PEM file (``openssl genpkey -algorithm
# ed25519``) or the 32-byte seed in hexadecimal.
_signing_key_file = os.environ.get("NTM_AUDIT_SIGNING_KEY_FILE", "")
NTM_AUDIT_SIGNING_KEY = (Path(_signing_key_file).read_bytes() if _signing_key_file
                         else os.environ.get("NTM_AUDIT_SIGNING_KEY", "").encode())
# Public keys (hexadecimal, comma-separated) of former signing keys, to verify old checkpoints.
NTM_AUDIT_VERIFY_KEYS = [k.strip() for k in os.environ.get("NTM_AUDIT_VERIFY_KEYS", "").split(",")
                         if k.strip()]
NTM_AUDIT_DEV_KEYS = DEBUG or TESTING
if not NTM_AUDIT_DEV_KEYS and not (NTM_AUDIT_HMAC_KEYS and NTM_AUDIT_SIGNING_KEY):
    raise RuntimeError("NTM_AUDIT_HMAC_KEYS (or NTM_AUDIT_HMAC_KEYS_FILE) and "
                       "NTM_AUDIT_SIGNING_KEY_FILE (or NTM_AUDIT_SIGNING_KEY) must be set "
                       "when DJANGO_DEBUG is off")
# Who receives each signed checkpoint (comma-separated); without any, the ADMINS.
NTM_AUDIT_CHECKPOINT_RECIPIENTS = [
    a.strip() for a in os.environ.get("NTM_AUDIT_CHECKPOINT_RECIPIENTS", "").split(",")
    if a.strip()]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # Server errors go to ADMINS by e-mail (a broken audit chain is mailed by audit.tasks).
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false"]},
    },
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR",
                           "propagate": False},
        "django.security": {"handlers": ["console", "mail_admins"], "level": "ERROR",
                            "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Official documents (PDF, WeasyPrint): a directory of templates that override the shipped
# ones in templates/documents/ (same file names; Django template language only, no custom
# tag libraries). The embedded font ships in static/fonts/.
NTM_DOCUMENT_TEMPLATES_DIR = os.environ.get("NTM_DOCUMENT_TEMPLATES_DIR", "")
NTM_DOCUMENT_FONT_DIR = BASE_DIR / "static" / "fonts"
