"""Sign-on without a browser: the group mapping, the tracker unchanged with no provider, password
sign-in switched off but for break-glass administrators, accounts and roles from claims (each
change in the history as oidc:<issuer>), and the expiring API tokens of the profile page."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import HistoryEntry
from org.models import Role
from org.tests.factories import PersonFactory
from signon import conf
from signon.backends import SignInRefused
from signon.mapping import MappingError, parse_group_roles, role_for_groups
from signon.models import APIToken
from signon.services import sign_in_from_claims

ISSUER = "https://login.example.org/realms/un"
MAPPING = (
    "admins=administrator; dmspc=manager:DMSPC; dos=manager:DOS; oios=oversight:oios; ga=ga_staff"
)


@pytest.fixture
def provider_settings(settings):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "tracker"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_PROVIDER_NAME = "UN Login"
    settings.OIDC_GROUP_ROLES = parse_group_roles(MAPPING)
    settings.OIDC_CLAIM_INDEX_NUMBER = "employee_id"
    return settings


def claims(sub="s-1", username="jdoe", groups=(), **extra):
    return {"sub": sub, "preferred_username": username, "groups": list(groups), **extra}


# --- the mapping --------------------------------------------------------------------------------


def test_the_mapping_reads_every_role_and_the_first_held_group_wins():
    mapping = parse_group_roles(MAPPING + "\n/tracker/ga = ga_staff")
    assert [m.describe() for m in mapping] == [
        "administrator",
        "manager:DMSPC",
        "manager:DOS",
        "oversight:OIOS",
        "ga_staff",
        "ga_staff",
    ]
    assert mapping[-1].group == "/tracker/ga"
    assert role_for_groups(mapping, ["ga", "dos", "canteen"]).describe() == "manager:DOS"
    assert role_for_groups(mapping, ["canteen"]) is None
    assert parse_group_roles("") == ()


@pytest.mark.parametrize(
    "raw",
    ["admins", "admins=boss", "x=manager", "x=oversight:", "x=ga_staff:DOS", "=administrator"],
)
def test_a_bad_mapping_is_refused_with_a_reason(raw):
    with pytest.raises(MappingError):
        parse_group_roles(raw)


# --- no provider: as before ------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_provider_the_login_page_and_the_token_are_as_before(manager):
    page = Client().get("/accounts/login/")
    assert page.status_code == 200
    assert b"sign-in-provider" not in page.content and b'id="id_password"' in page.content
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/?code=x&state=y").status_code == 404
    response = APIClient().post(
        "/api/auth/token/",
        {"username": "manager", "password": "a-long-test-password-1"},
        format="json",
    )
    assert response.status_code == 200 and set(response.json()) == {"token"}


@pytest.mark.django_db
def test_with_a_provider_the_login_page_offers_it_beside_the_password(provider_settings, manager):
    page = Client().get("/accounts/login/?next=/risk/")
    text = page.content.decode()
    assert "Sign in with UN Login" in text and 'href="/oidc/authenticate/?next=%2Frisk%2F"' in text
    assert 'id="id_password"' in text and "Emergency sign-in" not in text


@pytest.mark.django_db
def test_password_sign_in_off_leaves_only_the_break_glass_administrators(
    provider_settings, manager, admin_user
):
    provider_settings.OIDC_LOCAL_SIGNIN = False
    provider_settings.OIDC_BREAK_GLASS_ADMINS = ["admin"]
    api = APIClient()
    refused = api.post(
        "/api/auth/token/",
        {"username": "manager", "password": "a-long-test-password-1"},
        format="json",
    )
    assert refused.status_code == 400
    assert "switched off" in refused.json()["non_field_errors"][0]
    allowed = api.post(
        "/api/auth/token/",
        {"username": "admin", "password": "a-long-test-password-1"},
        format="json",
    )
    assert allowed.status_code == 200 and allowed.json()["token"]

    page = Client().get("/accounts/login/").content.decode()
    assert "Emergency sign-in for administrators" in page
    form = Client()
    form.post("/accounts/login/", {"username": "manager", "password": "a-long-test-password-1"})
    assert form.get("/").status_code == 302
    form.post("/accounts/login/", {"username": "admin", "password": "a-long-test-password-1"})
    assert form.get("/").status_code == 200


# --- accounts and roles from claims ----------------------------------------------------------------


def _provider():
    return conf.provider()


def _role_entries(user):
    role_type = "org.role"
    return list(
        HistoryEntry.objects.filter(object_type=role_type, object_repr__startswith=user.username)
        .order_by("pk")
        .values_list("action", "actor", "changes")
    )


@pytest.mark.django_db
def test_claims_create_the_account_with_its_role_and_every_change_is_the_providers(
    provider_settings, units
):
    user = sign_in_from_claims(
        claims(groups=["dmspc", "ga"], name="Jane Doe", email="jdoe@un.org"), provider=_provider()
    )
    role = Role.objects.get(user=user)
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "jdoe",
        "Jane",
        "Doe",
        "jdoe@un.org",
    )
    assert (role.kind, role.unit.code) == ("manager", "DMSPC")
    assert not user.has_usable_password()

    # Moved to DOS at the provider: the next sign-in moves the role, in the history.
    again = sign_in_from_claims(claims(groups=["dos"]), provider=_provider())
    assert again == user
    role.refresh_from_db()
    assert role.unit.code == "DOS"
    entries = HistoryEntry.objects.filter(object_type="org.role", object_id=str(role.pk))
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
    assert {e.actor for e in entries} == {f"oidc:{ISSUER}"}
    update = entries.order_by("pk").last()
    assert update.changes["unit"] == [units["dmspc"].pk, units["dos"].pk]


@pytest.mark.django_db
def test_leaving_every_mapped_group_removes_the_role_and_the_administrator_flags(
    provider_settings, units
):
    user = sign_in_from_claims(claims(groups=["admins"]), provider=_provider())
    assert user.is_superuser and user.is_staff
    with pytest.raises(SignInRefused):
        sign_in_from_claims(claims(groups=["canteen"]), provider=_provider())
    user.refresh_from_db()
    assert not Role.objects.filter(user=user).exists()
    assert not user.is_superuser and not user.is_staff
    deleted = HistoryEntry.objects.get(object_type="org.role", action="delete")
    assert deleted.actor == f"oidc:{ISSUER}"


@pytest.mark.django_db
def test_an_unmapped_newcomer_gets_no_account(provider_settings, units):
    with pytest.raises(SignInRefused):
        sign_in_from_claims(claims(username="visitor", groups=["canteen"]), provider=_provider())
    assert not get_user_model().objects.filter(username="visitor").exists()


@pytest.mark.django_db
def test_a_mapping_to_a_unit_the_tracker_lacks_falls_to_the_next_group(provider_settings, units):
    provider_settings.OIDC_GROUP_ROLES = parse_group_roles("x=manager:NOPE; oios=oversight:OIOS")
    user = sign_in_from_claims(claims(groups=["x", "oios"]), provider=_provider())
    assert (user.role.kind, user.role.body_code) == ("oversight", "OIOS")


@pytest.mark.django_db
def test_the_staff_record_is_linked_by_index_number_then_by_email(provider_settings, units):
    by_index = PersonFactory(index_number="777", unit=units["dos"], email="other@un.org")
    user = sign_in_from_claims(
        claims(sub="a", username="ana", groups=["ga"], employee_id="777"), provider=_provider()
    )
    by_index.refresh_from_db()
    assert by_index.user == user
    link = HistoryEntry.objects.get(
        object_type="org.person", object_id=str(by_index.pk), action="update"
    )
    assert link.actor == f"oidc:{ISSUER}" and link.changes["user"] == [None, user.pk]

    by_email = PersonFactory(unit=units["dos"], email="Bo@UN.org")
    user2 = sign_in_from_claims(
        claims(sub="b", username="bo", groups=["ga"], email="bo@un.org"), provider=_provider()
    )
    by_email.refresh_from_db()
    assert by_email.user == user2
    # A staff record already linked to another account is never taken over.
    sign_in_from_claims(
        claims(sub="c", username="cy", groups=["ga"], employee_id="777"), provider=_provider()
    )
    by_index.refresh_from_db()
    assert by_index.user == user


@pytest.mark.django_db
def test_an_existing_local_account_is_linked_but_never_a_break_glass_one(
    provider_settings, manager, admin_user
):
    provider_settings.OIDC_BREAK_GLASS_ADMINS = ["admin"]
    user = sign_in_from_claims(claims(username="manager", groups=["dmspc"]), provider=_provider())
    assert user == manager
    with pytest.raises(SignInRefused):
        sign_in_from_claims(
            claims(sub="z", username="admin", groups=["admins"]), provider=_provider()
        )
    admin_user.refresh_from_db()
    assert admin_user.role.kind == "administrator" and admin_user.is_superuser


# --- API tokens ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_is_issued_once_listed_used_and_revoked(manager, manager2, web):
    page = web(manager)
    response = page.post("/accounts/profile/", {"name": "weekly export job", "days": 7})
    assert response.status_code == 302
    shown = page.get("/accounts/profile/").content.decode()
    token = APIToken.objects.get(user=manager)
    key = shown.split('<code id="new-token">')[1].split("<")[0]
    assert key.startswith("trk_") and token.key_hint == key[:10] and key not in token.key_hash
    assert "weekly export job" in shown
    assert key not in page.get("/accounts/profile/").content.decode()  # shown once
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/org-units/")
    assert me.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    # Another user cannot see or revoke it.
    other = web(manager2)
    assert "weekly export job" not in other.get("/accounts/profile/").content.decode()
    assert other.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert api.get("/api/org-units/").status_code == 200

    assert page.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/org-units/").status_code in (401, 403)
    actions = HistoryEntry.objects.filter(object_type="signon.apitoken", object_id=str(token.pk))
    assert sorted(actions.values_list("action", "actor")) == [
        ("create", "user:manager"),
        ("update", "user:manager"),
    ]
    assert all("key_hash" not in e.changes for e in actions)


@pytest.mark.django_db
def test_an_expired_token_is_refused_and_a_too_long_one_is_never_issued(manager, web, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    page = web(manager)
    response = page.post("/accounts/profile/", {"name": "too long", "days": 31})
    assert response.status_code == 200 and "less than or equal to 30" in response.content.decode()
    assert page.post("/accounts/profile/", {"name": "", "days": 3}).status_code == 200
    assert not APIToken.objects.exists()

    page.post("/accounts/profile/", {"name": "short", "days": 1})
    key = page.get("/accounts/profile/").content.decode().split('<code id="new-token">')[1][:47]
    APIToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/org-units/").status_code in (401, 403)
    api.credentials(HTTP_AUTHORIZATION="Token trk_not-a-token")
    assert api.get("/api/org-units/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_profile_page_needs_a_signed_in_user_and_shows_the_role(manager, web):
    assert Client().get("/accounts/profile/").status_code == 302
    text = web(manager).get("/accounts/profile/").content.decode()
    assert "Manager" in text and "Maria Manager" in text and "a tracker password" in text


@pytest.mark.django_db
def test_the_password_token_expires_is_renewed_listed_and_revoked(manager, web, settings):
    from rest_framework.authtoken.models import Token

    settings.API_TOKEN_MAX_DAYS = 30
    api = APIClient()
    body = {"username": "manager", "password": "a-long-test-password-1"}
    key = api.post("/api/auth/token/", body, format="json").json()["token"]
    assert api.post("/api/auth/token/", body, format="json").json()["token"] == key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/org-units/").status_code == 200
    profile = web(manager)
    assert 'id="password-token"' in profile.get("/accounts/profile/").content.decode()

    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=31))
    assert api.get("/api/org-units/").status_code in (401, 403)
    fresh = APIClient().post("/api/auth/token/", body, format="json").json()["token"]
    assert fresh != key and not Token.objects.filter(key=key).exists()

    assert profile.post("/accounts/profile/tokens/password/revoke/").status_code == 302
    assert not Token.objects.filter(user=manager).exists()
    assert 'id="password-token"' not in profile.get("/accounts/profile/").content.decode()
