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


def login_as(page, username: str, password: str = "a-long-test-password-1") -> None:
    """Sign in through the real login form (factories give users 'a-long-test-password-1')."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
