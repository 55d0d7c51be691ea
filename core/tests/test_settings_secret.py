"""Start-up without a SECRET_KEY: a production process (DEBUG=0) refuses, naming the variable; a
development one (DEBUG=1) keeps a random key of its own under VAR_DIR."""

import os
import subprocess
import sys

from django.conf import settings


def _import_settings(var_dir, debug: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "VAR_DIR", "DJANGO_SETTINGS_MODULE")
    }
    env.update(DEBUG=debug, VAR_DIR=str(var_dir))
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_start_up_without_a_secret_key_refuses(tmp_path):
    result = _import_settings(tmp_path, debug="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr, result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_development_start_up_without_a_secret_key_keeps_one_under_var_dir(tmp_path):
    result = _import_settings(tmp_path, debug="1")
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _import_settings(tmp_path, debug="1").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key  # the same key after a restart
