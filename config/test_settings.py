"""Settings for the test suite: the real settings, minus what only makes sense behind TLS.

The suite runs with DEBUG off, as production does, so config.settings refuses to start without a
SECRET_KEY. A fixed key for tests only goes into the environment before the import (unless one is
set already), and so also reaches every process a test starts (`manage.py check`, a worker)."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-" + "never-used-outside-the-tests-" * 2)


def _own_for_xdist_worker() -> None:
    """Under pytest-xdist (`-n 2`), each worker process gets its own Redis database and var
    folder, as pytest-django gives it its own test database: one worker's cache clear, broker
    queue or report file never meets the other's. The worker processes a test starts inherit
    them through the environment."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return
    number = int(worker[2:])
    if os.environ.get("TRACKER_XDIST_OWN"):
        return  # a process a test started: it was given its URLs and folders explicitly
    os.environ["TRACKER_XDIST_OWN"] = worker
    redis_url = os.environ.get("REDIS_URL", "")
    base, _, db = redis_url.rpartition("/")
    if redis_url and db.isdigit():
        os.environ["REDIS_URL"] = f"{base}/{int(db) + number}"
    var = os.environ.get("VAR_DIR") or str(Path(__file__).resolve().parents[1] / "var")
    os.environ["VAR_DIR"] = str(Path(var) / f"xdist-{worker}")


_own_for_xdist_worker()

from config.settings import *  # noqa: E402, F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
