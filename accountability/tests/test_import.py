"""Import of instruments and decisions (CSV, XLSX): preview, all or nothing, every rule."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accountability.models import Decision, Delegation

TODAY = datetime.date.today()
D = "/api/accountability/delegations/import/"
DEC = "/api/accountability/decisions/import/"


def _csv(lines):
    return SimpleUploadedFile("rows.csv", ("\n".join(lines) + "\n").encode(), "text/csv")


def _instruments(valid_from):
    return [
        "reference,delegator,delegatee,unit,area,limit_amount,valid_from,valid_to,parent_reference,accepted_on",
        f"IMP/SG/1,admin,manager,DMSPC,finance,100000.00,{valid_from},,,{valid_from}",
        f"IMP/DMSPC/1,manager,manager2,DMSPC-OHR,finance,5000.00,{valid_from},,IMP/SG/1,",
    ]


def test_import_instruments_preview_then_all_or_nothing(api, admin_user, manager, manager2, units):
    start = (TODAY - datetime.timedelta(days=10)).isoformat()
    client = api(admin_user)
    preview = client.post(f"{D}?preview=1", {"file": _csv(_instruments(start))}, format="multipart")
    assert preview.status_code == 200, preview.data
    assert preview.data["preview"] is True and preview.data["created"] == 2
    assert Delegation.objects.count() == 0
    done = client.post(D, {"file": _csv(_instruments(start))}, format="multipart")
    assert done.status_code == 200, done.data
    root = Delegation.objects.get(reference="IMP/SG/1")
    child = Delegation.objects.get(reference="IMP/DMSPC/1")
    assert root.accepted_on == TODAY - datetime.timedelta(days=10) and child.parent == root
    assert child.accepted_on is None
    # A bad row (over the parent's limit; a reserved matter) rejects the whole file.
    bad = [
        "reference,delegator,delegatee,unit,area,authority,limit_amount,valid_from,parent_reference",
        f"IMP/DMSPC/2,manager,manager2,DMSPC,finance,,50.00,{start},IMP/SG/1",
        f"IMP/DMSPC/3,manager,manager2,DMSPC,finance,,999999.00,{start},IMP/SG/1",
        f"IMP/SG/2,admin,manager,DMSPC,finance,fin.ex_gratia,,{start},",
    ]
    rejected = client.post(D, {"file": _csv(bad)}, format="multipart")
    assert rejected.status_code == 400
    assert {(e["row"], e["column"]) for e in rejected.data["errors"]} >= {
        (3, "limit_amount"),
        (4, "authority"),
    }
    assert Delegation.objects.count() == 2


def test_import_decisions_flags_outside_authority_and_refuses_non_writers(
    api, admin_user, manager, gastaff, units
):
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["title", "unit", "decided_by", "decided_on", "area", "amount", "delegation_reference"]
    )
    ws.append(
        ["Imported within", "DMSPC", "manager", TODAY - datetime.timedelta(days=2), "", None, ""]
    )
    ws.append(
        [
            "Imported outside",
            "DMSPC",
            "manager",
            TODAY - datetime.timedelta(days=2),
            "finance",
            100,
            "",
        ]
    )
    buffer = io.BytesIO()
    wb.save(buffer)

    def upload():
        return SimpleUploadedFile(
            "d.xlsx",
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    assert api(gastaff).post(DEC, {"file": upload()}, format="multipart").status_code == 403
    response = api(manager).post(DEC, {"file": upload()}, format="multipart")
    assert response.status_code == 200, response.data
    assert [r["within_authority"] for r in response.data["rows"]] == [True, False]
    assert Decision.objects.awaiting_review().get().title == "Imported outside"
    missing = api(manager).post(DEC, {"file": _csv(["title,unit", "X,DMSPC"])}, format="multipart")
    assert missing.status_code == 400
    assert {e["column"] for e in missing.data["errors"]} == {"decided_by", "decided_on"}
    assert Decision.objects.count() == 2
    assert api(manager).post(DEC, {}, format="multipart").status_code == 400


# --- Matching: a second import of the same file changes nothing, an edited file updates ---------


def _post(client, url, lines, preview=False):
    return client.post(
        f"{url}?preview=1" if preview else url, {"file": _csv(lines)}, format="multipart"
    )


def test_reimporting_instruments_changes_nothing_and_an_edited_file_updates(
    api, admin_user, manager, manager2, units
):
    from core.models import HistoryEntry

    start = (TODAY - datetime.timedelta(days=10)).isoformat()
    client = api(admin_user)
    assert _post(client, D, _instruments(start)).data["created"] == 2
    child = Delegation.objects.get(reference="IMP/DMSPC/1")
    entries = HistoryEntry.objects.count()

    again = _post(client, D, _instruments(start))
    assert again.status_code == 200, again.data
    assert (again.data["created"], again.data["updated"], again.data["unchanged"]) == (0, 0, 2)
    assert [r["action"] for r in again.data["rows"]] == ["unchanged", "unchanged"]
    assert Delegation.objects.count() == 2 and HistoryEntry.objects.count() == entries

    # The sub-delegation's limit is lowered, it gets an end date and its acceptance is recorded.
    end = (TODAY + datetime.timedelta(days=90)).isoformat()
    edited = [
        *_instruments(start)[:2],
        f"IMP/DMSPC/1,manager,manager2,DMSPC-OHR,finance,4000.00,{start},{end},IMP/SG/1,{start}",
    ]
    preview = _post(client, D, edited, preview=True)
    assert (preview.data["created"], preview.data["updated"], preview.data["unchanged"]) == (
        0,
        1,
        1,
    )
    assert preview.data["rows"][1]["changes"] == {
        "limit_amount": ["5000.00", "4000.00"],
        "valid_to": [None, end],
        "accepted_on": [None, start],
    }
    child.refresh_from_db()
    assert child.limit_amount == 5000 and child.accepted_on is None  # a preview saves nothing

    done = _post(client, D, edited)
    assert (done.data["created"], done.data["updated"], done.data["unchanged"]) == (0, 1, 1)
    child.refresh_from_db()
    assert child.limit_amount == 4000 and child.valid_to.isoformat() == end
    assert child.accepted_on.isoformat() == start
    assert Delegation.objects.count() == 2
    updates = HistoryEntry.objects.for_object(child).filter(action="update")
    assert any(e.changes.get("limit_amount") == ["5000.00", "4000.00"] for e in updates)
    assert all(e.actor == "user:admin" for e in updates)
    # And the edited file imported twice is, in turn, unchanged.
    assert _post(client, D, edited).data["unchanged"] == 2


def test_instrument_rows_are_matched_without_naming_what_the_caller_cannot_see(
    api, admin_user, manager, manager2, units
):
    from accountability.tests.factories import AcceptedDelegationFactory
    from org.tests.factories import UserFactory

    start = (TODAY - datetime.timedelta(days=10)).isoformat()
    secret_holder = UserFactory(username="secret.holder")
    AcceptedDelegationFactory(
        delegator=admin_user, delegatee=secret_holder, unit=units["pd"], reference="DOS/HIDDEN/1"
    )
    root = AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dmspc"], reference="DMSPC/ROOT"
    )
    deputy = UserFactory(username="deputy")
    lines = [
        "reference,delegator,delegatee,unit,area,limit_amount,valid_from,parent_reference",
        f"DOS/HIDDEN/1,manager,deputy,DMSPC-OHR,finance,10.00,{start},DMSPC/ROOT",
        f"DMSPC/NEW,manager,deputy,DMSPC-OHR,finance,10.00,{start},DMSPC/ROOT",
        f"DMSPC/NEW,manager,deputy,DMSPC-OHR,finance,20.00,{start},DMSPC/ROOT",
        f",manager,deputy,DMSPC-OHR,finance,10.00,{start},DMSPC/ROOT",
    ]
    response = _post(api(manager), D, lines)
    assert response.status_code == 400
    errors = {(e["row"], e["column"]): e["error"] for e in response.data["errors"]}
    assert errors[(2, "reference")] == "This reference is already taken in the register."
    assert errors[(4, "reference")] == "Row 3 has the same reference."
    assert (5, "reference") in errors
    text = str(response.data)
    assert "secret.holder" not in text and "DOS-PD" not in text
    assert Delegation.objects.filter(delegatee=deputy).count() == 0
    assert root.children.count() == 0


DECISIONS = [
    "reference,title,unit,decided_by,decided_on,area,amount,delegation_reference,paragraphs",
    "DMSPC/D/1,Hire a consultant,DMSPC,manager,{day},finance,900.00,DMSPC/FIN,8;21",
    ",Approve a training plan,DMSPC,manager,{day},,,,",
]


def test_reimporting_decisions_changes_nothing_and_an_edit_is_rejudged(
    api, admin_user, manager, units, resolution
):
    from accountability.tests.factories import AcceptedDelegationFactory
    from core.models import HistoryEntry

    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DMSPC/FIN",
        limit_amount=1000,
    )
    day = (TODAY - datetime.timedelta(days=3)).isoformat()
    lines = [line.format(day=day) for line in DECISIONS]
    client = api(manager)
    first = _post(client, DEC, lines)
    assert first.status_code == 200, first.data
    assert (first.data["created"], first.data["updated"], first.data["unchanged"]) == (2, 0, 0)
    hire = Decision.objects.get(reference="DMSPC/D/1")
    assert hire.within_authority and sorted(p.number for p in hire.paragraphs.all()) == [8, 21]
    entries = HistoryEntry.objects.count()

    again = _post(client, DEC, lines)
    assert (again.data["created"], again.data["updated"], again.data["unchanged"]) == (0, 0, 2)
    assert Decision.objects.count() == 2 and HistoryEntry.objects.count() == entries

    # The amount was mistyped: 9,000 is over the instrument's limit of 1,000.
    edited = [lines[0], lines[1].replace("900.00", "9000.00"), lines[2]]
    done = _post(client, DEC, edited)
    assert (done.data["created"], done.data["updated"], done.data["unchanged"]) == (0, 1, 1)
    assert done.data["rows"][0]["changes"] == {"amount": ["900.00", "9000.00"]}
    hire.refresh_from_db()
    assert hire.amount == 9000 and not hire.within_authority
    assert Decision.objects.awaiting_review().get() == hire
    assert Decision.objects.count() == 2
    updates = HistoryEntry.objects.for_object(hire).filter(action="update")
    assert [(u.actor, u.changes) for u in updates if "amount" in u.changes] == [
        ("user:manager", {"amount": ["900.00", "9000.00"], "within_authority": [True, False]})
    ]


def test_decision_rows_repeated_in_a_file_are_refused(api, manager, units):
    day = (TODAY - datetime.timedelta(days=3)).isoformat()
    lines = [
        "reference,title,unit,decided_by,decided_on",
        f"R1,First,DMSPC,manager,{day}",
        f"R1,Second,DMSPC,manager,{day}",
        f",Same,DMSPC,manager,{day}",
        f",Same,DMSPC,manager,{day}",
        f"R1,Another unit may reuse a reference,DMSPC-OHR,manager,{day}",
    ]
    response = _post(api(manager), DEC, lines)
    assert response.status_code == 400
    assert {(e["row"], e["column"]) for e in response.data["errors"]} == {
        (3, "reference"),
        (5, "reference"),
    }
    assert Decision.objects.count() == 0


def test_an_instrument_reference_is_taken_once_whoever_holds_it(api, admin_user, manager, units):
    from accountability.tests.factories import AcceptedDelegationFactory
    from org.tests.factories import UserFactory

    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=UserFactory(username="secret.holder"),
        unit=units["pd"],
        reference="DOA/TAKEN",
    )
    root = AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dmspc"], reference="DOA/ROOT"
    )
    UserFactory(username="deputy")
    response = api(manager).post(
        "/api/accountability/delegations/",
        {
            "reference": "DOA/TAKEN",
            "delegator": "manager",
            "delegatee": "deputy",
            "unit": "DMSPC-OHR",
            "area": "finance",
            "limit_amount": "10.00",
            "valid_from": root.valid_from.isoformat(),
            "valid_to": root.valid_to.isoformat(),
            "parent": root.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.data == {"reference": ["This reference is already taken in the register."]}
