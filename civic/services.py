"""Writes on accounts and the site that are not allauth's: the language a person is written to
in, roles, API tokens and the municipality's settings (the back office)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import api_tokens, branding, imaging, tenancy
from .audit import audit_record
from .changes import Change, changed
from .memberships import membership_set
from .models import ApiToken, Municipality, Role, User
from .permissions import (
    can_manage_settings,
    can_manage_users,
    can_revoke_api_token,
    can_use_api_tokens,
)
from .pseudonyms import code_here


def supported_language(code: str | None) -> str:
    """One of LANGUAGES for `code` ("en-gb" -> "en"), or "" when there is none."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language the person chose; their e-mails and notices use it from now on.
    A code outside LANGUAGES is ignored: the switch that sends it says so itself."""
    language = supported_language(language)
    if language and user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)


# --- Roles -------------------------------------------------------------------------------------


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise PermissionDenied(reason)


@transaction.atomic
def user_role_change(*, actor: User, user: User, role: str, limited_to_assigned: bool) -> User:
    """Give `user` another role (and a planner the "limited to assigned consultations" mark).

    An administrator cannot change their own role (a slip would lock them out), and the last
    administrator cannot be given another: somebody must be able to give roles.
    """
    _require(can_manage_users(actor), _("Only administrators change roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles.")})
    limited_to_assigned = bool(limited_to_assigned) and role == Role.PLANNER
    user = User.objects.select_for_update().get(pk=user.pk)
    old = {"role": user.role, "limited_to_assigned": user.limited_to_assigned}
    new = {"role": role, "limited_to_assigned": limited_to_assigned}
    if old == new:
        return user
    refusal = role_change_refusal(actor=actor, user=user, role=role, lock=True)
    if refusal:
        raise ValidationError({"role": refusal})
    membership_set(user, role=role, limited_to_assigned=limited_to_assigned)
    # The workers' copies of the person's tokens carry the old role.
    api_tokens.forget_owner(user.pk)
    role_change_record(actor=actor, user=user, old=old)
    if not can_use_api_tokens(user):
        # Tokens were for the work the old role did.
        for token in user.api_tokens.active():
            _token_revoke(actor=actor, token=token)
    return user


def role_change_refusal(*, actor: User, user: User, role: str, lock: bool = False) -> str | None:
    """Why `actor` may not give `user` this role, or None. The back office and Django
    Administration ask the same question; the service asks it again under lock."""
    if user.pk == actor.pk and role != user.role:
        return _("You cannot change your own role. Ask another administrator.")
    if user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR:
        administrators = User.objects.holding(Role.ADMINISTRATOR).filter(
            is_active=True, is_deleted=False
        )
        if lock:
            # Locked, so that two administrators demoting each other at once cannot both succeed.
            administrators = administrators.select_for_update()
        if set(administrators.values_list("pk", flat=True)) <= {user.pk}:
            return _("This is the last administrator. Make someone else an administrator first.")
    return None


def role_change_record(*, actor: User, user: User, old: dict) -> None:
    """The audit entry of a role change: the old and the new role (and limit), who, when. Also
    written for a change made in Django Administration (civic.admin.UserAdmin)."""
    new = {"role": user.role, "limited_to_assigned": user.limited_to_assigned}
    changes = {key: [old[key], new[key]] for key in new if old.get(key) != new[key]}
    if changes:
        audit_record(actor=actor, action="account.role_change", target=user, changes=changes)


# --- API tokens --------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token of `actor`'s and its key, which the caller shows once and forgets."""
    _require(can_use_api_tokens(actor), _("Only staff use API tokens."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, so that you know it later.")})
    key = api_tokens.new_key()
    token = ApiToken(
        owner=actor,
        name=name,
        digest=api_tokens.digest_of(key),
        prefix=key[: api_tokens.PREFIX_LENGTH],
    )
    token.full_clean(exclude=["digest", "prefix"])
    token.save()
    audit_record(
        actor=actor, action="account.api_token_create", target=token, changes={"name": name}
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    _require(can_revoke_api_token(actor, token), _("You may revoke only your own tokens."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        _token_revoke(actor=actor, token=token)
    return token


def _token_revoke(*, actor: User, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    api_tokens.forget_owner(token.owner_id)
    audit_record(
        actor=actor,
        action="account.api_token_revoke",
        target=token,
        changes={"owner": code_here(token.owner.pseudonym_code), "name": token.name},
    )


# --- The municipality's settings ---------------------------------------------------------------


@transaction.atomic
def municipality_settings_save(*, actor: User, values: dict, logo=None, clear_logo=False):
    """Store the back office's name, logo, colour and map; blank fields follow the
    environment's settings. `logo` is an upload, re-encoded here without its metadata."""
    _require(can_manage_settings(actor), _("Only administrators change the settings."))
    # The municipality being served, locked: two saves at once apply one after the other.
    row = Municipality.objects.select_for_update().get(pk=tenancy.current_id())
    before = {field: _comparable(getattr(row, field)) for field in branding.STORED_FIELDS}
    for field, value in values.items():
        if field not in branding.STORED_FIELDS or field == "logo":
            raise ValueError(f"not a settings field: {field}")
        setattr(row, field, value)
    old_logo = row.logo.name if row.logo else ""
    if logo is not None:
        row.logo = _logo_without_metadata(logo)
    elif clear_logo:
        row.logo = ""
    row.full_clean()
    row.save()
    after = {field: _comparable(getattr(row, field)) for field in branding.STORED_FIELDS}
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if old_logo and (logo is not None or clear_logo):
        transaction.on_commit(lambda: row.logo.storage.delete(old_logo))
    if changes:
        audit_record(actor=actor, action="site.settings_change", target=row, changes=changes)
    transaction.on_commit(branding.forget)
    branding.forget()
    # The name, logo, colour and map are on every page anonymous visitors are served from cache.
    changed(None, Change.BRANDING)
    return row


def _comparable(value):
    if hasattr(value, "name") and not isinstance(value, str):  # a file
        return value.name or ""
    return value


LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
LOGO_MAX_BYTES = 2 * 1024 * 1024


def _logo_without_metadata(upload):
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError({"logo": _("The logo may be at most 2 MB.")})
    upload.seek(0)
    cleaned = imaging.reencoded(upload.read(), formats=LOGO_FORMATS)
    if cleaned is None:
        raise ValidationError({"logo": _("The logo must be a PNG, JPEG or WebP picture.")})
    data, image_format = cleaned
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    return ContentFile(data, name=f"logo.{extension}")
