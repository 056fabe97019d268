"""Writes in a debate: topics and polls, comments, votes, official answers and poll answers.

Every function checks who may act and what the phase allows, validates, writes in one
transaction with its counters and audit entry, and raises Django's ValidationError (a 400 with
field and reason) or PermissionDenied (a 403 with a reason).
"""

import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civic.audit import audit_record
from civic.blocks import require_not_blocked
from civic.changes import Change, changed
from civic.markdown import markdown_to_text, render_markdown
from civic.models import User
from civic.notifications import notify
from civic.wordlist import needs_review
from consultations.models import Consultation, PlanFeature, PollOption, Topic
from consultations.rules import require_phase, verification_refusal
from ideas.models import Follow, Idea

from . import permissions
from .models import (
    COMMENT_MAX_LENGTH,
    Comment,
    CommentPublication,
    CommentRevision,
    CommentVote,
    PollAnswer,
    Stance,
)
from .scoring import wilson_lower_bound

_LOADED_RELATIONS = ["consultation", "topic", "idea", "parent", "root", "author"]
POLL_MAX_OPTIONS = 10
POLL_OPTION_MAX_LENGTH = 120

# Raw HTML is stripped when Markdown is rendered anyway; refusing it outright tells the writer
# why their text would not appear as typed instead of silently changing it.
_ACTIVE_CONTENT = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|svg|math|form|meta|link)\b"
    r"|\bon[a-z]+\s*=\s*[\"']?"
    r"|javascript\s*:"
    r"|vbscript\s*:"
    r"|data\s*:\s*text/html",
    re.IGNORECASE,
)


# --- topics ---------------------------------------------------------------------------------------


@transaction.atomic
def topic_create(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    introduction: str = "",
    poll_question: str = "",
    poll_multiple: bool = False,
    poll_results_visibility: str = Topic.ResultsVisibility.AFTER_ANSWER,
    poll_options: Sequence[str] = (),
    position: int | None = None,
) -> Topic:
    if not permissions.can_manage_topics(actor, consultation):
        raise PermissionDenied(_("Only the planners of this consultation may open topics."))
    options = _clean_poll(poll_question, poll_options)
    if position is None:
        position = consultation.topics.count()
    topic = Topic(
        consultation=consultation,
        title=title.strip(),
        introduction=introduction.strip(),
        poll_question=poll_question.strip(),
        poll_multiple=poll_multiple,
        poll_results_visibility=poll_results_visibility,
        position=position,
        created_by=actor,
    )
    topic.full_clean()
    topic.save()
    PollOption.objects.bulk_create(
        PollOption(topic=topic, label=label, position=i) for i, label in enumerate(options)
    )
    changed(consultation.pk, Change.TOPIC)
    audit_record(
        actor=actor,
        action="debate.topic_created",
        target=topic,
        changes={"title": topic.title, "poll_options": options},
        consultation_id=consultation.pk,
    )
    _notify_followers_of_new_topic(topic)
    return topic


@transaction.atomic
def topic_update(
    *,
    actor: User,
    topic: Topic,
    title: str,
    introduction: str = "",
    poll_question: str = "",
    poll_multiple: bool = False,
    poll_results_visibility: str = Topic.ResultsVisibility.AFTER_ANSWER,
    poll_options: Sequence[str] = (),
) -> Topic:
    if not permissions.can_manage_topics(actor, topic.consultation):
        raise PermissionDenied(_("Only the planners of this consultation may edit topics."))
    options = _clean_poll(poll_question, poll_options)
    before = {
        "title": topic.title,
        "introduction": topic.introduction,
        "poll_question": topic.poll_question,
        "poll_multiple": topic.poll_multiple,
        "poll_results_visibility": topic.poll_results_visibility,
    }
    topic.title = title.strip()
    topic.introduction = introduction.strip()
    topic.poll_question = poll_question.strip()
    topic.poll_multiple = poll_multiple
    topic.poll_results_visibility = poll_results_visibility
    topic.full_clean()
    if before["poll_multiple"] and not poll_multiple and _has_multiple_answers(topic):
        raise ValidationError(
            {
                "poll_multiple": _(
                    "Some people already chose several answers; the poll must stay multiple-choice."
                )
            }
        )
    topic.save()
    old_labels = _replace_poll_options(topic, options)
    changed(topic.consultation_id, Change.TOPIC)
    after = {key: getattr(topic, key) for key in before}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if old_labels != options:
        changes["poll_options"] = [old_labels, options]
    audit_record(
        actor=actor,
        action="debate.topic_updated",
        target=topic,
        changes=changes,
        consultation_id=topic.consultation_id,
    )
    return topic


def _clean_poll(question: str, options: Sequence[str]) -> list[str]:
    labels = [label.strip() for label in options if label and label.strip()]
    if not question.strip():
        if labels:
            raise ValidationError({"poll_question": _("Write the question the answers belong to.")})
        return []
    errors = []
    if len(labels) < 2:
        errors.append(_("A poll needs at least two answers."))
    if len(labels) > POLL_MAX_OPTIONS:
        errors.append(_("A poll may have at most %(n)d answers.") % {"n": POLL_MAX_OPTIONS})
    if any(len(label) > POLL_OPTION_MAX_LENGTH for label in labels):
        errors.append(
            _("Each answer may be at most %(n)d characters.") % {"n": POLL_OPTION_MAX_LENGTH}
        )
    if len({label.casefold() for label in labels}) != len(labels):
        errors.append(_("Each answer must be different."))
    if errors:
        raise ValidationError({"poll_options": errors})
    return labels


def _has_multiple_answers(topic: Topic) -> bool:
    from django.db.models import Count

    return (
        PollAnswer.objects.filter(topic=topic)
        .values("user_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def _replace_poll_options(topic: Topic, labels: list[str]) -> list[str]:
    """Keep options whose label stays (and their answers); refuse to drop answered ones."""
    existing = list(topic.poll_options.all())
    old_labels = [option.label for option in existing]
    by_label = {option.label.casefold(): option for option in existing}
    wanted = {label.casefold() for label in labels}
    dropped = [option for key, option in by_label.items() if key not in wanted]
    answered = [option.label for option in dropped if option.answers.exists()]
    if answered:
        raise ValidationError(
            {
                "poll_options": _(
                    "These answers have been chosen and cannot be removed: %(labels)s"
                )
                % {"labels": ", ".join(answered)}
            }
        )
    PollOption.objects.filter(pk__in=[option.pk for option in dropped]).delete()
    for position, label in enumerate(labels):
        option = by_label.get(label.casefold())
        if option is None:
            PollOption.objects.create(topic=topic, label=label, position=position)
        elif option.position != position or option.label != label:
            option.position = position
            option.label = label
            option.save(update_fields=["position", "label"])
    return old_labels


# --- comments -------------------------------------------------------------------------------------


def clean_comment_body(body: str | None) -> str:
    """The body as stored, or a ValidationError on "body" saying what is wrong with it."""
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": _("Write a comment.")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment may be at most %(max)d characters (it has %(n)d).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(text)}
            }
        )
    if _ACTIVE_CONTENT.search(text):
        raise ValidationError(
            {"body": _("Scripts and embedded HTML are not allowed. Use plain text or Markdown.")}
        )
    return text


@transaction.atomic
def comment_create(
    *,
    author: User,
    target: Topic | Idea,
    body: str,
    parent: Comment | None = None,
    stance: str = "",
    official: bool = False,
    plan_feature: PlanFeature | int | None = None,
    anchor_longitude: float | str | None = None,
    anchor_latitude: float | str | None = None,
) -> Comment:
    """Write a comment or a reply.

    A new argument in a topic may be about one feature of the consultation's plan
    (`plan_feature`), optionally at a point along it (`anchor_longitude`/`anchor_latitude`,
    WGS 84): the feature must be on one of this consultation's plan layers and the point within
    PLAN_COMMENT_TOLERANCE_METRES of it; a point on a line is snapped onto the line and its
    fraction along it stored. Replies carry no anchor: they answer the argument, which says
    where it is about.
    """
    consultation = target.consultation
    if not permissions.can_comment(author, consultation):
        raise PermissionDenied(_("Log in to take part in the debate."))
    require_not_blocked(author, consultation)
    require_phase(consultation, "comment")
    if isinstance(target, Idea) and not target.is_public:
        raise PermissionDenied(_("This idea cannot be commented on."))
    errors: dict[str, list[str]] = {}
    try:
        text = clean_comment_body(body)
    except ValidationError as error:
        errors.update(error.message_dict)
        text = ""
    stance = stance or ""
    if stance and stance not in Stance.values:
        errors["stance"] = [_("Choose for, against or neutral.")]
    elif stance and (parent is not None or not isinstance(target, Topic)):
        errors["stance"] = [_("Only a new argument in a debate topic takes a side.")]
    anchor = None
    if plan_feature is not None or anchor_longitude is not None or anchor_latitude is not None:
        try:
            anchor = _clean_anchor(
                consultation=consultation,
                target=target,
                parent=parent,
                plan_feature=plan_feature,
                longitude=anchor_longitude,
                latitude=anchor_latitude,
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if parent is not None:
        # Read the parent afresh under a lock: it may have been deleted a moment ago.
        parent = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author")
            .get(pk=parent.pk)
        )
        parent_error = _parent_error(parent, target)
        if parent_error:
            errors["parent"] = [parent_error]
    if errors:
        raise ValidationError(errors)

    manages = permissions.can_manage_topics(author, consultation)
    publication = (
        CommentPublication.PENDING_MODERATION
        # A word from the word list holds the comment back like pre-moderation does.
        if (consultation.pre_moderation or needs_review(text)) and not manages
        else CommentPublication.PUBLISHED
    )
    comment = Comment(
        consultation=consultation,
        topic=target if isinstance(target, Topic) else None,
        idea=target if isinstance(target, Idea) else None,
        parent=parent,
        root=(parent.root if parent is not None and parent.root_id else parent),
        depth=parent.depth + 1 if parent is not None else 0,
        author=author,
        body=text,
        body_html=render_markdown(text),
        stance=stance,
        publication=publication,
    )
    if anchor is not None:
        comment.plan_feature, point = anchor
        if point is not None:
            comment.anchor_longitude = point.longitude
            comment.anchor_latitude = point.latitude
            comment.anchor_fraction = point.fraction
    # The relations are rows this function loaded itself and the tree and stance rules were
    # checked above with field-level messages (the database enforces them again); skipping
    # their re-validation saves a dozen round trips on every post.
    comment.full_clean(exclude=_LOADED_RELATIONS, validate_constraints=False)
    comment.save()
    changed(comment.consultation_id, Change.COMMENT)
    if publication == CommentPublication.PUBLISHED:
        _count(comment, +1)
        _notify_reply(comment)
    if official:
        comment_mark_official(actor=author, comment=comment)
    return comment


def _clean_anchor(
    *,
    consultation: Consultation,
    target: Topic | Idea,
    parent: Comment | None,
    plan_feature: PlanFeature | int | None,
    longitude,
    latitude,
):
    """(feature, maps.anchors.Anchor or None) for a comment's place on the plan, or a
    ValidationError on "plan_feature" or "anchor" saying what is wrong."""
    from maps import anchors
    from maps.geometry import validate_point

    if parent is not None or not isinstance(target, Topic):
        raise ValidationError(
            {"plan_feature": _("Only a new argument in a debate topic can be about the plan.")}
        )
    if plan_feature is None:
        raise ValidationError({"plan_feature": _("Choose the part of the plan the point is on.")})
    feature_id = plan_feature.pk if isinstance(plan_feature, PlanFeature) else plan_feature
    try:
        feature_id = int(feature_id)
    except (TypeError, ValueError):
        feature_id = None
    feature = (
        PlanFeature.objects.select_related("layer")
        .filter(pk=feature_id, layer__consultation_id=consultation.pk)
        .first()
        if feature_id
        else None
    )
    if feature is None:
        raise ValidationError(
            {"plan_feature": _("This part of the plan does not belong to this consultation.")}
        )
    if longitude is None and latitude is None:
        return feature, None
    try:
        lon, lat = validate_point(longitude, latitude)
    except ValidationError as error:
        raise ValidationError({"anchor": error.message_dict["location"]}) from None
    point = anchors.place(feature.geometry, lon, lat)
    tolerance = settings.PLAN_COMMENT_TOLERANCE_METRES
    if point.distance > tolerance:
        raise ValidationError(
            {
                "anchor": _(
                    "The point is %(distance)d metres from %(feature)s; "
                    "it must be within %(tolerance)d metres."
                )
                % {"distance": round(point.distance), "feature": feature, "tolerance": tolerance}
            }
        )
    return feature, point


def _parent_error(parent: Comment, target: Topic | Idea) -> str:
    same_target = (
        parent.topic_id == target.pk if isinstance(target, Topic) else parent.idea_id == target.pk
    )
    if not same_target:
        return _("You can only reply to a comment in the same discussion.")
    if parent.is_deleted:
        return _("This comment has been deleted and cannot be answered.")
    if parent.is_hidden or parent.publication != CommentPublication.PUBLISHED:
        return _("This comment cannot be answered.")
    return ""


@transaction.atomic
def comment_publish(*, actor: User, comment: Comment) -> Comment:
    """Approve a pre-moderated comment: it becomes public and counts."""
    if not permissions.can_manage_topics(actor, comment.consultation):
        raise PermissionDenied(_("Only the planners of this consultation may approve comments."))
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.publication == CommentPublication.PUBLISHED:
        return comment
    comment.publication = CommentPublication.PUBLISHED
    comment.save(update_fields=["publication"])
    changed(comment.consultation_id, Change.COMMENT)
    if not comment.is_deleted:
        _count(comment, +1)
    else:
        _mark_threaded(comment)
    audit_record(actor=actor, action="debate.comment_published", target=comment)
    _notify_reply(comment)
    return comment


@transaction.atomic
def comment_edit(*, actor: User, comment: Comment, body: str) -> Comment:
    """The author edits the comment; the previous text is kept as a revision.

    A new text of an approved comment waits for a planner when the consultation is
    pre-moderated or the text has a word from the word list (planners' own comments excepted,
    as when writing): it is kept as the pending edit, and everyone else keeps reading the
    approved text until a planner decides (`comment_decide_edit`).
    """
    if not permissions.can_edit_comment(actor, comment):
        raise PermissionDenied(_("Only the author may edit this comment."))
    require_not_blocked(actor, comment.consultation)
    require_phase(comment.consultation, "comment")
    text = clean_comment_body(body)
    comment = Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)
    if text == comment.body:
        if comment.has_pending_edit:
            # Back to the approved text: the edit that waited is no longer wanted.
            comment.pending_body, comment.pending_edit_at = "", None
            comment.save(update_fields=["pending_body", "pending_edit_at"])
        return comment
    manages = permissions.can_manage_topics(actor, comment.consultation)
    if (
        comment.publication == CommentPublication.PUBLISHED
        and not manages
        and (comment.consultation.pre_moderation or needs_review(text))
    ):
        comment.pending_body = text
        comment.pending_edit_at = timezone.now()
        comment.full_clean(exclude=_LOADED_RELATIONS, validate_constraints=False)
        comment.save(update_fields=["pending_body", "pending_edit_at"])
        audit_record(
            actor=actor,
            action="debate.comment_edit_held",
            target=comment,
            consultation_id=comment.consultation_id,
        )
        comment.edit_held = True
        return comment
    comment.pending_body, comment.pending_edit_at = "", None
    CommentRevision.objects.create(comment=comment, body=comment.body)
    comment.body = text
    comment.body_html = render_markdown(text)
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save(
        update_fields=["body", "body_html", "edited_at", "pending_body", "pending_edit_at"]
    )
    changed(comment.consultation_id, Change.COMMENT)
    return comment


@transaction.atomic
def comment_decide_edit(*, actor: User, comment: Comment, approve: bool) -> Comment:
    """A planner publishes the author's pending edit (the approved text is kept as a revision)
    or refuses it (the approved text stays, the edit is dropped)."""
    if not permissions.can_manage_topics(actor, comment.consultation):
        raise PermissionDenied(_("Only the planners of this consultation may approve comments."))
    comment = Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)
    if not comment.has_pending_edit:
        raise PermissionDenied(_("This comment has no edit waiting for approval."))
    fields = ["pending_body", "pending_edit_at"]
    if approve and not comment.is_deleted:
        CommentRevision.objects.create(comment=comment, body=comment.body)
        comment.body = comment.pending_body
        comment.body_html = render_markdown(comment.body)
        comment.edited_at = comment.pending_edit_at
        fields += ["body", "body_html", "edited_at"]
    comment.pending_body, comment.pending_edit_at = "", None
    comment.save(update_fields=fields)
    changed(comment.consultation_id, Change.COMMENT)
    audit_record(
        actor=actor,
        action="debate.comment_edit_approved" if approve else "debate.comment_edit_rejected",
        target=comment,
        consultation_id=comment.consultation_id,
    )
    return comment


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment, erasing_account: bool = False) -> Comment:
    """Remove the text and its history; the comment keeps its place so replies keep context.

    A block stops a person from withdrawing single comments, but not from deleting their
    account with everything in it (`erasing_account`): erasure is a right a block does not
    take away.
    """
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.is_deleted and comment.author_id == getattr(actor, "pk", None):
        return comment  # a second click on "delete" changes nothing
    if not permissions.can_delete_comment(actor, comment):
        raise PermissionDenied(_("Only the author may delete this comment."))
    if not erasing_account:
        require_not_blocked(actor, comment.consultation)
    counted = comment.publication == CommentPublication.PUBLISHED
    comment.is_deleted = True
    comment.deleted_at = timezone.now()
    comment.body = ""
    comment.body_html = ""
    comment.pending_body, comment.pending_edit_at = "", None
    comment.save(
        update_fields=[
            "is_deleted",
            "deleted_at",
            "body",
            "body_html",
            "pending_body",
            "pending_edit_at",
        ]
    )
    comment.revisions.all().delete()
    changed(comment.consultation_id, Change.COMMENT)
    if counted:
        _count(comment, -1)
    return comment


def _count(comment: Comment, delta: int) -> None:
    if comment.topic_id:
        Topic.objects.filter(pk=comment.topic_id).update(comment_count=F("comment_count") + delta)
        return
    marked = {"has_threads": True} if delta > 0 else {}
    Idea.objects.filter(pk=comment.idea_id).update(
        comment_count=F("comment_count") + delta, **marked
    )
    if marked and Comment.idea.is_cached(comment):
        comment.idea.has_threads = True


def _mark_threaded(comment: Comment) -> None:
    """A published comment that does not count (deleted while it waited) still shows in its
    idea's thread."""
    if comment.idea_id:
        Idea.objects.filter(pk=comment.idea_id, has_threads=False).update(has_threads=True)
        if Comment.idea.is_cached(comment):
            comment.idea.has_threads = True


@transaction.atomic
def comment_vote(*, user: User, comment: Comment, value: int) -> Comment:
    """Vote up (1) or down (-1), change the vote, or withdraw it (0)."""
    if value not in (1, -1, 0):
        raise ValidationError({"value": _("A vote is 1 (up), -1 (down) or 0 (withdraw).")})
    if not permissions.can_vote_comment(user, comment):
        if comment.author_id == getattr(user, "pk", None):
            raise PermissionDenied(_("You cannot vote on your own comment."))
        raise PermissionDenied(_("You cannot vote on this comment."))
    require_not_blocked(user, comment.consultation)
    require_phase(comment.consultation, "comment")
    # The comment's row lock serialises the votes on it, so the counts and the score computed
    # from them stay exact however many people vote at once; the unique constraint backs it up.
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    existing = CommentVote.objects.filter(comment=locked, user=user).first()
    old = existing.value if existing else 0
    if old == value:
        return locked
    if existing and value == 0:
        existing.delete()
    elif existing:
        existing.value = value
        existing.save(update_fields=["value"])
    else:
        CommentVote.objects.create(comment=locked, user=user, value=value)
    up_delta = (value == 1) - (old == 1)
    down_delta = (value == -1) - (old == -1)
    Comment.objects.filter(pk=locked.pk).update(
        upvotes=F("upvotes") + up_delta, downvotes=F("downvotes") + down_delta
    )
    locked.refresh_from_db(fields=["upvotes", "downvotes"])
    locked.score = wilson_lower_bound(locked.upvotes, locked.downvotes)
    locked.save(update_fields=["score"])
    changed(locked.consultation_id, Change.COMMENT_VOTE)
    return locked


@transaction.atomic
def comment_mark_official(*, actor: User, comment: Comment, official: bool = True) -> Comment:
    """Mark a planner's comment as the municipality's answer, or take the mark back."""
    if not permissions.can_mark_official(actor, comment):
        raise PermissionDenied(
            _("Only a planner of this consultation may mark a staff comment as official.")
        )
    comment = (
        Comment.objects.select_for_update(of=("self",)).select_related("author").get(pk=comment.pk)
    )
    if comment.is_official == official:
        return comment
    comment.is_official = official
    comment.official_marked_by = actor if official else None
    comment.official_marked_at = timezone.now() if official else None
    comment.save(update_fields=["is_official", "official_marked_by", "official_marked_at"])
    changed(comment.consultation_id, Change.COMMENT)
    audit_record(
        actor=actor,
        action="debate.official_marked" if official else "debate.official_unmarked",
        target=comment,
        changes={"is_official": [not official, official]},
        consultation_id=comment.consultation_id,
    )
    if official and comment.publication == CommentPublication.PUBLISHED:
        _notify_official(comment)
    return comment


# --- polls ----------------------------------------------------------------------------------------


@transaction.atomic
def poll_answer(*, user: User, topic: Topic, option_ids: Sequence[int]) -> list[PollAnswer]:
    """Answer a topic's poll, replacing the person's earlier answer while the poll is open."""
    if not topic.has_poll:
        raise ValidationError({"options": _("This topic has no poll.")})
    if not permissions.can_answer_poll(user, topic):
        raise PermissionDenied(_("Log in to answer the poll."))
    require_not_blocked(user, topic.consultation)
    require_phase(topic.consultation, "answer_poll")
    refusal = verification_refusal(topic.consultation, user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    try:
        wanted = sorted({int(option_id) for option_id in option_ids})
    except (TypeError, ValueError) as error:
        raise ValidationError({"options": _("Choose from the answers given.")}) from error
    if not wanted:
        raise ValidationError({"options": _("Choose an answer.")})
    if len(wanted) > 1 and not topic.poll_multiple:
        raise ValidationError({"options": _("Choose only one answer.")})
    options = list(PollOption.objects.filter(topic=topic, pk__in=wanted))
    if len(options) != len(wanted):
        raise ValidationError({"options": _("Choose from the answers given.")})
    # Locking the person's row serialises their own answers, so two tabs submitting at once
    # cannot leave two answers in a single-choice poll.
    User.objects.select_for_update().filter(pk=user.pk).first()
    PollAnswer.objects.filter(topic=topic, user=user).delete()
    changed(topic.consultation_id, Change.POLL_ANSWER)
    return PollAnswer.objects.bulk_create(
        PollAnswer(topic=topic, option=option, user=user) for option in options
    )


# --- notifications --------------------------------------------------------------------------------


def _notify_reply(comment: Comment) -> None:
    parent = comment.parent
    recipient = parent.author if parent is not None else None
    if recipient is None and comment.idea_id:
        # A new comment on an idea answers the idea's author.
        recipient = comment.idea.author
    if recipient is None or recipient.pk == comment.author_id or recipient.is_deleted:
        return
    with translation.override(comment.consultation.language):
        name = comment.author.public_name if comment.author else _("Someone")
        subject = _("%(name)s replied in “%(title)s”") % {
            "name": name,
            "title": comment.target.title,
        }
        notify(
            recipient=recipient,
            kind="comment_reply",
            subject=subject,
            body=markdown_to_text(comment.body),
            url=comment.get_absolute_url(),
        )


def _notify_official(comment: Comment) -> None:
    """Answer one, inform all: the person answered hears of it; everyone else sees it pinned."""
    parent = comment.parent
    recipient = parent.author if parent is not None else None
    if recipient is None and comment.idea_id:
        recipient = comment.idea.author
    if recipient is None or recipient.pk == comment.author_id or recipient.is_deleted:
        return
    with translation.override(comment.consultation.language):
        subject = _("The municipality answered you in “%(title)s”") % {
            "title": comment.target.title
        }
        notify(
            recipient=recipient,
            kind="official_reply",
            subject=subject,
            body=markdown_to_text(comment.body),
            url=comment.get_absolute_url(),
        )


def _notify_followers_of_new_topic(topic: Topic) -> None:
    consultation = topic.consultation
    followers = (
        Follow.objects.filter(consultation=consultation, user__is_active=True)
        .exclude(user_id=topic.created_by_id)
        .select_related("user")
    )
    with translation.override(consultation.language):
        subject = _("New debate topic in “%(consultation)s”: %(title)s") % {
            "consultation": consultation.title,
            "title": topic.title,
        }
        for follow in followers:
            if follow.user.is_deleted:
                continue
            notify(
                recipient=follow.user,
                kind="new_topic",
                subject=subject,
                body=markdown_to_text(topic.introduction),
                url=topic.get_absolute_url(),
            )
