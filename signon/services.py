"""Sign-on's named actions: an account and its role from a provider's claims (every change in
the history as `oidc:<issuer>`), and the issue and revocation of API tokens."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import SYSTEM, action
from core.context import acting_as, current_actor
from org.choices import RoleKind
from org.models import OrgUnit, Person, Role
from org.services import save_person, save_role
from signon import conf
from signon.backends import SignInRefused
from signon.mapping import GroupRole
from signon.models import APIToken, ProviderIdentity, hash_key, new_key

logger = logging.getLogger(__name__)


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name) if name else None
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return str(value).strip() if value not in (None, "") else ""


def groups_of(claims: dict) -> list[str]:
    value = claims.get(settings.OIDC_CLAIM_GROUPS)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


@dataclass
class Desired:
    entry: GroupRole | None
    unit: OrgUnit | None = None


def desired_role(claims: dict) -> Desired:
    """The first mapping entry among the claims' groups whose unit exists (a mapping naming a
    unit the tracker does not hold is skipped and logged, never half-applied)."""
    held = set(groups_of(claims))
    for entry in settings.OIDC_GROUP_ROLES:
        if entry.group not in held:
            continue
        if entry.kind == RoleKind.MANAGER:
            unit = OrgUnit.objects.filter(code=entry.unit_code).first()
            if unit is None:
                logger.error(
                    "OIDC_GROUP_ROLES: unit %s of group %s does not exist",
                    entry.unit_code,
                    entry.group,
                )
                continue
            return Desired(entry, unit)
        return Desired(entry)
    return Desired(None)


def _find_user(claims: dict, provider: conf.Provider):
    User = get_user_model()
    subject = _claim(claims, "sub")
    identity = (
        ProviderIdentity.objects.select_related("user")
        .filter(issuer=provider.issuer, subject=subject)
        .first()
    )
    if identity is not None:
        return identity.user
    index_number = _claim(claims, settings.OIDC_CLAIM_INDEX_NUMBER)
    if index_number:
        person = Person.objects.filter(index_number=index_number, user__isnull=False).first()
        if person is not None:
            return person.user
    username = _claim(claims, settings.OIDC_CLAIM_USERNAME)
    if username:
        user = User._default_manager.filter(username=username).first()
        if user is not None:
            return user
    email = _claim(claims, settings.OIDC_CLAIM_EMAIL)
    if email:
        people = list(Person.objects.filter(email__iexact=email, user__isnull=False)[:2])
        if len(people) == 1:
            return people[0].user
        users = list(User._default_manager.filter(email__iexact=email)[:2])
        if len(users) == 1:
            return users[0]
    return None


def _username_for(claims: dict) -> str:
    User = get_user_model()
    base = (
        _claim(claims, settings.OIDC_CLAIM_USERNAME)
        or _claim(claims, settings.OIDC_CLAIM_EMAIL)
        or "oidc-" + _claim(claims, "sub")
    )[:150]
    candidate, n = base, 1
    while User._default_manager.filter(username=candidate).exists():
        n += 1
        candidate = f"{base[:140]}-{n}"
    return candidate


def _update_account(user, claims: dict) -> None:
    name = _claim(claims, settings.OIDC_CLAIM_NAME)
    first, last = claims.get("given_name"), claims.get("family_name")
    if not (first or last) and name:
        first, _sep, last = name.partition(" ")
    changed = []
    for field, value in (
        ("first_name", (first or "")[:150]),
        ("last_name", (last or "")[:150]),
        ("email", _claim(claims, settings.OIDC_CLAIM_EMAIL)[:254]),
    ):
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)


def _link_person(user, claims: dict) -> None:
    """Link the account to its staff record: by index number when the provider sends one, else
    by a single unlinked staff record with the same e-mail. A record already linked to another
    account is left alone."""
    if Person.objects.filter(user=user).exists():
        return
    person = None
    index_number = _claim(claims, settings.OIDC_CLAIM_INDEX_NUMBER)
    if index_number:
        person = Person.objects.filter(index_number=index_number).first()
    if person is None:
        email = _claim(claims, settings.OIDC_CLAIM_EMAIL)
        if email:
            found = list(Person.objects.filter(email__iexact=email, user__isnull=True)[:2])
            person = found[0] if len(found) == 1 else None
    if person is None or person.user_id not in (None, user.pk):
        return
    person.user = user
    save_person(person, acting_user=SYSTEM)


@action(Role, "remove_by_provider", check=False)
def remove_role(role: Role, *, acting_user) -> None:
    """The provider's groups no longer give this account a role: take it away."""
    role.delete()


def _apply_role(user, desired: Desired) -> bool:
    """Make the account's role what its groups give. True when it has one afterwards."""
    role = Role.objects.filter(user=user).first()
    entry = desired.entry
    if entry is None:
        if role is not None:
            remove_role(role, acting_user=SYSTEM)
        _set_admin_flags(user, False)
        return False
    fields = {
        "kind": entry.kind,
        "unit": desired.unit,
        "body_code": entry.body_code,
    }
    if role is None:
        role = Role(user=user, **fields)
        save_role(role, acting_user=SYSTEM)
    elif (role.kind, role.unit_id, role.body_code) != (
        entry.kind,
        desired.unit.pk if desired.unit else None,
        entry.body_code,
    ):
        for name, value in fields.items():
            setattr(role, name, value)
        save_role(role, acting_user=SYSTEM)
    _set_admin_flags(user, entry.kind == RoleKind.ADMINISTRATOR)
    return True


def _set_admin_flags(user, admin: bool) -> None:
    # A superuser reads as an administrator whatever its role (org.access): the flags follow the
    # role, or leaving the administrators' group would leave the rights in place.
    if user.is_superuser != admin or user.is_staff != admin:
        user.is_superuser = user.is_staff = admin
        user.save(update_fields=["is_superuser", "is_staff"])


def sign_in_from_claims(claims: dict, *, provider: conf.Provider, request=None):
    """Find or create the account the checked claims describe, bring its name, e-mail, staff
    record link and role up to date, and answer it; raise SignInRefused when its groups give no
    role here (a role it held is removed first, in the history)."""
    subject = _claim(claims, "sub")
    if not subject:
        raise SignInRefused("no subject")
    desired = desired_role(claims)
    with (
        transaction.atomic(),
        acting_as(provider.actor, request_id=current_actor().request_id or None),
    ):
        user = _find_user(claims, provider)
        if user is not None and conf.is_break_glass(user.username):
            # Break-glass accounts stay local: no provider account may become one.
            logger.warning("provider subject %s matches break-glass account %s", subject, user)
            raise SignInRefused(_("This account signs in with its password only."))
        if user is None and desired.entry is None:
            has_role = False
        else:
            if user is None:
                User = get_user_model()
                user = User._default_manager.create_user(_username_for(claims))
            elif not user.is_active:
                raise SignInRefused(_("This account is inactive."))
            _update_account(user, claims)
            ProviderIdentity.objects.update_or_create(
                issuer=provider.issuer,
                subject=subject,
                defaults={"user": user, "last_seen": timezone.now()},
            )
            _link_person(user, claims)
            has_role = _apply_role(user, desired)
    if not has_role:
        if request is not None:
            request.signon_unmapped = {
                "username": _claim(claims, settings.OIDC_CLAIM_USERNAME)
                or _claim(claims, settings.OIDC_CLAIM_EMAIL),
                "groups": groups_of(claims)[:20],
            }
        raise SignInRefused(_("None of your groups gives a role in the tracker."))
    return user


# --- API tokens ------------------------------------------------------------------------------


@action(APIToken, "save")
def issue_token(token: APIToken, *, acting_user, days: int) -> str:
    """Issue a new token to `acting_user` for `days` days (at most API_TOKEN_MAX_DAYS); answers
    the key, which is never shown again."""
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValueError(f"days must be between 1 and {settings.API_TOKEN_MAX_DAYS}")
    key = new_key()
    token.user = acting_user
    token.key_hash = hash_key(key)
    token.key_hint = key[:10]
    token.expires_at = timezone.now() + timedelta(days=days)
    token.full_clean()
    token.save()
    return key


@action(APIToken, "revoke")
def revoke_token(token: APIToken, *, acting_user) -> APIToken:
    token = APIToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def revoke_password_token(*, acting_user) -> bool:
    """Revoke the token POST /api/auth/token/ gave `acting_user` (a new request issues another).
    DRF's token is no domain record: no history entry, a log line."""
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=acting_user).delete()
    if deleted:
        logger.info("password-issued API token of %s revoked", acting_user.get_username())
    return bool(deleted)
