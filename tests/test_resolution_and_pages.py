import pytest
from django.core.management import call_command

from org.models import Paragraph, Section


@pytest.mark.django_db
def test_load_resolution_loads_12_sections_and_33_paragraphs_idempotently(capsys):
    call_command("load_resolution")
    assert Section.objects.count() == 12 and Paragraph.objects.count() == 33
    assert set(Section.objects.values_list("code", flat=True)) == set("ABCDEFGHIJK") | {"R"}
    p8 = Paragraph.objects.get(number=8)
    assert "answerable for all decisions" in p8.text_en and p8.text_zh
    from core.models import HistoryEntry

    entries = HistoryEntry.objects.count()
    call_command("load_resolution")
    assert "0 created, 0 updated, 45 unchanged" in capsys.readouterr().out
    assert HistoryEntry.objects.count() == entries
    assert HistoryEntry.objects.filter(actor="command:load_resolution").count() == entries


@pytest.mark.django_db
def test_paragraphs_api(api, gastaff, resolution):
    body = api(gastaff).get("/api/resolution/paragraphs/").json()
    assert [p["number"] for p in body["results"]] == list(range(1, 34))
    p33 = api(gastaff).get("/api/resolution/paragraphs/33/").json()
    assert p33["section"] == "R" and p33["text_zh"].startswith("请秘书长")
    assert set(p33) >= {"number", "section", "text_en", "text_zh"}


@pytest.mark.django_db
def test_resolution_page_in_english_and_chinese(web, manager, resolution):
    client = web(manager)
    page = client.get("/resolution/").content.decode()
    assert "Towards an accountability system in the United Nations Secretariat" in page
    assert "Delegation of authority" in page and 'id="p33"' in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/resolution/"})
    page_zh = client.get("/resolution/").content.decode()
    assert "在联合国秘书处实行问责制度" in page_zh and "权力下放" in page_zh


@pytest.mark.django_db
def test_pages_need_sign_in(client):
    for path in ["/", "/resolution/", "/accountability/", "/accountability/people/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_dashboard_shows_real_counts_scoped_to_the_user(web, manager, admin_user, units):
    import re

    from org.tests.factories import PersonFactory

    PersonFactory.create_batch(3, unit=units["ohr"])
    PersonFactory.create_batch(5, unit=units["pd"])

    def staff_card(user):
        page = web(user).get("/").content.decode()
        match = re.search(
            r'card-value">([\d,]+)</span>\s*<span class="card-label">Staff on record<', page
        )
        assert match, "the staff card is missing"
        return int(match.group(1).replace(",", ""))

    # The manager's subtree: their own person record and the three in DMSPC-OHR.
    assert staff_card(manager) == 4
    assert staff_card(admin_user) == 9


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_records(
    web, manager, units, django_assert_max_num_queries
):
    from org.tests.factories import PersonFactory

    client = web(manager)
    client.get("/")  # warm per-process caches (content types, rating scale)
    with django_assert_max_num_queries(200) as few:
        client.get("/")
    few = len(few.captured_queries)  # now: later requests reset the connection's query log
    PersonFactory.create_batch(50, unit=units["ohr"])
    client.get("/")  # the writes moved the cached figures on (core.dashboard): recomputed once
    with django_assert_max_num_queries(few):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_creates_the_contract_accounts_idempotently(client, resolution):
    from django.contrib.auth import get_user_model

    from core import history
    from core.models import HistoryEntry

    call_command("seed_demo")
    entries = HistoryEntry.objects.count()
    call_command("seed_demo")
    assert HistoryEntry.objects.count() == entries, "a second seed_demo must change nothing"
    assert history.verify_chain().ok
    users = {u.username for u in get_user_model().objects.all()}
    assert {"admin", "manager", "manager2", "oios", "boa", "gastaff"} <= users
    for username, password in [
        ("admin", "demo-admin-2026"),
        ("manager", "demo-manager-2026"),
        ("manager2", "demo-manager-2026"),
        ("oios", "demo-oversight-2026"),
        ("boa", "demo-oversight-2026"),
        ("gastaff", "demo-ga-2026"),
    ]:
        page = client.get("/accounts/login/")
        assert page.status_code == 200
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302 and response["Location"] == "/", username
        client.post("/accounts/logout/")


@pytest.mark.django_db
def test_seed_demo_roles_follow_the_contract(resolution):
    from django.contrib.auth import get_user_model

    from org.access import access_for

    call_command("seed_demo")
    User = get_user_model()
    assert access_for(User.objects.get(username="admin")).is_admin
    manager = access_for(User.objects.get(username="manager"))
    assert manager.is_manager and manager.unit_path.endswith("/DMSPC/")
    assert access_for(User.objects.get(username="manager2")).unit_path.endswith("/DOS/")
    assert access_for(User.objects.get(username="oios")).body_code == "OIOS"
    assert access_for(User.objects.get(username="boa")).body_code == "BOA"
    assert access_for(User.objects.get(username="gastaff")).is_ga_staff


@pytest.mark.django_db
def test_seed_demo_refused_when_demo_data_is_disabled(settings):
    from django.core.management.base import CommandError

    settings.ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


@pytest.mark.django_db
def test_wrong_login_gets_a_plain_message(client, manager):
    response = client.post("/accounts/login/", {"username": "manager", "password": "wrong"})
    assert response.status_code == 200
    assert "The username or password is not correct." in response.content.decode()
