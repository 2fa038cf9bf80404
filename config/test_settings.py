"""Settings for the test suite: the real settings with a fixed secret, immediate tasks and
mail kept in memory (tests that need a real SMTP server switch to it themselves)."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from config.settings import *  # noqa: E402,F403

TASKS = {"default": {"BACKEND": "tests.task_backend.WorkerLikeImmediateBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
SITE_URL = "http://testserver"
# Argon2 is the hasher in production (config.settings, asserted in tests); the suite makes
# hundreds of users and uses a fast one first, keeping Argon2 to verify production hashes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
# django-otp's own back-off runs on the real clock; the portal's throttle (tested) runs on ours.
OTP_TOTP_THROTTLE_FACTOR = 0

import tempfile  # noqa: E402

# A folder of its own per run; a benchmark's helper process is given its parent's folder.
PRIVATE_MEDIA_ROOT = Path(  # noqa: F405
    os.environ.get("TEST_PRIVATE_MEDIA_ROOT") or tempfile.mkdtemp(prefix="ouderportaal-test-media-")
)
if PRIVATE_STORAGE == "local":  # noqa: F405
    STORAGES["private"] = {  # noqa: F405
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
