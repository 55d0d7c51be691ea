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
