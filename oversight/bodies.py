"""The oversight bodies' short names in the reader's language.

A body is stored by its code (OIOS, BOA, JIU): the API and the exports for re-import keep the
code; pages read the short name the United Nations uses in each language (监督厅, 审计委员会,
联检组 in Chinese). A body an administrator adds reads as its code until a catalogue names it.
"""

from django.utils.translation import pgettext_lazy

SHORT_NAMES = {
    "OIOS": pgettext_lazy("oversight body", "OIOS"),
    "BOA": pgettext_lazy("oversight body", "BOA"),
    "JIU": pgettext_lazy("oversight body", "JIU"),
    "ACABQ": pgettext_lazy("oversight body", "ACABQ"),
    "IAAC": pgettext_lazy("oversight body", "IAAC"),
}


def short_name(code) -> str:
    """The body's short name in the active language; its code when none is known."""
    if code in (None, ""):
        return ""
    name = SHORT_NAMES.get(str(code))
    return str(name) if name is not None else str(code)
