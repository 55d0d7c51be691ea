"""The browser import page: upload, preview (counts and every row error), confirm, result; the
same importer as the API, offered only to who may create the records."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.models import Decision, Delegation
from accountability.tests.factories import AcceptedDelegationFactory

TODAY = datetime.date.today()
PAGE_D = "/accountability/delegations/import/"
PAGE_DEC = "/accountability/decisions/import/"


def _file(lines, name="rows.csv"):
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), "text/csv")


END = (TODAY + datetime.timedelta(days=100)).isoformat()


def _instruments(start):
    return [
        "reference,delegator,delegatee,unit,area,limit_amount,valid_from,valid_to,parent_reference",
        f"DMSPC/OHR/1,manager,deputy,DMSPC-OHR,finance,5000.00,{start},{END},DMSPC/ROOT",
        f"DMSPC/OHR/2,manager,deputy,DMSPC-OHR,finance,2500.00,{start},{END},DMSPC/ROOT",
    ]


def test_instrument_import_page_preview_confirm_and_second_upload(
    web, admin_user, manager, manager2, units
):
    from org.tests.factories import UserFactory

    UserFactory(username="deputy")
    AcceptedDelegationFactory(
        delegator=admin_user, delegatee=manager, unit=units["dmspc"], reference="DMSPC/ROOT"
    )
    start = (TODAY - datetime.timedelta(days=5)).isoformat()
    client = web(manager)
    register = client.get("/accountability/delegations/").content.decode()
    assert PAGE_D in register

    preview = client.post(PAGE_D, {"file": _file(_instruments(start))})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="to-create">2<' in page and 'id="unchanged">0<' in page
    assert "DMSPC/OHR/1" in page and 'id="confirm-import"' in page
    assert Delegation.objects.count() == 1  # nothing saved before the confirmation

    done = client.post(PAGE_D, {"confirm": "1"}, follow=True)
    # The user lands on the register filtered to the imported instruments.
    assert done.redirect_chain[-1][0].startswith("/accountability/delegations/?import=")
    assert {d.reference for d in done.context["object_list"]} == {"DMSPC/OHR/1", "DMSPC/OHR/2"}
    assert "Imported: 2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert set(
        Delegation.objects.filter(parent__reference="DMSPC/ROOT").values_list(
            "reference", flat=True
        )
    ) == {"DMSPC/OHR/1", "DMSPC/OHR/2"}

    # The same file again: everything unchanged, nothing to confirm.
    second = client.post(PAGE_D, {"file": _file(_instruments(start))}).content.decode()
    assert 'id="unchanged">2<' in second and 'id="to-create">0<' in second
    assert 'id="nothing-to-import"' in second and 'id="confirm-import"' not in second
    assert Delegation.objects.count() == 3


def test_import_page_lists_row_errors_and_saves_nothing(web, admin_user, manager, units):
    from org.tests.factories import UserFactory

    UserFactory(username="deputy")
    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DMSPC/ROOT",
        limit_amount=10000,
    )
    start = (TODAY - datetime.timedelta(days=5)).isoformat()
    lines = [
        *_instruments(start),
        f"DMSPC/OHR/3,manager,deputy,DMSPC-OHR,finance,99999.00,{start},{END},DMSPC/ROOT",
        f"DMSPC/OHR/4,manager,deputy,DMSPC-OHR,finance,10.00,not-a-date,{END},DMSPC/ROOT",
    ]
    response = web(manager).post(PAGE_D, {"file": _file(lines)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file has 2 errors; nothing was saved." in page
    assert "<td>4</td><td>limit_amount</td>" in page
    assert "<td>5</td><td>valid_from</td>" in page
    assert Delegation.objects.count() == 1
    # A confirmation without a previewed file asks for the upload again.
    again = web(manager).post(PAGE_D, {"confirm": "1"}, follow=True)
    assert "Upload the file again" in again.content.decode()
    assert Delegation.objects.count() == 1


def test_decision_import_page_flags_outside_authority(web, admin_user, manager, units):
    AcceptedDelegationFactory(
        delegator=admin_user,
        delegatee=manager,
        unit=units["dmspc"],
        reference="DMSPC/FIN",
        limit_amount=1000,
    )
    day = (TODAY - datetime.timedelta(days=2)).isoformat()
    lines = [
        "reference,title,unit,decided_by,decided_on,area,amount,delegation_reference",
        f"D-1,Within the limit,DMSPC,manager,{day},finance,500.00,DMSPC/FIN",
        f"D-2,Over the limit,DMSPC,manager,{day},finance,5000.00,DMSPC/FIN",
    ]
    client = web(manager)
    assert PAGE_DEC in client.get("/accountability/decisions/").content.decode()
    preview = client.post(PAGE_DEC, {"file": _file(lines)}).content.decode()
    assert 'id="to-create">2<' in preview
    assert '<tr class="alert"><td>3</td>' in preview  # the row over the limit, flagged
    client.post(PAGE_DEC, {"confirm": "1"})
    assert list(
        Decision.objects.order_by("reference").values_list("within_authority", flat=True)
    ) == [
        True,
        False,
    ]


def test_import_page_only_for_who_may_create(web, gastaff, oios, units):
    for user in (gastaff, oios):
        client = web(user)
        assert client.get(PAGE_D).status_code == 403
        assert client.get(PAGE_DEC).status_code == 403
        assert PAGE_DEC not in client.get("/accountability/decisions/").content.decode()
        assert PAGE_D not in client.get("/accountability/delegations/").content.decode()
    assert web(None).get(PAGE_D).status_code == 302  # to the login page


def test_import_page_and_my_authority_read_in_chinese(web, manager, units):
    from django.conf import settings

    client = web(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(PAGE_DEC).content.decode()
    assert "导入决定" in page and "确认导入" not in page  # nothing to confirm before a preview
    assert "上传文件" in page
    mine = client.get("/accountability/my-authority/").content.decode()
    assert "已终止" in mine and "下放权力最后一日" in mine
