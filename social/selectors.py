"""Reads for the social pages, the API and the consultation hub; constant query counts."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
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
    visible = ImportedComment.objects.filter(is_hidden=False).order_by("created_at", "id")
    return list(
        SocialPost.objects.published()
        .filter(consultation=consultation)
        .select_related("channel")
        .prefetch_related(
            Prefetch("imported_comments", queryset=visible, to_attr="visible_comments")
        )
        .order_by("published_at", "id")
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

    staff = User.objects.filter(is_active=True, is_deleted=False, role=Role.PLANNER)
    if post.consultation_id:
        assigned = list(staff.filter(planned_consultations=post.consultation_id))
        if assigned:
            return assigned
    return list(staff.filter(limited_to_assigned=False))


def inbox(user, *, consultation=None, channel=None, unanswered=False, assigned_to=None):
    """Public comments from every channel on the posts of the consultations `user` runs (and
    posts about none), newest first, with what the list shows in the same query."""
    comments = (
        ImportedComment.objects.filter(_in_consultations_run_by(user, "post__"))
        .select_related("post__channel", "post__consultation", "assigned_to", "answered_by")
        .order_by("-created_at", "-id")
    )
    if consultation is not None:
        comments = comments.filter(post__consultation=consultation)
    if channel is not None:
        comments = comments.filter(post__channel=channel)
    if unanswered:
        comments = comments.filter(answered_at__isnull=True, is_hidden=False)
    if assigned_to is not None:
        comments = comments.filter(assigned_to=assigned_to)
    return comments


# The inbox's response times cover the comments read in this many days: a figure about how the
# desk answers now, and a bounded read however long the platform has been in use.
RESPONSE_WINDOW_DAYS = 90


def response_times(user) -> list[dict]:
    """Per channel: comments answered, waiting, and the median time to the first answer, over
    the comments read in the last RESPONSE_WINDOW_DAYS days (two queries)."""
    from datetime import timedelta
    from statistics import median

    from django.utils import timezone

    since = timezone.now() - timedelta(days=RESPONSE_WINDOW_DAYS)
    rows: dict[int, dict] = {}
    comments = (
        ImportedComment.objects.filter(_in_consultations_run_by(user, "post__"))
        .filter(imported_at__gte=since)
        .values_list("post__channel_id", "created_at", "imported_at", "answered_at", "is_hidden")
    )
    for channel_id, created, imported, answered_at, hidden in comments:
        row = rows.setdefault(channel_id, {"waits": [], "open": 0})
        if answered_at is not None:
            # From when the comment was written (or, without a time, when we read it).
            row["waits"].append(max(0.0, (answered_at - (created or imported)).total_seconds()))
        elif not hidden:
            row["open"] += 1
    channels = {c.pk: c for c in Channel.objects.filter(pk__in=rows)}
    result = []
    for pk, row in sorted(rows.items(), key=lambda item: str(channels[item[0]])):
        middle = median(row["waits"]) if row["waits"] else None
        result.append(
            {
                "channel": channels[pk],
                "answered": len(row["waits"]),
                "open": row["open"],
                "median_hours": None if middle is None else round(middle / 3600, 1),
                # For the plural form: "1 hour", "1.5 hours".
                "plural_count": 1 if middle == 3600 else 2,
            }
        )
    return result


def colleagues() -> list:
    """Planners and administrators a comment may be given to (active, not deleted)."""
    from civic.models import Role, User

    return list(
        User.objects.filter(
            is_active=True, is_deleted=False, role__in=[Role.PLANNER, Role.ADMINISTRATOR]
        ).order_by("display_name", "pk")
    )
