"""Settings for Ouderportaal. Every value that differs per installation comes from the
environment; `.env.example` lists them all with their defaults."""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or use SECRET_KEY_FILE)")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "portal.core",  # before django_tasks_db: its `db_worker` command replaces that one
    "django_tasks_db",
    "ninja",
    "portal.accounts",
    "portal.organisations",
    "portal.children",
    "portal.access",
    "portal.home",
    "portal.backoffice",
    "portal.planning",
    "portal.media",
    "portal.diary",
    "portal.messaging",
    "portal.news",
    "portal.notifications",
    "portal.exports",
    "portal.privacy",
    "portal.api",
    "portal.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.notifications.badges.ForgetChangedBadgesMiddleware",
    "portal.accounts.kept.ChangedReadsMiddleware",
    "portal.access.tablet.TabletMiddleware",
    "portal.access.tenancy.TenantScopeMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "portal.accounts.middleware.SessionTrackingMiddleware",
    "portal.accounts.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Pages and API answers are sent gzipped to browsers that accept it (files are not: see
# portal.core.middleware.CompressionMiddleware). Off in development, where DEBUG is on.
COMPRESS_RESPONSES = envbool("COMPRESS_RESPONSES", not DEBUG)
if COMPRESS_RESPONSES:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware"), "portal.core.middleware.CompressionMiddleware"
    )

# Form fields are drawn with Django's own widget templates in their Jinja2 version: the same
# HTML, drawn faster (a select draws one small template per option; the calendar page, full of
# choices, answers a fifth sooner). Pages themselves stay Django templates.
FORM_RENDERER = "django.forms.renderers.Jinja2"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "portal.notifications.context.badges",
                "portal.home.navigation.navigation",
                "portal.access.tablet.context",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ouderportaal.sqlite3'}")
# Each web and worker process keeps its connection for DB_CONN_MAX_AGE seconds instead of
# opening one per request (a new PostgreSQL connection costs more than most pages); a health
# check before reuse replaces a connection the server or the pooler has closed. In production
# PgBouncer in transaction mode sits in between (deploy/pgbouncer.ini, docs/scaling.md): set
# DB_PGBOUNCER=1 there, which turns off server-side cursors (they do not survive a transaction
# pooler) and lets PgBouncer own the connections (DB_CONN_MAX_AGE can then stay as it is: the
# process keeps its connection to PgBouncer, PgBouncer shares the server's connections).
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=envbool("DB_HEALTH_CHECKS", True)
    )
}
if envbool("DB_PGBOUNCER", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when the worker and the web process write
    # together, and take the write lock when a transaction starts, so that two planners deciding
    # at once are served one after the other (PostgreSQL uses row locks for that).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link is valid for one day

# Each process keeps a minute's admin figures in its own memory (Django's cache), and at most
# KEPT_ENTRIES reads kept for one person (portal.accounts.kept, checked against a version in the
# database, so the processes need not share them).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}}
KEPT_ENTRIES = envint("KEPT_ENTRIES", 5000)

# Sessions live in the database, so any number of web processes can serve them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A login stays valid while it is used: it ends SESSION_DAYS after the last use (sliding; the
# expiry moves forward when SessionTrackingMiddleware notes the last-seen time, at most once a
# minute), at logout, at a password change, or when the person ends it on the sessions page.
SESSION_DAYS = envint("SESSION_DAYS", 90)
SESSION_COOKIE_AGE = 60 * 60 * 24 * SESSION_DAYS
SECURE_COOKIES = envbool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The load balancer asks /healthz over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Above this age of the oldest waiting task, /healthz says "degraded" (it still answers 200).
HEALTHZ_MAX_QUEUE_LAG_SECONDS = envint("HEALTHZ_MAX_QUEUE_LAG_SECONDS", 300)
# Behind a TLS proxy (or with the redirect on) the portal is HTTPS only: http is redirected, and
# browsers are told for a year (HSTS, also for subdomains) never to use http again.
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
HTTPS_ONLY = BEHIND_TLS_PROXY or SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS_ONLY)
# Asking browsers to preload HSTS for the whole domain is its owner's choice, hard to undo, so
# it is off unless asked for, and `check --deploy` does not warn about it (W021).
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# Photos and videos: a folder that no web server may serve; files leave only through the portal.
PRIVATE_MEDIA_ROOT = Path(envstr("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Behind nginx: after the access check, hand the transfer to it (X-Accel-Redirect to this
# internal location, which maps to PRIVATE_MEDIA_ROOT). Empty: the portal sends the file itself.
MEDIA_ACCEL_REDIRECT_PREFIX = envstr("MEDIA_ACCEL_REDIRECT_PREFIX")
MEDIA_MAX_PHOTO_BYTES = envint("MEDIA_MAX_PHOTO_BYTES", 30 * 1024 * 1024)
MEDIA_MAX_VIDEO_BYTES = envint("MEDIA_MAX_VIDEO_BYTES", 300 * 1024 * 1024)
MEDIA_MAX_PIXELS = envint("MEDIA_MAX_PIXELS", 50_000_000)  # ~4 GB RAM headroom per worker at most
MEDIA_MAX_VIDEO_SECONDS = envint("MEDIA_MAX_VIDEO_SECONDS", 180)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Where protected files live: "local" (PRIVATE_MEDIA_ROOT, the default) or "s3" (a private
# bucket of any S3-compatible object storage; several web and worker machines share it).
PRIVATE_STORAGE = envstr("PRIVATE_STORAGE", "local")
if PRIVATE_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("PRIVATE_STORAGE must be 'local' or 's3'")
# With S3: after the access check the portal answers with a redirect to a signed URL valid for
# S3_SIGNED_URL_SECONDS ("redirect"), or streams the file through itself ("stream").
MEDIA_DELIVERY = envstr("MEDIA_DELIVERY", "redirect")
if MEDIA_DELIVERY not in ("redirect", "stream"):
    raise ImproperlyConfigured("MEDIA_DELIVERY must be 'redirect' or 'stream'")
S3_SIGNED_URL_SECONDS = envint("S3_SIGNED_URL_SECONDS", 300)
if PRIVATE_STORAGE == "s3":
    if not envstr("S3_BUCKET"):
        raise ImproperlyConfigured("PRIVATE_STORAGE=s3 needs S3_BUCKET (and the S3_* settings, see .env.example)")
    PRIVATE_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("S3_BUCKET"),
            "endpoint_url": envstr("S3_ENDPOINT_URL") or None,
            "access_key": envstr("S3_ACCESS_KEY_ID"),
            "secret_key": envstr("S3_SECRET_ACCESS_KEY"),
            "region_name": envstr("S3_REGION", "us-east-1"),
            "addressing_style": envstr("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own policy: private
            "querystring_auth": True,  # every URL it hands out is signed...
            "querystring_expire": S3_SIGNED_URL_SECONDS,  # ...and short-lived
            "file_overwrite": False,
        },
    }
else:
    PRIVATE_STORAGE_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Ouderportaal <noreply@ouderportaal.invalid>")

# Web push (docs/push.md). Without a VAPID key pair here, one is made on first use and kept in
# the database. The private key as PEM (or VAPID_PRIVATE_KEY_FILE); the public key is optional
# (it follows from the private one) and only checked against it.
VAPID_PRIVATE_KEY = envstr("VAPID_PRIVATE_KEY")
VAPID_PUBLIC_KEY = envstr("VAPID_PUBLIC_KEY")
# Who the push services can contact about our messages: a mailto: or https: address.
PUSH_CONTACT = envstr("PUSH_CONTACT") or f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1] or 'noreply@ouderportaal.invalid'}"
# Push messages go only to these push services (host names, or the end of them), over https:
# the server never posts to an address a browser made up.
PUSH_ALLOWED_HOSTS = envlist(
    "PUSH_ALLOWED_HOSTS",
    [
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "push.services.mozilla.com",
        "web.push.apple.com",
        "push.apple.com",
        "notify.windows.com",
    ],
)
PUSH_ALLOW_HTTP = envbool("PUSH_ALLOW_HTTP", False)  # only for a local test push service
PUSH_TTL_SECONDS = envint("PUSH_TTL_SECONDS", 24 * 60 * 60)  # a phone that is off gets it within a day

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Background work that survives a dead worker (portal/core/recovery.py, docs/operations.md):
# each worker writes a heartbeat; a task whose worker is silent for the lease is run again,
# at most TASK_MAX_ATTEMPTS times in all, then failed with a reason staff see.
TASK_HEARTBEAT_SECONDS = envint("TASK_HEARTBEAT_SECONDS", 10)
TASK_LEASE_SECONDS = envint("TASK_LEASE_SECONDS", 60)
TASK_SWEEP_SECONDS = envint("TASK_SWEEP_SECONDS", 30)
TASK_MAX_ATTEMPTS = envint("TASK_MAX_ATTEMPTS", 3)

# Login throttling (portal/accounts/services.py): failures counted within a window. A browser or
# app that logged in before counts only its own failures; others wait longer after each failure
# beyond the free ones (per account and address), with limits per account and per address.
LOGIN_THROTTLE_WINDOW_MINUTES = envint("LOGIN_THROTTLE_WINDOW_MINUTES", 15)
LOGIN_THROTTLE_FREE_FAILURES = envint("LOGIN_THROTTLE_FREE_FAILURES", 5)
LOGIN_THROTTLE_PER_DEVICE = envint("LOGIN_THROTTLE_PER_DEVICE", 10)
LOGIN_THROTTLE_PER_ACCOUNT = envint("LOGIN_THROTTLE_PER_ACCOUNT", 50)
LOGIN_THROTTLE_PER_IP = envint("LOGIN_THROTTLE_PER_IP", 300)
# A group's tablet (portal.access.tablet): it locks after this many minutes without use, and a
# staff member's PIN may be wrong this many times on one tablet within the wait before that
# person waits (their normal login is not affected).
TABLET_IDLE_MINUTES = envint("TABLET_IDLE_MINUTES", 3)
TABLET_PIN_TRIES = envint("TABLET_PIN_TRIES", 5)
TABLET_PIN_WAIT_MINUTES = envint("TABLET_PIN_WAIT_MINUTES", 15)
# Behind a reverse proxy: the header that carries the client's address (e.g. X-Real-IP).
CLIENT_IP_HEADER = envstr("CLIENT_IP_HEADER")

INVITATION_VALID_DAYS = 7
OTP_TOTP_ISSUER = "Ouderportaal"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print each line a second time, next to the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
