"""Date formats that differ from Django's for a language (FORMAT_MODULE_PATH): UN style dates,
"20 November 2026" and "20 November 2026, 14:24". Chinese keeps Django's own, which is already
UN style ("2026年11月20日", "2026年11月20日 14:24"). Inputs are unchanged (Django's defaults)."""

from django.utils.translation import gettext_noop

# The month names Django's dates use (django.utils.dates.MONTHS, the F format), marked here so the
# project's catalogue can give them as the Organization's documents do: in Arabic, the Levantine
# and the Egyptian name together ("20 تشرين الثاني/نوفمبر 2026"); the other languages keep
# Django's own. (The project's catalogues come before Django's.)
MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
