import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_health_reports_database_and_broker(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_names_a_failing_broker(client, monkeypatch):
    from core import views

    monkeypatch.setattr(views, "_broker_ok", lambda: False)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}


def _check(env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "perhaps"),
        ("DATABASE_URL", "mysql://db/x"),
        ("REDIS_URL", "http://x"),
        ("AXES_FAILURE_LIMIT", "many"),
        ("SECRET_KEY", "short"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(name, value):
    result = _check({name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_production_settings_pass_the_deploy_check():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-production-secret-key-for-the-check-only-" + "x" * 10,
        "ALLOWED_HOSTS": "tracker.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    } | env
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_a_named_bucket_switches_file_storage_to_s3():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        AWS_STORAGE_BUCKET_NAME="tracker-reports", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000"
    )
    code = "from django.core.files.storage import storages; s = storages['default']; print(type(s).__name__, s.bucket_name)"
    script = f"import django; django.setup(); {code}"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "S3Storage tracker-reports" in result.stdout
