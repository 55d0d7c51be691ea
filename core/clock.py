"""Today's date in the current time zone, worked out once a second.

`timezone.localdate()` converts the current time into the zone on every call (about 16 us here),
and list rows ask it for each record's state (a delegation's, a commitment's): two or three
times a row, 2 ms for a page of delegations. Keyed on `timezone.now()`'s second and on the zone,
so a test that moves the clock or the zone is answered for its own moment."""

import datetime

from django.utils import timezone

_last: tuple = (None, None, None)  # (second, zone, date)


def localdate() -> datetime.date:
    global _last
    now = timezone.now()
    second, zone = int(now.timestamp()), timezone.get_current_timezone()
    if _last[0] == second and _last[1] is zone:
        return _last[2]
    today = timezone.localtime(now, zone).date()
    _last = (second, zone, today)
    return today
