"""Reads of ideas that depend on the viewer: the list with its sorts and filters, the detail.

The list runs a fixed number of queries whatever its length: categories and authors come in
the same query (select_related), and whether the viewer supports each idea is an annotation.
"""

import hashlib
from datetime import date

from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.permissions import can_manage_consultation
from consultations.models import Consultation

from .models import Idea, IdeaStatus, Publication, Support

SORTS = {
    # The default first: a shuffled order favours no idea by its position on the page.
    "shuffled": _("Daily shuffle"),
    "newest": _("Newest"),
    "supported": _("Most supported"),
    "discussed": _("Most discussed"),
}
DEFAULT_SORT = "shuffled"


def _daily_seed(day: date) -> tuple[int, int]:
    """Two numbers that change every day, from which the shuffled order is computed."""
    digest = hashlib.sha256(day.isoformat().encode()).digest()
    multiplier = int.from_bytes(digest[:4], "big") % 999_983 + 7
    offset = int.from_bytes(digest[4:8], "big") % 1_000_003
    return multiplier, offset


def shuffle_key(idea_id: int, day: date) -> int:
    """The same key the database computes, for tests and for anything sorting in Python."""
    multiplier, offset = _daily_seed(day)
    return (idea_id * multiplier + offset) % 1_000_003


def with_shuffle_key(queryset: QuerySet, day: date | None = None) -> QuerySet:
    """Annotate a key that orders ideas the same way all day and differently the next day.

    A multiplicative hash modulo a prime: plain integer arithmetic, so SQLite and PostgreSQL
    agree, and no idea keeps a favoured position for more than a day.
    """
    multiplier, offset = _daily_seed(day or timezone.localdate())
    return queryset.annotate(
        shuffle_key=Mod(
            F("id") * Value(multiplier) + Value(offset),
            Value(1_000_003),
            output_field=IntegerField(),
        )
    )


def search_ideas(queryset: QuerySet, text: str) -> QuerySet:
    text = text.strip()[:200]
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector("title", weight="A", config="simple") + SearchVector(
            "description", weight="B", config="simple"
        )
        query = SearchQuery(text, search_type="websearch", config="simple")
        # Full-text matching on words, plus a substring match so "sauna" finds "havnesauna".
        return queryset.annotate(search=vector).filter(
            Q(search=query) | Q(title__icontains=text) | Q(reference__iexact=text)
        )
    return queryset.filter(
        Q(title__icontains=text) | Q(description__icontains=text) | Q(reference__iexact=text)
    )


def idea_list(
    *,
    consultation: Consultation,
    viewer=None,
    sort: str = DEFAULT_SORT,
    category: int | None = None,
    status: str | None = None,
    search: str = "",
    day: date | None = None,
) -> QuerySet:
    """Public ideas of a consultation, sorted and filtered, with `viewer_supports` annotated."""
    ideas = (
        Idea.objects.published()
        .filter(consultation=consultation)
        .select_related("consultation", "category", "author")
    )
    if category:
        ideas = ideas.filter(category_id=category)
    if status and status in IdeaStatus.values:
        ideas = ideas.filter(status=status)
    ideas = search_ideas(ideas, search)
    ideas = with_viewer_supports(ideas, viewer)
    if sort == "newest":
        return ideas.order_by("-created_at", "-id")
    if sort == "supported":
        return ideas.order_by("-support_count", "-created_at", "-id")
    if sort == "discussed":
        return ideas.order_by("-comment_count", "-created_at", "-id")
    return with_shuffle_key(ideas, day).order_by("shuffle_key", "id")


def with_viewer_supports(queryset: QuerySet, viewer) -> QuerySet:
    if viewer is not None and viewer.is_authenticated:
        supports = Support.objects.filter(idea=OuterRef("pk"), user=viewer)
        return queryset.annotate(viewer_supports=Exists(supports))
    return queryset.annotate(viewer_supports=Value(False))


def idea_for_viewer(*, reference: str, viewer) -> Idea | None:
    """The idea with what its page shows, or None when the viewer may not see it."""
    from .permissions import can_view_idea

    idea = (
        with_viewer_supports(Idea.objects.all(), viewer)
        .select_related(
            "consultation",
            "category",
            "author",
            "answered_by",
            "entered_by",
            "duplicate_of",
        )
        .filter(reference=reference)
        .first()
    )
    if idea is None or not can_view_idea(viewer, idea):
        return None
    return idea


def ideas_waiting_for_approval(*, consultation: Consultation, viewer) -> list[Idea]:
    """Ideas of a pre-moderated consultation that a planner must approve; empty for others."""
    if not can_manage_consultation(viewer, consultation):
        return []
    return list(
        Idea.objects.filter(consultation=consultation, publication=Publication.PENDING_MODERATION)
        .select_related("category")
        .order_by("created_at", "id")[:100]
    )


def consultation_figures(consultation: Consultation) -> dict:
    from django.db.models import Count, Sum

    return (
        Idea.objects.published()
        .filter(consultation=consultation)
        .aggregate(ideas=Count("id"), supports=Sum("support_count"))
    )
