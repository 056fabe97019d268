"""Whether a person is blocked from taking part, asked by every app that accepts contributions.

The blocks themselves are moderation's (moderation.models.Block); the apps below moderation ask
through this module, which finds the model by name, so no app imports moderation.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import tenancy


def active_block(user, consultation=None):
    """The block that applies to this person here (site-wide or this consultation), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not apps.is_installed("moderation"):
        return None
    block_model = apps.get_model("moderation", "Block")
    consultation_id = getattr(consultation, "pk", consultation)
    municipality_id = getattr(consultation, "municipality_id", None) or tenancy.current_id()
    return (
        block_model.objects.active()
        .applying_to(consultation_id, municipality_id)
        .filter(user=user)
        .order_by("until")
        .last()
    )


def active_block_sql(connection) -> str | None:
    """An SQL condition, true when a block applies to the person %(user)s in the consultation
    %(consultation)s of the municipality %(municipality)s at %(now)s: what `active_block`
    asks, for a service that checks it within a statement of its own (the support). None when
    there are no blocks (moderation left out)."""
    if not apps.is_installed("moderation"):
        return None
    block_model = apps.get_model("moderation", "Block")
    quote = connection.ops.quote_name
    table = quote(block_model._meta.db_table)
    user, consultation, municipality, until, lifted = (
        quote(block_model._meta.get_field(name).column)
        for name in ("user", "consultation", "municipality", "until", "lifted_at")
    )
    return (
        f"EXISTS (SELECT 1 FROM {table} WHERE {user} = %(user)s AND {lifted} IS NULL "  # noqa: S608
        f"AND ({until} IS NULL OR {until} > %(now)s) "
        f"AND (({consultation} IS NULL AND {municipality} = %(municipality)s) "
        f"OR {consultation} = %(consultation)s))"
    )


def is_blocked(user, consultation=None) -> bool:
    return active_block(user, consultation) is not None


def require_not_blocked(user, consultation=None) -> None:
    """Raise PermissionDenied saying why and until when, if the person is blocked here."""
    block = active_block(user, consultation)
    if block is None:
        return
    if block.until is None:
        reason = _("A moderator has blocked your account from taking part.")
    else:
        reason = _("A moderator has blocked your account from taking part until %(until)s.") % {
            "until": formats.date_format(timezone.localtime(block.until), "DATETIME_FORMAT")
        }
    if block.consultation_id:
        reason = _("%(reason)s This applies to this consultation only.") % {"reason": reason}
    raise PermissionDenied(f"{reason} {_('Reason:')} {block.reason}")
