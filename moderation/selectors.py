"""Reads for moderators: the queue and an author's history.

The queue runs a fixed number of queries whatever its length: open reports are counted per item
in the database, the items of each kind are loaded in one query each, and every author's history
comes from one aggregate per model.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from civic.audit import actor_is_private
from civic.audit_labels import action_label
from civic.models import AuditEntry
from civic.permissions import is_councillor
from civic.wordlist import matches
from consultations.models import Consultation
from debate.models import Comment, CommentPublication
from ideas.models import Idea, IdeaImage, Publication

from . import targets as t
from .models import Appeal, AppealStatus, Block, Report, ReportReason, ReportStatus

QUEUE_LIMIT = 200


@dataclass
class AuthorHistory:
    ideas: int = 0
    comments: int = 0
    hidden: int = 0
    reports: int = 0
    blocks: int = 0


@dataclass
class QueueItem:
    target: object
    kind: str
    key: str
    consultation: Consultation
    author: object
    report_count: int = 0
    reasons: list[tuple[str, int]] = field(default_factory=list)
    report_texts: list[str] = field(default_factory=list)
    pending: bool = False
    # The author's edit of an approved item, waiting: title and text show the edit, and
    # approved_title / approved_text what the public reads meanwhile.
    is_edit: bool = False
    hidden: bool = False
    appeals: list[Appeal] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    history: AuthorHistory = field(default_factory=AuthorHistory)
    since: datetime | None = None

    @property
    def title(self) -> str:
        if self.is_edit and self.kind == "idea":
            return f"{self.target.reference} {self.target.pending_title}"
        return t.title_of(self.target)

    @property
    def text(self) -> str:
        if self.is_edit:
            if self.kind == "idea":
                return self.target.pending_description
            return self.target.pending_body
        return t.text_of(self.target)

    @property
    def approved_title(self) -> str:
        return t.title_of(self.target)

    @property
    def approved_text(self) -> str:
        return t.text_of(self.target)

    @property
    def url(self) -> str:
        return t.url_of(self.target)

    @property
    def section(self) -> str:
        if self.report_count:
            return "reported"
        if self.pending:
            return "pending"
        return "appealed"


def readable_by(user, target) -> bool:
    """Whether the item is there for this person, as every other route decides: an item of a
    draft they may not see, or a comment of an idea they may not see, is not (and so cannot be
    reported, and answers as an item that does not exist)."""
    from debate.selectors import comments_visible_to
    from ideas.permissions import can_view_idea

    if isinstance(target, Comment):
        return comments_visible_to(user).filter(pk=target.pk).exists()
    return can_view_idea(user, target.idea if isinstance(target, IdeaImage) else target)


def queue_consultations(viewer) -> QuerySet:
    """The consultations whose queue this person may read."""
    if is_councillor(viewer):
        return Consultation.objects.all()
    return Consultation.objects.managed_by(viewer)


def moderation_queue(*, viewer, consultation: Consultation | None = None) -> list[QueueItem]:
    """Reported items first (most reports first), then items waiting for approval, then
    appeals; each with its content, the reasons given and its author's history."""
    if consultation is not None:
        scope = Q(consultation=consultation)
    else:
        scope = Q(consultation__in=queue_consultations(viewer).values("pk"))
    items: dict[str, QueueItem] = {}

    reported = (
        Report.objects.filter(scope, status=ReportStatus.OPEN)
        .values("idea_id", "image_id", "comment_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:QUEUE_LIMIT]
    )
    counts = {_key_from_ids(row): row["n"] for row in reported}
    pending_ideas = Idea.objects.filter(
        scope, publication=Publication.PENDING_MODERATION, is_hidden=False
    ).values_list("pk", flat=True)[:QUEUE_LIMIT]
    pending_comments = Comment.objects.filter(
        scope, publication=CommentPublication.PENDING_MODERATION, is_hidden=False
    ).values_list("pk", flat=True)[:QUEUE_LIMIT]
    # Edits of approved items wait like new ones; the public reads the approved text meanwhile.
    edited_ideas = Idea.objects.filter(
        scope, pending_edit_at__isnull=False, is_hidden=False
    ).values_list("pk", flat=True)[:QUEUE_LIMIT]
    edited_comments = Comment.objects.filter(
        scope, pending_edit_at__isnull=False, is_hidden=False, is_deleted=False
    ).values_list("pk", flat=True)[:QUEUE_LIMIT]
    appeals = list(
        Appeal.objects.filter(scope, status=AppealStatus.OPEN)
        .select_related("author")
        .order_by("created_at")[:QUEUE_LIMIT]
    )
    keys = set(counts)
    keys.update(f"idea:{pk}" for pk in pending_ideas)
    keys.update(f"comment:{pk}" for pk in pending_comments)
    keys.update(f"idea:{pk}" for pk in edited_ideas)
    keys.update(f"comment:{pk}" for pk in edited_comments)
    keys.update(appeal.target_key for appeal in appeals)
    loaded = _load_targets(keys)
    for key, target in loaded.items():
        is_edit = getattr(target, "has_pending_edit", False) and not t.is_hidden(target)
        items[key] = QueueItem(
            target=target,
            kind=t.kind_of(target),
            key=key,
            consultation=t.consultation_of(target),
            author=t.author_of(target),
            report_count=counts.get(key, 0),
            pending=t.is_pending(target) or is_edit,
            is_edit=is_edit and not t.is_pending(target),
            hidden=t.is_hidden(target),
            since=getattr(target, "pending_edit_at", None) or getattr(target, "created_at", None),
        )
    for appeal in appeals:
        if appeal.target_key in items:
            items[appeal.target_key].appeals.append(appeal)
    _attach_reasons(items)
    for item in items.values():
        title = ""
        if item.kind == "idea":
            title = item.target.pending_title if item.is_edit else item.target.title
        item.words = matches(title, item.text)
    _attach_histories(list(items.values()))
    return sorted(
        items.values(),
        key=lambda i: (
            {"reported": 0, "pending": 1, "appealed": 2}[i.section],
            -i.report_count,
            i.since.timestamp() if i.since else 0,
        ),
    )


def _key_from_ids(row: dict) -> str:
    if row["idea_id"]:
        return f"idea:{row['idea_id']}"
    if row["image_id"]:
        return f"photo:{row['image_id']}"
    return f"comment:{row['comment_id']}"


def _load_targets(keys: set[str]) -> dict[str, object]:
    ids: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        kind, pk = t.parse_key(key)
        ids[kind].append(int(pk))
    found: dict[str, object] = {}
    if ids["idea"]:
        for idea in Idea.objects.filter(pk__in=ids["idea"]).select_related(
            "consultation", "author", "category"
        ):
            found[f"idea:{idea.pk}"] = idea
    if ids["photo"]:
        for image in IdeaImage.objects.filter(pk__in=ids["photo"]).select_related(
            "idea__consultation", "idea__author"
        ):
            found[f"photo:{image.pk}"] = image
    if ids["comment"]:
        for comment in Comment.objects.filter(pk__in=ids["comment"]).select_related(
            "consultation", "author", "topic", "idea"
        ):
            found[f"comment:{comment.pk}"] = comment
    return found


def _attach_reasons(items: dict[str, QueueItem]) -> None:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for item in items.values():
        if item.report_count:
            by_kind[item.kind].append(item.target.pk)
    if not by_kind:
        return
    condition = Q(idea_id__in=by_kind["idea"]) | Q(image_id__in=by_kind["photo"])
    condition |= Q(comment_id__in=by_kind["comment"])
    reasons: dict[str, Counter] = defaultdict(Counter)
    texts: dict[str, list[str]] = defaultdict(list)
    labels = dict(ReportReason.choices)
    rows = Report.objects.filter(condition, status=ReportStatus.OPEN).values_list(
        "idea_id", "image_id", "comment_id", "reason", "text"
    )
    for idea_id, image_id, comment_id, reason, text in rows:
        key = _key_from_ids({"idea_id": idea_id, "image_id": image_id, "comment_id": comment_id})
        reasons[key][str(labels.get(reason, reason))] += 1
        if text:
            texts[key].append(text)
    for key, item in items.items():
        item.reasons = reasons[key].most_common()
        item.report_texts = texts[key][:5]


def author_histories(author_ids: set[int]) -> dict[int, AuthorHistory]:
    """Per author: their ideas and comments, how many were hidden, reports against them, blocks."""
    histories = {pk: AuthorHistory() for pk in author_ids}
    if not author_ids:
        return histories
    for row in (
        Idea.objects.filter(author_id__in=author_ids)
        .values("author_id")
        .annotate(n=Count("id"), hidden=Count("id", filter=Q(is_hidden=True)))
    ):
        histories[row["author_id"]].ideas = row["n"]
        histories[row["author_id"]].hidden += row["hidden"]
    for row in (
        Comment.objects.filter(author_id__in=author_ids)
        .values("author_id")
        .annotate(n=Count("id"), hidden=Count("id", filter=Q(is_hidden=True)))
    ):
        histories[row["author_id"]].comments = row["n"]
        histories[row["author_id"]].hidden += row["hidden"]
    against = Q(idea__author_id__in=author_ids) | Q(comment__author_id__in=author_ids)
    against |= Q(image__idea__author_id__in=author_ids)
    for idea_author, comment_author, image_author in Report.objects.filter(against).values_list(
        "idea__author_id", "comment__author_id", "image__idea__author_id"
    ):
        author_id = idea_author or comment_author or image_author
        if author_id in histories:
            histories[author_id].reports += 1
    for row in (
        Block.objects.filter(user_id__in=author_ids).values("user_id").annotate(n=Count("id"))
    ):
        histories[row["user_id"]].blocks = row["n"]
    return histories


def _attach_histories(items: list[QueueItem]) -> None:
    author_ids = {item.author.pk for item in items if item.author is not None}
    histories = author_histories(author_ids)
    for item in items:
        if item.author is not None:
            item.history = histories[item.author.pk]


LOG_LABELS = {
    "moderation.report": _("reported it"),
    "moderation.auto_hide": _("hid it automatically after several reports"),
    "moderation.keep": _("kept it (reports dismissed)"),
    "moderation.hide": _("hid it"),
    "moderation.restore": _("restored it"),
    "moderation.edit": _("edited it (edited by moderator)"),
    "moderation.redact": _("redacted the photo"),
    "moderation.approve": _("approved it"),
    "moderation.approve_edit": _("approved the author's edit"),
    "moderation.reject_edit": _("refused the author's edit"),
    "moderation.reject": _("rejected it"),
    "moderation.message": _("wrote to the author"),
    "moderation.appeal": _("appealed"),
    "moderation.appeal_accept": _("accepted the appeal"),
    "moderation.appeal_reject": _("rejected the appeal"),
}


def item_log(target) -> list[AuditEntry]:
    """The audit entries about one contribution, newest first: who did what, when and why."""
    from django.contrib.contenttypes.models import ContentType

    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
        )
        # Supports are no moderation; hundreds of them would push the decisions out of the log.
        .exclude(action__in=("idea.support", "idea.unsupport"))
        .select_related("actor")
        .order_by("-created_at", "-id")[:50]
    )
    for entry in entries:
        entry.label = LOG_LABELS.get(entry.action) or action_label(entry.action)
        # The page says a participant reported or supported it, never who.
        entry.actor_private = actor_is_private(entry.action)
    return entries


def active_blocks(*, user) -> QuerySet:
    return Block.objects.active().filter(user=user).select_related("consultation")
