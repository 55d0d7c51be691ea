"""The governance API: the assessment workflow and its evidence, state fields named by their
actions, the follow-up status action, the mandate import (preview, all or nothing, matched on
the symbol)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance.models import Mandate, ParagraphAssessment
from governance.tests.factories import AssessmentFactory, FollowUpFactory, MandateFactory
from performance.tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db
URL = "/api/governance/assessments/"


def test_assessment_through_the_api(resolution, units, api, manager, admin_user):
    created = api(manager).post(
        URL,
        {
            "paragraph": 12,
            "unit": "DMSPC-OHR",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "status": "in_progress",
            "justification": "Three meetings held.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["paragraph"], body["unit"], body["state"], body["evidence"]) == (
        12,
        "DMSPC-OHR",
        "draft",
        [],
    )
    pk = body["id"]

    # The state changes only through its actions, which the 400 names.
    patched = api(manager).patch(f"{URL}{pk}/", {"state": "accepted"}, format="json")
    assert patched.status_code == 400
    assert f"POST {URL}{pk}/review/" in patched.json()["state"][0]

    evidence = api(manager).post(
        f"{URL}{pk}/evidence/",
        {"file": SimpleUploadedFile("minutes.txt", b"Minutes."), "note": "February"},
        format="multipart",
    )
    assert evidence.status_code == 201, evidence.json()
    [item] = evidence.json()["evidence"]
    assert item["name"] == "minutes.txt" and item["url"].endswith(f"/evidence/{item['id']}/")
    bad = api(manager).post(f"{URL}{pk}/evidence/", {"reference": "nothing"}, format="json")
    assert bad.status_code == 400 and "reference" in bad.json()

    assert api(manager).post(f"{URL}{pk}/submit/", {}, format="json").status_code == 200
    refused = api(manager).post(f"{URL}{pk}/review/", {"outcome": "accept"}, format="json")
    assert refused.status_code == 403
    stale = api(admin_user).post(
        f"{URL}{pk}/review/", {"outcome": "accept", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    accepted = api(admin_user).post(f"{URL}{pk}/review/", {"outcome": "accept"}, format="json")
    assert accepted.status_code == 200
    assert (accepted.json()["state"], accepted.json()["accepted_on"]) == (
        "accepted",
        timezone.localdate().isoformat(),
    )
    assert accepted.json()["reviewed_by"] == "admin"
    # Accepted is final.
    again = api(admin_user).patch(f"{URL}{pk}/", {"justification": "Rewritten."}, format="json")
    assert again.status_code == 400
    assert ParagraphAssessment.objects.get(pk=pk).justification == "Three meetings held."


def test_bad_input_is_a_400_never_a_500(resolution, units, api, manager):
    response = api(manager).post(
        URL,
        {
            "paragraph": 99,
            "unit": "NOPE",
            "period_start": "2025-12-31",
            "period_end": "2025-01-01",
            "status": "done",
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"paragraph", "unit", "status", "justification"} <= set(response.json())
    order = api(manager).post(
        URL,
        {
            "paragraph": 12,
            "unit": "DMSPC",
            "period_start": "2025-12-31",
            "period_end": "2025-01-01",
            "status": "implemented",
            "justification": "x",
        },
        format="json",
    )
    assert order.status_code == 400 and "period_end" in order.json()
    assert ParagraphAssessment.objects.count() == 0


def test_follow_up_status_action_and_filters(units, api, manager, manager2, gastaff):
    mine = FollowUpFactory(unit=units["ohr"], due_on=datetime.date(2025, 6, 30))
    FollowUpFactory(unit=units["pd"], due_on=timezone.localdate() + datetime.timedelta(days=9))
    url = "/api/governance/follow-ups/"
    done = api(manager).post(
        f"{url}{mine.pk}/status/", {"status": "done", "changed_on": "2025-06-20"}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["transitions"] == [
        {"from_status": "open", "to_status": "done", "changed_on": "2025-06-20", "note": ""}
    ]
    assert (
        api(manager2).post(f"{url}{mine.pk}/status/", {"status": "open"}, format="json")
    ).status_code == 403
    listed = api(gastaff).get(url, {"within": "DOS"}).json()["results"]
    assert [r["unit"] for r in listed] == ["DOS-PD"]
    assert api(gastaff).get(url, {"overdue": "true"}).json()["results"] == []


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("mandates.csv", text.encode(), content_type="text/csv")


def test_mandate_import_is_all_or_nothing_and_matched_on_symbol(units, api, admin_user, manager):
    indicator = IndicatorFactory(unit=units["ohr"])
    url = "/api/governance/mandates/import/"
    good = (
        "symbol,body,adopted_on,title,indicators,paragraphs\n"
        f"A/RES/64/259,GA,2010-03-29,Towards an accountability system,{indicator.pk},\n"
        "S/RES/2717 (2023),SC,2023-12-19,MONUSCO mandate,,\n"
    )
    bad = good + "A/RES/1,XX,2010-13-01,Bad row,,\n"
    rejected = api(admin_user).post(url, {"file": _csv(bad)}, format="multipart")
    assert rejected.status_code == 400
    errors = rejected.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(4, "body"), (4, "adopted_on")}
    assert Mandate.objects.count() == 0

    preview = api(admin_user).post(f"{url}?preview=1", {"file": _csv(good)}, format="multipart")
    assert (preview.status_code, preview.json()["created"]) == (200, 2)
    assert Mandate.objects.count() == 0

    first = api(admin_user).post(url, {"file": _csv(good)}, format="multipart").json()
    assert (first["created"], first["updated"], first["unchanged"]) == (2, 0, 0)
    assert list(Mandate.objects.get(symbol="A/RES/64/259").indicators.all()) == [indicator]
    second = api(admin_user).post(url, {"file": _csv(good)}, format="multipart").json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 2)
    edited = good.replace("MONUSCO mandate", "MONUSCO mandate renewed")
    third = api(admin_user).post(url, {"file": _csv(edited)}, format="multipart").json()
    assert (third["created"], third["updated"], third["unchanged"]) == (0, 1, 1)

    assert api(manager).post(url, {"file": _csv(good)}, format="multipart").status_code == 403
    missing = api(admin_user).post(url, {"file": _csv("symbol,title\nX,Y\n")}, format="multipart")
    assert missing.status_code == 400
    assert {e["column"] for e in missing.json()["errors"]} == {"body", "adopted_on"}


def test_a_mandate_links_only_results_the_caller_may_see(units, api, admin_user):
    MandateFactory(symbol="A/RES/79/1")
    response = api(admin_user).post(
        "/api/governance/mandates/",
        {
            "symbol": "A/RES/79/2",
            "body": "GA",
            "adopted_on": "2024-12-01",
            "title": "T",
            "indicators": [999999],
        },
        format="json",
    )
    assert response.status_code == 400 and "indicators" in response.json()


def test_list_query_count_does_not_grow(
    resolution, units, api, admin_user, django_assert_max_num_queries
):
    AssessmentFactory(unit=units["ohr"])
    client = api(admin_user)
    client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for year in range(2000, 2015):
        AssessmentFactory(
            unit=units["pd"],
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 16


def test_evidence_names_a_record_only_to_who_may_read_it(resolution, units, api, manager, gastaff):
    from core.actions import SYSTEM
    from governance import services
    from performance.tests.factories import AppraisalFactory

    appraisal = AppraisalFactory(unit=units["ohr"])  # personal: GA staff read no appraisal
    assessment = AssessmentFactory(unit=units["ohr"])
    services.add_evidence(
        assessment, acting_user=manager, reference=f"performance.appraisal:{appraisal.pk}"
    )
    for _n in range(3):  # more evidence, same number of list queries
        services.add_evidence(
            assessment,
            acting_user=SYSTEM,
            upload=SimpleUploadedFile("note.txt", b"A note."),
        )
    # Accepted, so that GA staff read the assessment itself (a draft is the office's own).
    services.submit_assessment(assessment, acting_user=SYSTEM)
    services.review_assessment(assessment, acting_user=SYSTEM, outcome="accept")
    name = str(appraisal)
    as_manager = api(manager).get(f"{URL}{assessment.pk}/").json()["evidence"][0]
    assert as_manager["label"] == name
    for response in (
        api(gastaff).get(f"{URL}{assessment.pk}/"),
        api(gastaff).get(URL),
        api(gastaff).get(
            "/api/history/", {"object": f"governance.assessmentevidence:{as_manager['id']}"}
        ),
    ):
        assert response.status_code == 200
        assert name not in response.content.decode()
    assert api(gastaff).get(URL).json()["results"][0]["evidence"][0]["label"] == ""


def test_mandate_import_reads_xlsx(resolution, units, api, admin_user):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["symbol", "body", "adopted_on", "title", "paragraphs"])
    sheet.append(["A/RES/60/283", "GA", datetime.date(2006, 7, 7), "Investing in the UN", "28;29"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("mandates.xlsx", buffer.getvalue())
    response = api(admin_user).post(
        "/api/governance/mandates/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    mandate = Mandate.objects.get(symbol="A/RES/60/283")
    assert mandate.adopted_on == datetime.date(2006, 7, 7)
    assert sorted(mandate.paragraphs.values_list("number", flat=True)) == [28, 29]
