""" "My activity": what a person has put into the platform and can still take back.

Beside "My data" (everything held, for the record), this is the working list: ideas with their
status, supports with a withdraw button and how many are left in each consultation, comments
with a link to where they stand, and what the person follows. A fixed number of queries
however much the person has done; each list shows the newest LIMIT.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from civic.models import User
from consultations.models import Consultation
from consultations.rules import phase_allows
from debate.models import Comment
from ideas.models import Follow, Idea, Support

LIMIT = 100


@dataclass(frozen=True)
class SupportsUsed:
    consultation: object
    used: int
    limit: int | None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@dataclass(frozen=True)
class Activity:
    ideas: list[Idea]
    supports: list[Support]
    supports_used: list[SupportsUsed]
    comments: list[Comment]
    follows: list[Follow]


def activity_of(user: User) -> Activity:
    ideas = list(
        Idea.objects.filter(author=user)
        .select_related("consultation", "category")
        .order_by("-created_at")[:LIMIT]
    )
    supports = list(
        Support.objects.filter(user=user)
        .select_related("idea", "idea__consultation")
        .prefetch_related("idea__consultation__phases")
        .order_by("-created_at")[:LIMIT]
    )
    for support in supports:
        # A support can be taken back only while the phase takes supports (the service says so
        # too); the button is shown where it would work.
        support.may_withdraw = phase_allows(support.idea.consultation, "support")
    counted = (
        Support.objects.filter(user=user)
        .values("consultation")
        .annotate(used=Count("id"))
        .order_by()
    )
    used_by_id = {row["consultation"]: row["used"] for row in counted}
    # Every consultation the person supports in, also those beyond the newest LIMIT supports.
    supports_used = [
        SupportsUsed(consultation, used_by_id[consultation.pk], consultation.support_limit)
        for consultation in Consultation.objects.filter(pk__in=used_by_id)
        .only("title", "slug", "support_limit")
        .order_by("title")
    ]
    comments = list(
        Comment.objects.filter(author=user, is_deleted=False)
        .select_related("consultation", "topic", "idea")
        .order_by("-created_at")[:LIMIT]
    )
    follows = list(
        Follow.objects.filter(user=user)
        .select_related("consultation", "idea")
        .order_by("-created_at")[:LIMIT]
    )
    return Activity(ideas, supports, supports_used, comments, follows)
