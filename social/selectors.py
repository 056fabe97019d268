"""Reads for the social pages, the API and the consultation hub; constant query counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from social.models import (
    Channel,
    CrisisStop,
    ImportedComment,
    PostState,
    SocialPost,
)
from social.readback import METRIC_NAMES

METRIC_LABELS = {
    "reach": gettext_lazy("Reach"),
    "views": gettext_lazy("Views"),
    "reactions": gettext_lazy("Reactions"),
    "comments": gettext_lazy("Comments"),
    "shares": gettext_lazy("Shares"),
}


def posts_for(consultation) -> QuerySet[SocialPost]:
    return (
        SocialPost.objects.filter(consultation=consultation)
        .select_related("channel", "created_by", "approved_by", "sent_back_by", "outbox")
        .order_by("-created_at", "-id")
    )


def manual_posts() -> QuerySet[SocialPost]:
    return posts_for(None).filter(consultation__isnull=True)


def public_posts(consultation) -> list[SocialPost]:
    """Published posts of a consultation with their public, visible comments (two queries)."""
    visible = ImportedComment.objects.filter(
        is_hidden=False, hidden_on_platform_at__isnull=True
    ).order_by("created_at", "id")
    return list(
        SocialPost.objects.published()
        .filter(consultation=consultation)
        .select_related("channel")
        .prefetch_related(
            Prefetch("imported_comments", queryset=visible, to_attr="visible_comments")
        )
        .order_by("published_at", "id")
    )


# How many of the answers published from the inbox the consultation page shows.
HUB_OFFICIAL_ANSWERS = 5


def official_answers_from_inbox(consultation) -> list:
    """The newest official answers that the inbox published in the consultation's debate and
    that are still public, for the consultation page ("answer one, inform all"; one query)."""
    from debate.models import Comment
    from social.models import SiteCommentFollowUp

    from_inbox = Q(
        pk__in=ImportedComment.objects.filter(official_answer__isnull=False).values(
            "official_answer"
        )
    ) | Q(
        pk__in=SiteCommentFollowUp.objects.filter(official_answer__isnull=False).values(
            "official_answer"
        )
    )
    return list(
        Comment.objects.filter(
            from_inbox,
            consultation=consultation,
            is_official=True,
            is_deleted=False,
            is_hidden=False,
            publication="published",
            topic__isnull=False,
        ).order_by("-created_at", "-id")[:HUB_OFFICIAL_ANSWERS]
    )


def comments_for(consultation) -> QuerySet[ImportedComment]:
    return (
        ImportedComment.objects.filter(post__consultation=consultation)
        .select_related("post")
        .order_by("-created_at", "-id")
    )


def active_stop() -> CrisisStop | None:
    return CrisisStop.objects.active().select_related("started_by").first()


def channels() -> QuerySet[Channel]:
    return Channel.objects.listed().prefetch_related("owners")


def engagement_rows(post: SocialPost) -> list[tuple[str, int | None]]:
    """(label, value) per metric; None means the platform does not give it ("not available")."""
    metrics = post.metrics or {}
    return [(str(METRIC_LABELS[name]), metrics.get(name)) for name in METRIC_NAMES]


def totals(posts) -> dict[str, int | None]:
    """Sums per metric over posts; None where no post has the figure."""
    result: dict[str, int | None] = {}
    for name in METRIC_NAMES:
        values = [p.metrics.get(name) for p in posts if (p.metrics or {}).get(name) is not None]
        result[name] = sum(values) if values else None
    return result


def published_posts_of(consultation) -> list[SocialPost]:
    """The consultation's published posts with their channels, oldest first (one query)."""
    return list(
        SocialPost.objects.filter(consultation=consultation, state=PostState.PUBLISHED)
        .select_related("channel")
        .order_by("published_at", "id")
    )


def reach_of(post: SocialPost) -> int | None:
    """How many saw the post: its reach, or its views (impressions) where the platform counts
    only those (X). None when the platform gives neither (Mastodon, Bluesky)."""
    metrics = post.metrics or {}
    for name in ("reach", "views"):
        if metrics.get(name) is not None:
            return metrics[name]
    return None


def total_reach(posts) -> int | None:
    """The reach summed over posts; None, never 0, when no post's platform reports one."""
    values = [value for value in map(reach_of, posts) if value is not None]
    return sum(values) if values else None


def summary_section(consultation, posts: list[SocialPost] | None = None) -> dict | None:
    """The consultation summary's social section: {"slug", "title", "rows": [(label, value)]}.

    Values that no platform provides read "not available", never 0. `posts` are the published
    posts when the caller has them already (published_posts_of), saving the query.
    """
    if posts is None:
        posts = published_posts_of(consultation)
    if not posts:
        return None
    sums = totals(posts)
    not_available = _("not available")
    rows = [(_("Published posts"), len(posts))]
    rows += [
        (str(METRIC_LABELS[name]), sums[name] if sums[name] is not None else not_available)
        for name in METRIC_NAMES
    ]
    return {"slug": "social", "title": _("Social media"), "rows": rows}


def archive_records(consultation) -> list[dict]:
    """What was posted about a consultation, by whom, when, and the platform's answer.

    For the archive package and exports (reports.archive / reports.exports): one dict per post
    that left the draft stage, with its imported public comments. Names are public names only.
    """
    posts = (
        SocialPost.objects.filter(consultation=consultation)
        .exclude(state__in=[PostState.DRAFT, PostState.AWAITING_APPROVAL])
        .select_related("channel", "created_by", "approved_by")
        .prefetch_related("imported_comments")
        .order_by("published_at", "id")
    )

    def when(value):
        return value.isoformat() if value else None

    return [
        {
            "id": post.pk,
            "platform": post.channel.platform,
            "channel": post.channel.name,
            "state": post.state,
            "text": post.text,
            "link": post.link,
            "image_alt_text": post.alt_text,
            "written_by": post.created_by.public_name if post.created_by else None,
            "approved_by": post.approved_by.public_name if post.approved_by else None,
            "approved_at": when(post.approved_at),
            "scheduled_at": when(post.scheduled_at),
            "published_at": when(post.published_at),
            "remote_id": post.remote_id,
            "remote_url": post.remote_url,
            "platform_answer": post.remote_answer,
            "engagement": {name: (post.metrics or {}).get(name) for name in METRIC_NAMES},
            "error": post.error,
            "problem": post.problem,
            "comments": [
                {
                    "platform": comment.platform,
                    "author": comment.author_name,
                    "text": comment.text,
                    "created_at": when(comment.created_at),
                    "hidden": comment.is_hidden,
                    "hidden_reason": comment.hidden_reason,
                    "hidden_on_platform": comment.hidden_on_platform_at is not None,
                }
                for comment in post.imported_comments.all()
            ],
        }
        for post in posts
    ]


def _in_consultations_run_by(user, via: str = "") -> Q:
    """Posts (or, with via="post__", their comments) about a consultation `user` runs, or about
    none (the municipality's own notices)."""
    from consultations.models import Consultation

    return Q(**{f"{via}consultation__in": Consultation.objects.managed_by(user)}) | Q(
        **{f"{via}consultation__isnull": True}
    )


def awaiting_my_approval(user) -> QuerySet[SocialPost]:
    """Posts waiting for a second planner that `user` may approve: in the consultations they
    run, written by someone else (or drafted by the platform), oldest first."""
    return (
        SocialPost.objects.filter(state=PostState.AWAITING_APPROVAL)
        .filter(_in_consultations_run_by(user))
        .exclude(created_by=user)
        .select_related("channel", "consultation", "created_by")
        .order_by("created_at", "id")
    )


def sent_back_to(user) -> QuerySet[SocialPost]:
    """The person's own drafts that a second planner sent back with a note."""
    return (
        SocialPost.objects.filter(state=PostState.DRAFT, created_by=user)
        .exclude(sent_back_at=None)
        .select_related("channel", "consultation", "sent_back_by")
        .order_by("-sent_back_at", "-id")
    )


def approvals_count(user) -> int:
    """For the header: how many posts wait for this person's approval (one COUNT query)."""
    return awaiting_my_approval(user).count()


def possible_approvers(post: SocialPost) -> list:
    """Who is told that `post` waits: the planners assigned to its consultation, or, where none
    is assigned (or the post is about no consultation), every planner not limited to their own
    consultations. Administrators may approve too, but are not told each time."""
    from civic.models import Role, User

    staff = User.objects.holding(Role.PLANNER).filter(is_active=True, is_deleted=False)
    if post.consultation_id:
        assigned = list(staff.filter(planned_consultations=post.consultation_id))
        if assigned:
            return assigned
    unlimited = User.objects.holding(Role.PLANNER, limited=False)
    return list(staff.filter(pk__in=unlimited.values("pk")))


# The inbox's channel filter value for the site's own debate.
SITE = "site"


def staff_replies_to(comment_ref) -> Q:
    """Debate comments that answer `comment_ref` (a pk or an OuterRef): published, not deleted
    replies to it written by a planner or an administrator."""
    from civic.models import Role, User

    return Q(
        parent=comment_ref,
        author__in=User.objects.holding(Role.PLANNER, Role.ADMINISTRATOR).values("pk"),
        author__is_deleted=False,
        is_deleted=False,
        publication="published",
    )


def site_comments_for_inbox(user):
    """Residents' comments in the debates of the consultations `user` runs: published and
    visible only (hidden, deleted and waiting comments are the moderators' business, not the
    inbox's), the staff's own comments and official answers left out."""
    from civic.models import Role, User
    from consultations.models import Consultation
    from debate.models import Comment
    from debate.selectors import comments_visible_to

    return (
        comments_visible_to(user)
        .filter(
            consultation__in=Consultation.objects.managed_by(user),
            publication="published",
            is_deleted=False,
            is_hidden=False,
            is_official=False,
        )
        .exclude(author__in=User.objects.holding(Role.PLANNER, Role.ADMINISTRATOR).values("pk"))
        .annotate(
            first_staff_reply_at=Subquery(
                Comment.objects.filter(staff_replies_to(OuterRef("pk")))
                .order_by("created_at", "id")
                .values("created_at")[:1]
            )
        )
    )


def _imported_for_inbox(user, *, consultation, channel, unanswered, assigned_to):
    comments = ImportedComment.objects.filter(_in_consultations_run_by(user, "post__"))
    if consultation is not None:
        comments = comments.filter(post__consultation=consultation)
    if channel is not None:
        comments = comments.filter(post__channel=channel)
    if unanswered:
        comments = comments.filter(
            answered_at__isnull=True, is_hidden=False, hidden_on_platform_at__isnull=True
        )
    if assigned_to is not None:
        comments = comments.filter(assigned_to=assigned_to)
    return comments


def _site_for_inbox(user, *, consultation, unanswered, assigned_to):
    comments = site_comments_for_inbox(user)
    if consultation is not None:
        comments = comments.filter(consultation=consultation)
    if unanswered:
        comments = comments.filter(first_staff_reply_at__isnull=True).exclude(
            inbox_follow_up__answered_at__isnull=False
        )
    if assigned_to is not None:
        comments = comments.filter(inbox_follow_up__assigned_to=assigned_to)
    return comments


@dataclass
class InboxItem:
    """One row of the inbox, whichever its source: "social" (an ImportedComment) or "site" (a
    comment in the site's own debate)."""

    source: str
    obj: Any
    when: datetime | None
    author_name: str
    text: str
    channel_label: str
    platform: str
    consultation: Any
    url: str
    answered_at: datetime | None
    answered_by: Any
    answer_text: str
    assigned_to: Any
    official_answer: Any
    is_hidden: bool = False
    hidden_on_platform: bool = False
    can_reply: bool = True
    can_hide_on_platform: bool = False

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def urls(self) -> dict[str, str]:
        """Where each of the item's actions posts to."""
        from django.urls import reverse

        name = "social:inbox_action" if self.source == "social" else "social:inbox_site_action"
        actions = ("reply", "assign", "answered", "official", "hide", "unhide")
        return {action: reverse(name, args=[self.obj.pk, action]) for action in actions}

    @property
    def official_url(self) -> str:
        """The published official answer in the debate (its topic and anchor, no query)."""
        from django.urls import reverse

        answer = self.official_answer
        if answer is None or answer.is_deleted or not answer.topic_id:
            return ""
        return reverse("debate:topic", kwargs={"pk": answer.topic_id}) + f"#comment-{answer.pk}"

    @property
    def anchor(self) -> str:
        return f"comment-{self.obj.pk}" if self.source == "social" else f"site-{self.obj.pk}"

    @property
    def key(self) -> str:
        return f"{self.source}:{self.obj.pk}"


def _social_item(comment: ImportedComment) -> InboxItem:
    from social.permissions import HIDE_ON_PLATFORM

    return InboxItem(
        source="social",
        obj=comment,
        when=comment.created_at or comment.imported_at,
        author_name=comment.author_name,
        text=comment.text,
        channel_label=str(comment.post.channel),
        platform=comment.platform,
        consultation=comment.post.consultation,
        url=comment.url,
        answered_at=comment.answered_at,
        answered_by=comment.answered_by,
        answer_text=comment.answer_text,
        assigned_to=comment.assigned_to,
        official_answer=comment.official_answer,
        is_hidden=comment.is_hidden,
        hidden_on_platform=comment.hidden_on_platform_at is not None,
        can_reply=comment.hidden_on_platform_at is None and not comment.is_hidden,
        can_hide_on_platform=comment.platform in HIDE_ON_PLATFORM,
    )


def _site_item(comment) -> InboxItem:
    follow_up = getattr(comment, "inbox_follow_up", None)
    marked = follow_up.answered_at if follow_up else None
    replied = comment.first_staff_reply_at
    answered_at = min((t for t in (marked, replied) if t is not None), default=None)
    return InboxItem(
        source=SITE,
        obj=comment,
        when=comment.created_at,
        author_name=comment.author.public_name if comment.author else str(_("Deleted user")),
        text=comment.body,
        channel_label=str(_("This site")),
        platform=SITE,
        consultation=comment.consultation,
        url=comment.get_absolute_url(),
        answered_at=answered_at,
        answered_by=follow_up.answered_by if follow_up and marked == answered_at else None,
        answer_text=getattr(comment, "first_staff_reply_body", None) or "",
        assigned_to=follow_up.assigned_to if follow_up else None,
        official_answer=follow_up.official_answer if follow_up else None,
    )


class InboxList:
    """The inbox's rows in one order across both sources, for a Paginator: counting and
    slicing run on the union of the two sources' keys, and a page loads each source's rows
    in one query, so the cost does not grow with the rows shown."""

    def __init__(self, social, site):
        self.social, self.site = social, site
        parts = []
        if social is not None:
            parts.append(
                social.annotate(
                    src=Value("social", output_field=CharField()),
                    sort_at=Coalesce("created_at", "imported_at"),
                )
                .order_by()
                .values_list("src", "pk", "sort_at")
            )
        if site is not None:
            parts.append(
                site.annotate(src=Value(SITE, output_field=CharField()), sort_at=F("created_at"))
                .order_by()
                .values_list("src", "pk", "sort_at")
            )
        if not parts:
            self.keys = ImportedComment.objects.none().values_list("pk")
        elif len(parts) == 1:
            self.keys = parts[0].order_by("-sort_at", "-pk")
        else:
            self.keys = parts[0].union(parts[1], all=True).order_by("-sort_at", "-pk")

    def count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        keys = list(self.keys[index])
        social_ids = [pk for src, pk, _when in keys if src == "social"]
        site_ids = [pk for src, pk, _when in keys if src == SITE]
        loaded: dict[tuple[str, int], InboxItem] = {}
        if social_ids:
            rows = self.social.filter(pk__in=social_ids).select_related(
                "post__channel",
                "post__consultation",
                "assigned_to",
                "answered_by",
                "official_answer",
            )
            loaded.update({("social", c.pk): _social_item(c) for c in rows})
        if site_ids:
            from debate.models import Comment

            first_reply = Comment.objects.filter(staff_replies_to(OuterRef("pk"))).order_by(
                "created_at", "id"
            )
            rows = (
                self.site.filter(pk__in=site_ids)
                .annotate(first_staff_reply_body=Subquery(first_reply.values("body")[:1]))
                .select_related(
                    "consultation",
                    "topic",
                    "idea",
                    "author",
                    "inbox_follow_up__assigned_to",
                    "inbox_follow_up__answered_by",
                    "inbox_follow_up__official_answer",
                )
            )
            loaded.update({(SITE, c.pk): _site_item(c) for c in rows})
        return [loaded[(src, pk)] for src, pk, _when in keys if (src, pk) in loaded]


def inbox_object(user, source: str, pk: int):
    """The ImportedComment or debate Comment behind an inbox item, if `user` may see it there:
    social comments of posts about the consultations they run (or none), site comments they
    may read."""
    if source == "social":
        return (
            ImportedComment.objects.filter(_in_consultations_run_by(user, "post__"), pk=pk)
            .select_related("post__channel", "post__consultation")
            .first()
        )
    from debate.selectors import comments_visible_to

    return (
        comments_visible_to(user)
        .filter(pk=pk)
        .select_related("consultation", "topic", "idea", "author")
        .first()
    )


def inbox_item(user, source: str, pk: int) -> InboxItem | None:
    """One inbox row as the list shows it, or None when it is not (or no longer) listed."""
    kwargs = {"consultation": None, "unanswered": False, "assigned_to": None}
    if source == "social":
        found = InboxList(_imported_for_inbox(user, channel=None, **kwargs).filter(pk=pk), None)
    else:
        found = InboxList(None, _site_for_inbox(user, **kwargs).filter(pk=pk))
    rows = found[0:1]
    return rows[0] if rows else None


def inbox(user, *, consultation=None, channel=None, unanswered=False, assigned_to=None):
    """Public comments from every channel on the posts of the consultations `user` runs (and
    posts about none), and residents' comments in those consultations' own debates, newest
    first. `channel` is a Channel, SITE for the debate only, or None for everything."""
    social = site = None
    if channel != SITE:
        social = _imported_for_inbox(
            user,
            consultation=consultation,
            channel=channel,
            unanswered=unanswered,
            assigned_to=assigned_to,
        )
    if channel is None or channel == SITE:
        site = _site_for_inbox(
            user, consultation=consultation, unanswered=unanswered, assigned_to=assigned_to
        )
    return InboxList(social, site)


# The inbox's response times cover the comments read in this many days: a figure about how the
# desk answers now, and a bounded read however long the platform has been in use.
RESPONSE_WINDOW_DAYS = 90


def _response_row(label, waits: list[float], open_count: int) -> dict:
    from statistics import median

    middle = median(waits) if waits else None
    return {
        "channel": label,
        "answered": len(waits),
        "open": open_count,
        "median_hours": None if middle is None else round(middle / 3600, 1),
        # Under an hour the figure reads in whole minutes ("0 hours" says nothing).
        "median_minutes": None if middle is None or middle >= 3600 else max(1, round(middle / 60)),
        # For the plural form: "1 hour", "1.5 hours".
        "plural_count": 1 if middle == 3600 else 2,
    }


def response_times(user) -> list[dict]:
    """Per channel, and for the site's own debate ("This site"): comments answered, waiting,
    and the median time to the first answer, over the comments read (or written, on the site)
    in the last RESPONSE_WINDOW_DAYS days (three queries)."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(days=RESPONSE_WINDOW_DAYS)
    rows: dict[int, dict] = {}
    comments = (
        ImportedComment.objects.filter(_in_consultations_run_by(user, "post__"))
        .filter(imported_at__gte=since)
        .values_list(
            "post__channel_id",
            "created_at",
            "imported_at",
            "answered_at",
            "is_hidden",
            "hidden_on_platform_at",
        )
    )
    for channel_id, created, imported, answered_at, hidden, hidden_there in comments:
        row = rows.setdefault(channel_id, {"waits": [], "open": 0})
        if answered_at is not None:
            # From when the comment was written (or, without a time, when we read it).
            row["waits"].append(max(0.0, (answered_at - (created or imported)).total_seconds()))
        elif not hidden and hidden_there is None:
            row["open"] += 1
    channels = {c.pk: c for c in Channel.objects.filter(pk__in=rows)}
    result = [
        _response_row(channels[pk], row["waits"], row["open"])
        for pk, row in sorted(rows.items(), key=lambda item: str(channels[item[0]]))
    ]
    waits, open_count = [], 0
    site = site_comments_for_inbox(user).filter(created_at__gte=since)
    for created, replied, marked in site.values_list(
        "created_at", "first_staff_reply_at", "inbox_follow_up__answered_at"
    ):
        answered_at = min((t for t in (replied, marked) if t is not None), default=None)
        if answered_at is None:
            open_count += 1
        else:
            waits.append(max(0.0, (answered_at - created).total_seconds()))
    if waits or open_count:
        result.append(_response_row(_("This site"), waits, open_count))
    return result


def colleagues() -> list:
    """Planners and administrators a comment may be given to (active, not deleted)."""
    from civic.models import Role, User

    return list(
        User.objects.holding(Role.PLANNER, Role.ADMINISTRATOR)
        .filter(is_active=True, is_deleted=False)
        .order_by("display_name", "pk")
    )
