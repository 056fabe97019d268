"""What a planner can count on the map: ideas, supports and comments (maps.analysis registry).

Only what the public may read is counted: published ideas that no moderator hid, and
published comments that are neither hidden nor deleted, so a count never reveals hidden content.
Comments are counted where they point: an anchored comment at its anchor on the plan, a comment
on an idea at the idea's pin; comments in a topic without an anchor have no place and are not
on the map.
"""

from django.db.models import F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from debate.models import Comment, CommentPublication
from debate.selectors import plan_comment_counts
from ideas.feeds import idea_url_pattern
from ideas.models import Idea, Publication
from maps.analysis import Countable, register

EXCERPT_LENGTH = 120


def idea_points(consultation) -> QuerySet:
    return (
        Idea.objects.published()
        .filter(consultation=consultation)
        .annotate(at_lon=F("longitude"), at_lat=F("latitude"), weight=Value(1, IntegerField()))
    )


def support_points(consultation) -> QuerySet:
    return idea_points(consultation).annotate(weight=F("support_count"))


def comment_points(consultation) -> QuerySet:
    on_public_idea = Q(idea__publication=Publication.PUBLISHED, idea__is_hidden=False)
    return (
        Comment.objects.filter(
            consultation=consultation,
            publication=CommentPublication.PUBLISHED,
            is_deleted=False,
            is_hidden=False,
        )
        .filter(Q(anchor_longitude__isnull=False, anchor_latitude__isnull=False) | on_public_idea)
        .annotate(
            at_lon=Coalesce("anchor_longitude", "idea__longitude"),
            at_lat=Coalesce("anchor_latitude", "idea__latitude"),
            weight=Value(1, IntegerField()),
        )
    )


def idea_rows(consultation, ids: list[int]) -> list[dict]:
    """The ideas with these ids, in that order, in one query."""
    pattern = idea_url_pattern()
    found = {
        row["id"]: row
        for row in Idea.objects.filter(consultation=consultation, pk__in=ids).values(
            "id", "reference", "title", "support_count", "longitude", "latitude"
        )
    }
    return [
        {
            "id": row["id"],
            "title": row["title"],
            "reference": row["reference"],
            "support_count": row["support_count"],
            "url": pattern.format(row["reference"]) if pattern else None,
        }
        for row in (found.get(pk) for pk in ids)
        if row is not None
    ]


def comment_rows(consultation, ids: list[int]) -> list[dict]:
    """The comments with these ids, in that order, in one query: an excerpt and a link, no name."""
    pattern = idea_url_pattern()
    found = {
        row["id"]: row
        for row in Comment.objects.filter(consultation=consultation, pk__in=ids).values(
            "id", "body", "idea__reference", "topic_id", "plan_feature__name"
        )
    }
    rows = []
    for pk in ids:
        row = found.get(pk)
        if row is None:
            continue
        if row["idea__reference"] and pattern:
            url = pattern.format(row["idea__reference"]) + f"#comment-{pk}"
        else:
            from django.urls import reverse

            url = reverse("debate:topic", kwargs={"pk": row["topic_id"]}) + f"#comment-{pk}"
        body = " ".join(row["body"].split())
        if len(body) > EXCERPT_LENGTH:
            body = body[: EXCERPT_LENGTH - 1] + "…"
        rows.append(
            {
                "id": pk,
                "title": body,
                "about": row["plan_feature__name"] or row["idea__reference"] or "",
                "url": url,
            }
        )
    return rows


def register_countables() -> None:
    register(
        Countable(
            code="ideas",
            label=lambda: _("Ideas"),
            points=idea_points,
            rows=idea_rows,
        )
    )
    register(
        Countable(
            code="supports",
            label=lambda: _("Supports"),
            points=support_points,
            weighted=True,
        )
    )
    register(
        Countable(
            code="comments",
            label=lambda: _("Comments"),
            points=comment_points,
            rows=comment_rows,
            anchored=plan_comment_counts,
        )
    )
