"""Settings for the NTM recognition engine.

Defaults run with nothing installed but Python: SQLite and an embedded (file-system)
Celery transport under ``var/``. With ``DATABASE_URL`` and ``CELERY_BROKER_URL`` in the
environment the same code runs on PostgreSQL and Redis.
"""

import os
from pathlib import Path

import dj_database_url
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


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development default only
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.RequestIdMiddleware",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # no anonymous object permissions

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
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "web.api.views.exception_handler",
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
# Optional virus scan of every upload (dossiers/scanning.py): a class with scan(stream).
# With NTM_CLAMD_ADDRESS (unix:/run/clamav/clamd.ctl or tcp:host:3310) ClamAV is used.
NTM_CLAMD_ADDRESS = os.environ.get("NTM_CLAMD_ADDRESS", "")
NTM_CLAMD_TIMEOUT = float(os.environ.get("NTM_CLAMD_TIMEOUT", "30"))
NTM_UPLOAD_SCANNER = os.environ.get(
    "NTM_UPLOAD_SCANNER", "dossiers.scanning.ClamdScanner" if NTM_CLAMD_ADDRESS else "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
