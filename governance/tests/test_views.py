"""The governance pages and the resolution page: what each persona sees and may do, forms that
refuse bad input with a message and save nothing."""

import datetime

import pytest

from core.actions import SYSTEM
from governance import services
from governance.models import FollowUpAction, ParagraphAssessment
from governance.tests.factories import AssessmentFactory, FollowUpFactory
from org.models import Paragraph

pytestmark = pytest.mark.django_db


def _accepted(units, paragraph=12, **kwargs):
    assessment = AssessmentFactory(
        unit=units["ohr"], paragraph=Paragraph.objects.get(number=paragraph), **kwargs
    )
    services.add_evidence(
        assessment, acting_user=SYSTEM, reference=f"governance.paragraphassessment:{assessment.pk}"
    )
    services.submit_assessment(assessment, acting_user=SYSTEM)
    services.review_assessment(assessment, acting_user=SYSTEM, outcome="accept")
    return assessment


def test_resolution_page_shows_the_assessment_beside_the_measures_recorded(
    resolution, units, web, gastaff, outsider
):
    assessment = _accepted(units, justification="Four meetings held; summaries published.")
    FollowUpFactory(unit=units["pd"])  # a measure recorded against paragraph 12
    page = web(gastaff).get("/resolution/").content.decode()
    assert "adopted 29 March 2010" in page  # a UN date, not ISO
    block = page[page.index('id="p12"') : page.index('id="p13"')]
    assert "Four meetings held; summaries published." in block
    assert "In progress" in block
    assert "Measures recorded (a fact, not the assessment)" in block
    assert "Committee follow-up actions: 1" in block
    # The evidence reads as the kind of record and its name, never the stored code.
    assert "Paragraph assessment: " in block and str(assessment) in block
    assert f"governance.paragraphassessment:{assessment.pk}" not in block
    other = page[page.index('id="p13"') : page.index('id="p14"')]
    assert "Four meetings" not in other

    detail = web(gastaff).get("/resolution/12/").content.decode()
    assert "Four meetings held" in detail and "All assessments" in detail
    # Someone with no role reads the resolution but no assessment.
    assert "Four meetings held" not in web(outsider).get("/resolution/").content.decode()


def test_resolution_page_query_count_does_not_grow(
    resolution, units, web, gastaff, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web(gastaff)
    _accepted(units, 5)
    client.get("/resolution/")
    with CaptureQueriesContext(connection) as few:
        client.get("/resolution/")
    for number in (8, 9, 12, 20, 26):
        _accepted(units, number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/resolution/").status_code == 200


def test_the_office_drafts_submits_and_the_administrator_reviews_in_the_browser(
    resolution, units, web, manager, manager2, admin_user
):
    client = web(manager)
    response = client.post(
        "/governance/assessments/new/",
        {
            "paragraph": Paragraph.objects.get(number=9).pk,
            "unit": units["ohr"].pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "status": "in_progress",
            "justification": "",
        },
    )
    assert response.status_code == 200
    assert "Say why: the justification is required." in response.content.decode()
    assert ParagraphAssessment.objects.count() == 0

    response = client.post(
        "/governance/assessments/new/",
        {
            "paragraph": Paragraph.objects.get(number=9).pk,
            "unit": units["ohr"].pk,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "status": "in_progress",
            "justification": "UNDP's framework studied.",
        },
    )
    assessment = ParagraphAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Submit for review" in page and ">Review<" not in page

    # DOS's manager neither reads a draft of another office nor edits or submits it.
    for action in ("", "edit/", "submit/"):
        assert (
            web(manager2).get(f"/governance/assessments/{assessment.pk}/{action}").status_code
            == 404
        )

    assert (
        client.post(f"/governance/assessments/{assessment.pk}/submit/", {"confirm": "on"})
    ).status_code == 302
    review = web(admin_user).post(
        f"/governance/assessments/{assessment.pk}/review/", {"outcome": "return", "comment": ""}
    )
    assert review.status_code == 200
    assert "Say what the office should add or correct." in review.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == "submitted"


def test_follow_up_list_and_status_form(units, web, manager, gastaff, outsider):
    FollowUpFactory(unit=units["ohr"], title="Plan for the recruitment audit")
    FollowUpFactory(unit=units["pd"], title="Plan for the vendor audit")
    listed = web(gastaff).get("/governance/follow-ups/?within=DOS").content.decode()
    assert "Plan for the vendor audit" in listed and "recruitment audit" not in listed
    assert "Plan for" not in web(outsider).get("/governance/follow-ups/").content.decode()

    mine = FollowUpAction.objects.get(unit=units["ohr"])
    future = datetime.date.today() + datetime.timedelta(days=2)
    response = web(manager).post(
        f"/governance/follow-ups/{mine.pk}/status/",
        {"status": "done", "changed_on": future.isoformat(), "version": mine.version},
    )
    assert response.status_code == 200
    assert "A change cannot be dated in the future." in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "open"
    response = web(manager).post(
        f"/governance/follow-ups/{mine.pk}/status/", {"status": "done", "version": mine.version}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "done"
    assert (
        "Open since it was assigned"
        not in web(gastaff).get(mine.get_absolute_url()).content.decode()
    )


def test_every_list_page_answers(units, web, gastaff, admin_user):
    for name in (
        "",
        "assessments/",
        "mandates/",
        "meetings/",
        "follow-ups/",
        "consultations/",
        "lessons/",
        "milestones/",
    ):
        assert web(gastaff).get(f"/governance/{name}").status_code == 200, name
    for name in ("mandates/new/", "meetings/new/", "milestones/new/"):
        assert web(gastaff).get(f"/governance/{name}").status_code == 403, name
        assert web(admin_user).get(f"/governance/{name}").status_code == 200, name


def test_mandate_import_page_previews_then_imports(
    units, web, admin_user, gastaff, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from governance.models import Mandate

    settings.VAR_DIR = tmp_path  # the kept uploads go under VAR_DIR/imports

    def upload(text):
        return SimpleUploadedFile("mandates.csv", text.encode())

    url = "/governance/mandates/import/"
    good = "symbol,body,adopted_on,title\nA/RES/64/259,GA,2010-03-29,Accountability\n"
    assert web(gastaff).get(url).status_code == 403
    client = web(admin_user)
    bad = client.post(url, {"file": upload(good + "X,ZZ,2010-01-01,Bad\n")})
    assert bad.status_code == 400 and "nothing was saved" in bad.content.decode()
    assert Mandate.objects.count() == 0
    preview = client.post(url, {"file": upload(good)})
    assert preview.status_code == 200 and Mandate.objects.count() == 0
    token = preview.context["token"]
    assert preview.context["result"]["created"] == 1
    # Confirmed without choosing the file again; the user lands on the imported mandate.
    done = client.post(url, {"token": token, "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == f"/governance/mandates/?import={token}"
    assert list(Mandate.objects.values_list("symbol", flat=True)) == ["A/RES/64/259"]
    listed = client.get(done["Location"])
    assert [m.symbol for m in listed.context["object_list"]] == ["A/RES/64/259"]


def test_pages_read_in_chinese(resolution, units, web, gastaff):
    FollowUpFactory(unit=units["ohr"])
    client = web(gastaff)
    client.cookies["django_language"] = "zh-hans"
    assert "管理委员会会议" in client.get("/governance/").content.decode()
    assert "委员会后续行动" in client.get("/resolution/").content.decode()


def test_an_assessment_is_the_offices_own_until_accepted(
    resolution, units, web, api, manager, manager2, gastaff, oios, admin_user
):
    """A draft or submitted assessment is read by its office (the managers of the unit's
    subtree) and administrators; every other role reads only accepted ones, on the pages and
    the API."""
    accepted = _accepted(units, 12, justification="Accepted text for twelve.")
    draft = AssessmentFactory(
        unit=units["ohr"],
        paragraph=Paragraph.objects.get(number=9),
        justification="Office draft for nine.",
    )
    submitted = AssessmentFactory(
        unit=units["pd"],
        paragraph=Paragraph.objects.get(number=20),
        justification="Submitted text for twenty.",
    )
    services.submit_assessment(submitted, acting_user=SYSTEM)
    expectations = {
        # reader: which of (accepted, draft, submitted) they read
        manager: {accepted, draft},  # DMSPC's subtree holds OHR, not PD
        manager2: {accepted, submitted},
        gastaff: {accepted},
        oios: {accepted},
        admin_user: {accepted, draft, submitted},
    }
    for reader, readable in expectations.items():
        ids = {
            row["id"] for row in api(reader).get("/api/governance/assessments/").json()["results"]
        }
        for assessment in (accepted, draft, submitted):
            shown = assessment in readable
            page = web(reader).get(f"/resolution/{assessment.paragraph.number}/").content.decode()
            link = f'href="/governance/assessments/{assessment.pk}/"'
            assert (link in page) is shown, (reader, assessment)
            assert (assessment.pk in ids) is shown, (reader, assessment)
            status = web(reader).get(f"/governance/assessments/{assessment.pk}/").status_code
            assert (status == 200) is shown, (reader, assessment, status)


def test_an_assessment_is_named_with_dates_in_the_readers_language(resolution, units):
    from django.utils import translation

    assessment = AssessmentFactory(
        unit=units["ohr"],
        paragraph=Paragraph.objects.get(number=6),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    assert str(assessment) == "Paragraph 6, 1 January 2025 to 31 December 2025"
    with translation.override("zh-hans"):
        assert "2025年1月1日" in str(assessment) and "2025-01-01" not in str(assessment)
