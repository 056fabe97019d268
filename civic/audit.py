"""Writing to the audit log. Services call `audit_record` inside their own transaction, so an
entry exists exactly when the change it describes does."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import tenancy
from .models import AuditEntry, Role
from .pseudonyms import code_here

# Acts whose actor is private: who supported an idea, withdrew a support or reported something.
# The entry keeps the actor for the legal hold; no log page, search or export names them.
PRIVATE_ACTOR_ACTIONS = frozenset({"idea.support", "idea.unsupport", "moderation.report"})


def actor_is_private(action: str) -> bool:
    return action in PRIVATE_ACTOR_ACTIONS


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    consultation_id: int | None = None,
) -> AuditEntry:
    entry = audit_entry(
        actor=actor,
        action=action,
        target=target,
        reason=reason,
        changes=changes,
        consultation_id=consultation_id,
        municipality_id=tenancy.current_id(),
    )
    entry.save()
    return entry


def audit_entry(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    consultation_id: int | None = None,
    municipality_id: int | None = None,
) -> AuditEntry:
    """The entry `audit_record` writes, unsaved: for a service that writes it within a
    statement of its own (`insert_values`)."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        actor=actor_obj,
        actor_label=_actor_label(actor_obj),
        action=action,
        reason=reason or "",
        changes=changes or {},
        consultation_id=consultation_id,
        # Whose log: the municipality being served (a request's, or the one a job activated).
        municipality_id=municipality_id if municipality_id is not None else tenancy.current_id(),
    )
    if target is not None:
        entry.content_type = ContentType.objects.get_for_model(target)
        entry.object_id = str(target.pk)
        entry.object_repr = str(target)[:200]
        if consultation_id is None:
            entry.consultation_id = _consultation_id_of(target)
    return entry


def insert_values(entry: AuditEntry, connection) -> tuple[list[str], list[Any]]:
    """The quoted columns and the values an INSERT of `entry` stores, prepared as Django's own
    save prepares them (the time of `created_at` included)."""
    columns, values = [], []
    for field in entry._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        values.append(field.get_db_prep_save(field.pre_save(entry, add=True), connection))
    return columns, values


def _actor_label(actor) -> str:
    """Staff are named by their work address, so the log says which colleague acted; residents
    by their pseudonym code only, because the log is read by more people than the user admin
    and a resident's e-mail address is contact data, not a public name."""
    if actor is None:
        return "system"
    if actor.role == Role.RESIDENT and getattr(actor, "is_operator", False):
        # The platform operator acts on municipalities, not as one of their residents.
        return f"{actor.email or actor.username} (operator)"[:150]
    if actor.role == Role.RESIDENT:
        # The code the resident appears under in this municipality's pages (civic.pseudonyms).
        return f"resident {code_here(actor.pseudonym_code)}"
    return f"{actor.email or actor.username} ({actor.role})"[:150]


def _consultation_id_of(target) -> int | None:
    if target._meta.model_name == "consultation":
        return target.pk
    return getattr(target, "consultation_id", None)
