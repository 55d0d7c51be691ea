"""Settings for the test suite: the real settings, minus what only makes sense behind TLS.

The suite runs with DEBUG off, as production does, so config.settings refuses to start without a
SECRET_KEY. A fixed key for tests only goes into the environment before the import (unless one is
set already), and so also reaches every process a test starts (`manage.py check`, a worker)."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-" + "never-used-outside-the-tests-" * 2)

from config.settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
