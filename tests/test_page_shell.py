"""Issue 17 points 6 and GA staff's friction: the language menu, the favicon, tables that can read
as cards, body names in the reader's language, the dashboard's report tiles and the run page's
state message. The journeys themselves are in tests/browser/."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from accountability.tests.factories import DecisionFactory
from oversight.bodies import short_name
from oversight.models import OversightBody
from reports import services as report_services
from reports.models import LiveHeadline, ReportRun

pytestmark = pytest.mark.django_db

LANGUAGE_FORM = re.compile(
    r'<form action="/i18n/setlang/" method="post">.*?name="csrfmiddlewaretoken".*?'
    r'name="next" value="(?P<next>[^"]*)".*?name="language" value="(?P<code>[^"]+)".*?'
    r'<button type="submit" lang="(?P<lang>[^"]+)"[^>]*>(?P<name>[^<]+)</button>',
    re.S,
)


def language_forms(html: str) -> list[tuple[str, str, str]]:
    return [(m["code"], m["name"], m["next"]) for m in LANGUAGE_FORM.finditer(html)]


def test_the_language_menu_is_a_button_and_one_post_form_per_language(client, settings):
    page = client.get("/accounts/login/?next=/risk/").content.decode()
    assert 'class="lang-toggle button small secondary" aria-expanded="false"' in page
    assert 'aria-controls="language-menu"' in page
    assert "data-autosubmit" not in page  # nothing changes on a mere arrow key
    # The six official languages in the United Nations' order, each named in itself.
    assert language_forms(page) == [
        (code, name, "/accounts/login/?next=/risk/")
        for code, name in [
            ("ar", "العربية"),
            ("zh-hans", "中文"),
            ("en", "English"),
            ("fr", "Français"),
            ("ru", "Русский"),
            ("es", "Español"),
        ]
    ]
    assert 'lang="ar" dir="rtl"' in page


def test_choosing_a_language_posts_and_comes_back_to_the_page(client, manager):
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/risk/"})
    assert response.status_code == 302 and response["Location"] == "/risk/"
    page = client.get("/risk/").content.decode()
    assert '<html lang="zh-hans"' in page
    assert 'aria-current="true">中文</button>' in page


def test_the_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert client.head("/favicon.ico").status_code == 301
    static = Path(settings.BASE_DIR) / "static"
    assert (static / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (static / "favicon.svg").read_text().startswith("<svg")
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_the_header_has_a_menu_button_for_the_navigation(client, manager):
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/").content.decode()
    assert 'class="nav-toggle button small secondary" aria-controls="main-nav"' in page
    assert '<nav class="main-nav" id="main-nav"' in page


def test_table_cells_carry_their_column_name_for_small_screens(client, manager, units):
    DecisionFactory(title="Approve the venue", unit=units["dmspc"])
    DecisionFactory(title="Hire a consultant", unit=units["dos"])
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/accountability/decisions/").content.decode()
    titles = re.findall(r'<td data-label="Title">(?:<a [^>]*>)?([^<]+)', page)
    assert titles == ["Approve the venue"]  # the other unit's decision is not the manager's


def test_bodies_read_by_their_short_name_in_the_readers_language(db):
    body, _ = OversightBody.objects.get_or_create(
        code="OIOS", defaults={"name": "Office of Internal Oversight Services"}
    )
    added = OversightBody.objects.create(code="ABC", name="A body added by an administrator")
    assert str(body) == "OIOS" and body.short_name == "OIOS"
    assert str(added) == "ABC"
    assert short_name("") == ""
    with translation.override("zh-hans"):
        assert str(added) == "ABC"
        # Needs the merged Chinese catalogue (oversight body context).
        assert str(body) == "监督厅"
        assert short_name("JIU") == "联检组"
        assert short_name("BOA") == "审计委员会"


def issued_run(language: str) -> ReportRun:
    label = "记录的决定" if language == "zh-hans" else "Decisions logged"
    return ReportRun.objects.create(
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        language=language,
        status="done",
        finished_at=timezone.now(),
        snapshot={
            "headline": [
                {"section": "A", "key": "decisions_logged", "label": label, "value": 5},
            ]
        },
    )


def test_report_tiles_read_in_the_interface_language_not_the_reports(client, gastaff):
    issued_run("zh-hans")
    client.force_login(gastaff, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/").content.decode()
    assert "Decisions logged" in page and "记录的决定" not in page
    assert 'id="note-reports"' in page and "“Live” is the same figure" in page
    assert 'aria-describedby="note-reports"' in page


def test_live_figures_show_once_computed_without_waiting_for_the_cache(
    client, gastaff, monkeypatch
):
    from reports import tasks

    # No worker answers yet: the tiles say the live figures are being computed and poll.
    monkeypatch.setattr(tasks.refresh_live_figures, "delay", lambda *args, **kwargs: None)
    run = issued_run("en")
    client.force_login(gastaff, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/").content.decode()
    assert "Live: being computed" in page
    assert 'hx-select="#card-group-reports" hx-trigger="every 10s"' in page
    assert not LiveHeadline.objects.exists()

    # The worker stores them: the next visit (the poll) shows them, though no tracked record
    # changed and the dashboard's figures are cached for ten minutes.
    from reports.dashboard import refresh_live_headline

    live = refresh_live_headline(run.period_start, run.period_end)
    page = client.get("/").content.decode()
    assert "Live: being computed" not in page
    assert f"Live: {live.values['decisions_logged']:,}" in page
    assert 'hx-trigger="every 10s"' not in page


def test_the_run_page_says_where_the_run_stands_instead_of_the_queued_note(
    client, gastaff, monkeypatch
):
    monkeypatch.setattr(report_services, "_enqueue", lambda run: None)
    client.force_login(gastaff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/reports/request/",
        {"period_start": "2024-01-01", "period_end": "2025-12-31", "language": "en"},
        follow=True,
    )
    page = response.content.decode()
    assert "Queued: the report waits for a worker" in page
    assert "The report is queued; this page shows its progress." not in page
    assert 'aria-live="polite"' in page
    run = ReportRun.objects.get()
    for status, text in [
        ("running", "Compiling:"),
        ("failed", "Failed: the report could not be compiled"),
    ]:
        ReportRun.objects.filter(pk=run.pk).update(status=status)
        fragment = client.get(f"/reports/{run.pk}/progress/").content.decode()
        assert f'class="run-state {status}"' in fragment and text in fragment
