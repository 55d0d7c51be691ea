"""core.clock.localdate: timezone.localdate()'s answer, worked out once a second, for the moment
and the zone asked about (a test that moves the clock or the zone gets its own date)."""

import datetime
import zoneinfo

from django.utils import timezone

from core import clock


def test_the_date_follows_the_clock_and_the_zone(monkeypatch):
    assert clock.localdate() == timezone.localdate()
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    assert clock.localdate() == datetime.date(2026, 12, 31)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):  # the same second, another zone
        assert clock.localdate() == datetime.date(2027, 1, 1)
    assert clock.localdate() == datetime.date(2026, 12, 31)
    monkeypatch.setattr(timezone, "now", lambda: late + datetime.timedelta(hours=1))
    assert clock.localdate() == datetime.date(2027, 1, 1)
