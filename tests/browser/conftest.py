"""Helpers for browser tests. The fixtures (`browser_page` and the one browser per test session
behind it) live in the root conftest.py, so every app's browser tests share one Chromium."""

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _delete_rows_flush(original):
    """Postgres' flush for the test database: DELETE each table's rows (constraints deferred)
    instead of one TRUNCATE of all 110 tables. A TRUNCATE gives every table and index new files,
    which took 3 to 4 s after each test that needs committed data (every browser test: the live
    server reads through its own connection); deleting the few rows a test made takes under 0.1 s.
    The result is the same: empty tables, sequences untouched unless asked for."""

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return original(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"DELETE FROM {style.SQL_FIELD(self.quote_name(table))}" for table in tables
        ]

    return sql_flush


def pytest_configure(config):
    # Called as soon as this conftest is loaded, so before any test runs: the browser tests of
    # every app (the root conftest's fixtures) get it, and so does every other transactional
    # test of a session that collects tests/browser (the flushed tables end up the same).
    from django.db.backends.postgresql.operations import DatabaseOperations

    if not getattr(DatabaseOperations.sql_flush, "deletes_rows", False):
        DatabaseOperations.sql_flush = _delete_rows_flush(DatabaseOperations.sql_flush)
        DatabaseOperations.sql_flush.deletes_rows = True


def sign_in(page, user) -> None:
    """Sign `user` in by giving the page's context a session cookie made on the server (Django's
    test client's force_login), without the login form: for tests where signing in is not what
    is tested. The next page the test opens is signed in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


def login_as(page, username: str, password: str = "a-long-test-password-1") -> None:
    """Sign in through the real login form (factories give users 'a-long-test-password-1').
    Use it where the login form is part of what is tested; elsewhere `sign_in` is faster."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
