"""The main pages read in each of the five other languages with no interface string left in
English: each page is fetched as a manager, an OIOS auditor and a General Assembly staff member,
and every text the page shows (text nodes and the aria-label, title, placeholder and alt a screen
reader or a tooltip gives) is compared with the catalogues' English msgids.

A msgid counts when the language's catalogues translate it into something else (a word that reads
the same, like 'Total' in French, is not a leftover) and it is one of the page's own strings: its
"#:" lines name one of the templates the page rendered or the Python module of the page's app."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from accountability.tests.factories import AcceptedDelegationFactory, DecisionFactory
from oversight.tests.factories import RecommendationFactory, ReportFactory, body
from tests.test_translations import ROOT, catalogues, entries

LANGUAGES = {"ar": "ar", "zh-hans": "zh_Hans", "fr": "fr", "ru": "ru", "es": "es"}
PLACEHOLDER = re.compile(r"%\(|%[sd]|\{|<|\n")
ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class _Texts(HTMLParser):
    """The texts a reader meets on the page: text nodes (outside script and style) and labels,
    except those marked as another language (the language menu names each language in itself)."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0
        self._other_language: list[str] = []  # the tags opened with a lang of their own
        self._page_language = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self._page_language = attrs.get("lang")
        elif attrs.get("lang") and attrs["lang"] != self._page_language:
            self._other_language.append(tag)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if self._other_language:
            return
        for name in ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(" ".join(attrs[name].split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1
        if self._other_language and self._other_language[-1] == tag:
            self._other_language.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip and not self._other_language:
            self.texts.append(text)


def texts_of(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _catalogue(language: str) -> dict[str, set[str]]:
    """English msgid -> the source files that use it, for the msgids translated otherwise: not a
    msgid that some context translates by itself ('Action' in French), nor one that is also a
    translation in the language (French writes 'No' for 'No.')."""
    found: dict[str, set[str]] = {}
    translations: set[str] = set()
    for path in catalogues(language):
        for entry in entries(path):
            translations.update(entry.msgstrs)
            if not PLACEHOLDER.search(entry.msgid):
                found.setdefault(entry.msgid, set()).update(entry.occurrences)
    return {msgid: used_by for msgid, used_by in found.items() if msgid not in translations}


CATALOGUES = {code: _catalogue(directory) for code, directory in LANGUAGES.items()}


def _sources_of(response) -> set[str]:
    sources = set()
    for template in response.templates:
        name = getattr(template.origin, "name", "") or ""
        if name.startswith(str(ROOT)):
            sources.add(str(pathlib_relative(name)))
    app = response.resolver_match.func.__module__.split(".")[0]
    return sources | {f"{app}/"} | {"core/", "templates/"}


def pathlib_relative(name: str) -> str:
    return name.removeprefix(str(ROOT) + "/")


def leftovers(response, language: str) -> list[str]:
    sources = _sources_of(response)
    catalogue = CATALOGUES[language]
    left = []
    for text in set(texts_of(response.content.decode())):
        used_by = catalogue.get(text)
        if used_by and any(
            where == source or (source.endswith("/") and where.startswith(source))
            for where in used_by
            for source in sources
        ):
            left.append(text)
    return sorted(left)


@pytest.fixture
def records(units, manager, manager2):
    """A recommendation of each of two bodies in each of two units, a delegation and a decision."""
    oios_report = ReportFactory(body=body("OIOS"), issued_on=datetime.date(2025, 1, 15))
    boa_report = ReportFactory(body=body("BOA"), issued_on=datetime.date(2025, 2, 15))
    first = RecommendationFactory(report=oios_report, unit=units["dmspc"])
    RecommendationFactory(report=boa_report, unit=units["dos"])
    delegation = AcceptedDelegationFactory(
        delegator=manager2, delegatee=manager, unit=units["dmspc"]
    )
    DecisionFactory(unit=units["dmspc"], decided_by=manager, delegation=delegation)
    return {"recommendation": first, "delegation": delegation}


def _pages(records) -> list[str]:
    return [
        "/",
        reverse("accountability:delegation_list"),
        reverse("accountability:decision_list"),
        reverse("accountability:commitment_list"),
        reverse("accountability:decision_create"),
        records["delegation"].get_absolute_url(),
        reverse("oversight:recommendation_list"),
        reverse("oversight:report_list"),
        reverse("oversight:monitoring"),
        records["recommendation"].get_absolute_url(),
        reverse("performance:index"),
        reverse("performance:compact_list"),
        reverse("performance:appraisal_list"),
        reverse("risk:index"),
        reverse("risk:risk_list"),
        reverse("risk:case_list"),
        reverse("governance:index"),
        reverse("governance:followup_list"),
        reverse("resolution:index"),
        reverse("resolution:paragraph", args=[8]),
        reverse("reports:index"),
        reverse("reports:request"),
        reverse("reports:edition_list"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", ["manager", "oios", "gastaff"])
def test_the_main_pages_leave_no_interface_string_in_english(
    client, request, records, resolution, language, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = language
    seen, left = 0, {}
    for path in _pages(records):
        response = client.get(path)
        if response.status_code != 200:
            assert response.status_code in (302, 403, 404), (path, response.status_code)
            continue
        assert f'<html lang="{language}"' in response.content.decode()
        seen += 1
        if found := leftovers(response, language):
            left[path] = found
    assert seen >= 10  # the persona reads most of the main pages
    assert left == {}


def test_a_string_left_in_english_is_found(client, manager, rf):
    """The check itself: an English msgid shown on a Chinese page is reported."""
    client.force_login(manager, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/")
    response.content = response.content.replace(b"</main>", b"<p>Skip to main content</p></main>")
    assert "Skip to main content" in leftovers(response, "zh-hans")
    assert texts_of(
        '<html lang="fr"><p title="Close">A <b>b</b></p><script>x="y"</script>'
        '<button lang="en">English</button></html>'
    ) == ["Close", "A", "b"]
