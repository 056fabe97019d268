"""Writes of a map survey: the planner's questions and the residents' drawn answers.

Each service is keyword-only, owns its transaction and its audit entry, and raises Django's
ValidationError (bad input, 400, on the field that is wrong) or PermissionDenied (not allowed
now, 403) with a reason a person can read. The HTML pages and the API both call these.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civic.audit import audit_record
from civic.blocks import require_not_blocked
from civic.changes import Change, changed
from civic.permissions import can_participate
from civic.reasons import PublicReason
from maps.drawing import Drawing, checked_drawing, validate_drawing

from . import permissions
from .models import Consultation, DrawnAnswer, MapQuestion
from .ordering import move_one_place
from .rules import require_phase

QUESTION_FIELDS = ("prompt", "help_text", "kind", "required", "max_answers")
# The phase flag that lets residents place pins lets them draw, too: a map survey collects
# contributions on the map exactly when an idea competition does.
CONTRIBUTE = "submit_idea"


# --- Questions (planners) ---------------------------------------------------------------------


def _require_question_manager(actor, consultation: Consultation) -> None:
    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        raise PermissionDenied(_("Only a map survey has map questions."))
    if not permissions.can_manage_map_questions(actor, consultation):
        raise PermissionDenied(_("You may not change this consultation's map questions."))


def _apply(question: MapQuestion, data: Mapping[str, Any]) -> dict[str, Any]:
    before = {name: getattr(question, name) for name in QUESTION_FIELDS}
    for name in QUESTION_FIELDS:
        if name in data:
            setattr(question, name, data[name])
    question.prompt = (question.prompt or "").strip()
    question.help_text = (question.help_text or "").strip()
    question.full_clean(exclude=["consultation", "position"])
    return {
        name: [before[name], getattr(question, name)]
        for name in QUESTION_FIELDS
        if before[name] != getattr(question, name)
    }


@transaction.atomic
def map_question_create(
    *, actor, consultation: Consultation, data: Mapping[str, Any]
) -> MapQuestion:
    _require_question_manager(actor, consultation)
    last = consultation.map_questions.order_by("-position").values_list("position", flat=True)
    question = MapQuestion(consultation=consultation, position=(last.first() or 0) + 1)
    _apply(question, data)
    question.save()
    changed(consultation.pk, Change.MAP_SURVEY)
    audit_record(
        actor=actor,
        action="consultation.map_question_create",
        target=question,
        consultation_id=consultation.pk,
        changes={"prompt": question.prompt, "kind": question.kind},
    )
    return question


@transaction.atomic
def map_question_update(*, actor, question: MapQuestion, data: Mapping[str, Any]) -> MapQuestion:
    consultation = question.consultation
    _require_question_manager(actor, consultation)
    if "kind" in data and data["kind"] != question.kind and question.answers.exists():
        # Answers drawn as lines would not answer a question that now asks for areas.
        raise ValidationError(
            {"kind": _("Residents have answered this question; what they draw cannot change.")}
        )
    changes = _apply(question, data)
    question.save()
    if changes:
        changed(consultation.pk, Change.MAP_SURVEY)
        audit_record(
            actor=actor,
            action="consultation.map_question_update",
            target=question,
            consultation_id=consultation.pk,
            changes=changes,
        )
    return question


@transaction.atomic
def map_question_move(*, actor, question: MapQuestion, direction: str) -> None:
    """Move a question one place up or down in the order residents answer them."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move a question up or down.")})
    consultation = Consultation.objects.select_for_update().get(pk=question.consultation_id)
    _require_question_manager(actor, consultation)
    questions = move_one_place(
        consultation.map_questions.order_by("position", "pk"), question.pk, direction
    )
    MapQuestion.objects.bulk_update(questions, ["position"])
    changed(consultation.pk, Change.MAP_SURVEY)
    audit_record(
        actor=actor,
        action="consultation.map_question_move",
        target=question,
        consultation_id=consultation.pk,
        changes={"order": [item.pk for item in questions]},
    )


@transaction.atomic
def map_question_delete(*, actor, question: MapQuestion) -> None:
    consultation = question.consultation
    _require_question_manager(actor, consultation)
    audit_record(
        actor=actor,
        action="consultation.map_question_delete",
        target=question,
        consultation_id=consultation.pk,
        changes={"prompt": question.prompt, "answers": question.answers.count()},
    )
    question.delete()
    changed(consultation.pk, Change.MAP_SURVEY)


# --- Drawn answers (residents) ----------------------------------------------------------------


def answer_refusal(user, consultation: Consultation) -> str | None:
    """Why this person may not draw here now, in words a person reads; None when they may."""
    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        return _("This consultation is not a map survey.")
    if not can_participate(user):
        return _("Sign in to answer the map questions.")
    try:
        require_phase(consultation, CONTRIBUTE)
        require_not_blocked(user, consultation)
    except PermissionDenied as refusal:
        return str(refusal)
    return None


def check_drawing(
    question: MapQuestion,
    *,
    geometry: Any = None,
    positions: Sequence[tuple[float, float]] | None = None,
) -> Drawing:
    """The drawing checked against the question and the consultation's area: from GeoJSON
    (the map, the API) or from a list of (longitude, latitude) positions (the keyboard form)."""
    consultation = question.consultation
    limit = settings.SURVEY_MAX_VERTICES
    if positions is not None:
        return checked_drawing(
            question.kind, list(positions), area=consultation.area, max_vertices=limit
        )
    if geometry in (None, "", {}):
        raise ValidationError({"geometry": _("Draw your answer on the map first.")})
    return validate_drawing(question.kind, geometry, area=consultation.area, max_vertices=limit)


def _lock_author(user) -> None:
    # Two answers sent at once by the same person must not both slip under the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()


@transaction.atomic
def drawn_answer_submit(
    *,
    author,
    question: MapQuestion,
    geometry: Any = None,
    positions: Sequence[tuple[float, float]] | None = None,
    comment: str = "",
) -> DrawnAnswer:
    """A resident answers a map question with a drawing while the consultation takes pins."""
    consultation = question.consultation
    refusal = answer_refusal(author, consultation)
    if refusal is not None:
        raise PermissionDenied(refusal)
    drawing = check_drawing(question, geometry=geometry, positions=positions)
    comment = " ".join((comment or "").split())
    if len(comment) > 280:
        raise ValidationError({"comment": _("A comment has at most 280 characters.")})
    _lock_author(author)
    used = DrawnAnswer.objects.filter(question=question, author=author).count()
    if used >= question.max_answers:
        raise ValidationError(
            {
                "geometry": ngettext(
                    "You have already given %(n)s answer to this question, the most allowed. "
                    "Delete it to draw another.",
                    "You have already given %(n)s answers to this question, the most allowed. "
                    "Delete one to draw another.",
                    question.max_answers,
                )
                % {"n": question.max_answers}
            }
        )
    answer = DrawnAnswer.objects.create(
        question=question,
        consultation=consultation,
        author=author,
        geometry=drawing.text,
        longitude=drawing.longitude,
        latitude=drawing.latitude,
        vertex_count=drawing.vertex_count,
        comment=comment,
    )
    changed(consultation.pk, Change.MAP_SURVEY)
    audit_record(
        actor=author,
        action="consultation.drawn_answer_submit",
        target=answer,
        consultation_id=consultation.pk,
        changes={"question": question.pk, "kind": question.kind},
    )
    return answer


@transaction.atomic
def drawn_answer_delete(*, user, answer: DrawnAnswer) -> None:
    """The author takes an answer back; a block does not keep a person's drawing public."""
    if answer.author_id != getattr(user, "pk", None):
        raise PermissionDenied(_("You may delete only your own answers."))
    consultation_id = answer.consultation_id
    audit_record(
        actor=user,
        action="consultation.drawn_answer_delete",
        target=answer,
        consultation_id=consultation_id,
        changes={"question": answer.question_id},
    )
    answer.delete()
    changed(consultation_id, Change.MAP_SURVEY)


@transaction.atomic
def drawn_answer_set_hidden(*, actor, answer: DrawnAnswer, hidden: bool, reason: str = "") -> None:
    """A planner hides a drawing from every public output (or shows it again), with a public
    reason code as for ideas and comments."""
    consultation = answer.consultation
    if not permissions.can_edit_consultation(actor, consultation):
        raise PermissionDenied(_("You may not moderate this consultation."))
    if hidden and reason not in PublicReason.values:
        raise ValidationError({"reason": _("Choose why the answer is hidden.")})
    answer.is_hidden = hidden
    answer.hidden_reason = reason if hidden else ""
    answer.save(update_fields=["is_hidden", "hidden_reason"])
    changed(consultation.pk, Change.MAP_SURVEY)
    audit_record(
        actor=actor,
        action="consultation.drawn_answer_hide" if hidden else "consultation.drawn_answer_restore",
        target=answer,
        consultation_id=consultation.pk,
        reason=reason,
    )
