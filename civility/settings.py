"""Settings for civility, read from the environment (one module for every deployment).

Variables (all optional in development):
  DEBUG             "1" for development (default), "0" in production
  SECRET_KEY        required when DEBUG=0
  ALLOWED_HOSTS     comma-separated host names
  CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://civility.example.gov.cn
  DATABASE_URL      sqlite:///path/db.sqlite3 (default: db.sqlite3 in the project) or postgres://...
  MEDIA_ROOT        where uploaded photos are stored (default: media/ in the project)
  MEDIA_STORAGE     the storage class for photos (default: FileSystemStorage in MEDIA_ROOT)
  STATIC_ROOT       where collectstatic puts files (default: staticfiles/ in the project)
  EMAIL_HOST        SMTP server (default localhost; unset in development: mail is printed);
                    with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
                    DEFAULT_FROM_EMAIL
  SECURE_SSL_REDIRECT  "0" to disable HTTPS redirect when TLS ends before the proxy (default "1"
                    when DEBUG=0)
  TRUSTED_PROXIES   comma-separated proxy addresses/networks whose X-Forwarded-For is believed
  LOGIN_FAILURE_LIMIT, LOGIN_ACCOUNT_FAILURE_LIMIT, LOGIN_FAILURE_MINUTES  sign-in throttling
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY", "civility-development-only-key-" + "x" * 40)
else:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set (50+ random characters) when DEBUG=0")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "civility.core",
    "civility.org",
    "civility.supervision",
    "civility.reports",
    "civility.campaign",
    "civility.participation",
    "civility.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tables2",
    "django_filters",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civility.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "civility.core.middleware.VaryOnHtmxMiddleware",
    "civility.core.middleware.PixelBudget",
]

ROOT_URLCONF = "civility.urls"
WSGI_APPLICATION = "civility.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civility.core.context_processors.navigation",
                "civility.supervision.notifications.context_processors.unread",
            ],
        },
    }
]

# Database: SQLite by default (WAL, busy timeout, IMMEDIATE transactions so that writers queue
# instead of failing with "database is locked"); PostgreSQL through DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: this many failures for one user name from one address within the window
# block further attempts for that pair only (other users and addresses are unaffected), and
# LOGIN_ACCOUNT_FAILURE_LIMIT failures for one user name from all addresses together lock the
# account until the window ends or the secretariat unlocks it in the admin.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated), e.g.
# "127.0.0.1" when nginx on the same host proxies to gunicorn. Empty: trust nobody's header.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
LOGIN_FAILURE_WINDOW = timedelta(minutes=int(os.environ.get("LOGIN_FAILURE_MINUTES", "15")))

# Photo decoding per request: at most this many pixels are decoded (JPEGs count at their reduced
# decoding size), so a few huge images cannot hold a worker near its timeout.
PHOTO_MAX_PIXELS_PER_REQUEST = int(os.environ.get("PHOTO_MAX_PIXELS_PER_REQUEST", "120000000"))

# Days a unit has to reply with its measures to a written criticism (书面点评·批评).
COMMENTARY_REPLY_DAYS = int(os.environ.get("COMMENTARY_REPLY_DAYS", "5"))

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# HTMX sends the CSRF token from the page (hx-headers on <body>), so scripts never read the cookie.
CSRF_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"  # never served directly: photos go through permission-checked views
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Several app servers share the photos: MEDIA_ROOT on a shared volume, or another storage backend
# (an object store's Django storage class) named by MEDIA_STORAGE.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Content-Security-Policy: everything from our own origin, no inline scripts anywhere.
# htmx's indicator styles are disabled through its meta config so that no inline style is needed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Email through Django 6.1's MAILERS. In development without EMAIL_HOST mail is printed to the
# console; in production it goes to EMAIL_HOST (default: the local MTA on localhost).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "civility@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST") or "localhost",
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

DJANGO_TABLES2_TEMPLATE = "core/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
