"""Reads of ideas that depend on the viewer: the list with its sorts and filters, the detail.

The list runs a fixed number of queries whatever its length: categories and authors come in
the same query (select_related), and whether the viewer supports each idea is an annotation.
"""

import hashlib
from datetime import date

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic import tenancy
from civic.permissions import can_manage_consultation
from civic.search import matching
from civic.sql import KeptQuery, json_rows, keep_prefetched, quoted, rows_from_json
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
) -> "QuerySet | DailyShuffle":
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
    return DailyShuffle(ideas, day or timezone.localdate(), consultation.pk)


def _order_version_key(consultation_id: int) -> str:
    return f"ideas:shuffle-version:{consultation_id}"


def forget_daily_order(consultation_id: int | None) -> None:
    """Invalidate the cached daily orders of a consultation (civic.changes: its set of ideas
    changed)."""
    if consultation_id is None:
        return
    key = _order_version_key(consultation_id)
    try:
        cache.incr(key)
    except ValueError:  # not cached yet, or evicted
        cache.set(key, 1, None)


class DailyShuffle:
    """The ideas in the day's shuffled order, fetched a page at a time.

    Sorting every idea by a computed key costs a pass over the whole consultation on each
    request (about 100 ms with 100,000 ideas). Instead the order is computed once as a list of
    ids from a narrow query and cached until an idea of the consultation is saved or deleted
    (`forget_daily_order`, through civic.changes) or the day ends; each page then
    fetches only its own rows by primary key. Rows fetched for a page are filtered again, so
    an idea hidden by a bulk update never shows. Paginator and DRF's pagination use `count()`
    and slicing, as on a queryset.
    """

    ORDER_TTL = 15 * 60

    def __init__(self, queryset: QuerySet, day: date, consultation_id: int):
        self._queryset = queryset
        self._day = day
        self._consultation_id = consultation_id
        self._ids: list[int] | None = None

    def prefetch_related(self, *lookups) -> "DailyShuffle":
        clone = DailyShuffle(
            self._queryset.prefetch_related(*lookups), self._day, self._consultation_id
        )
        clone._ids = self._ids
        return clone

    def ordered_ids(self) -> list[int]:
        if self._ids is None:
            # The page's own filters, none of its joins: one pass over the consultation's ideas
            # (an `id IN (subquery)` form of it took PostgreSQL half as long again).
            narrow = with_shuffle_key(
                self._queryset.select_related(None).order_by(), self._day
            ).order_by("shuffle_key", "id")
            consultation_id = self._consultation_id
            version = cache.get(_order_version_key(consultation_id), 0)
            sql, params = narrow.values("id").query.sql_with_params()
            key = (
                "ideas:shuffle:"
                + hashlib.sha256(
                    f"{consultation_id}|{version}|{self._day.isoformat()}|{sql}|{params}".encode()
                ).hexdigest()
            )
            ids = cache.get(key)
            if ids is None:
                # Straight from the cursor: a hundred thousand ids through the queryset's
                # row-by-row iterator cost more than the query itself.
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    ids = [row[0] for row in cursor.fetchall()]
                cache.set(key, ids, self.ORDER_TTL)
            self._ids = ids
        return self._ids

    def count(self) -> int:
        return len(self.ordered_ids())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if isinstance(index, int):
            page = self[index : index + 1]
            if not page:
                raise IndexError(index)
            return page[0]
        page_ids = self.ordered_ids()[index]
        rows = self._queryset.order_by().in_bulk(page_ids)
        return [rows[pk] for pk in page_ids if pk in rows]


def with_viewer_supports(queryset: QuerySet, viewer) -> QuerySet:
    if viewer is not None and viewer.is_authenticated:
        supports = Support.objects.filter(idea=OuterRef("pk"), user=viewer)
        return queryset.annotate(viewer_supports=Exists(supports))
    return queryset.annotate(viewer_supports=Value(False))


def with_viewer_blocked(queryset: QuerySet, viewer) -> QuerySet:
    """Annotate `viewer_blocked`: whether a moderator's block keeps the viewer from taking part
    in the idea's consultation (civic.blocks says why). Read with the idea, it spares the
    support service a query of its own."""
    if viewer is None or not viewer.is_authenticated or not apps.is_installed("moderation"):
        return queryset.annotate(viewer_blocked=Value(False))
    blocks = (
        apps.get_model("moderation", "Block")
        .objects.active()
        .applying_to(OuterRef("consultation_id"), OuterRef("consultation__municipality_id"))
        .filter(user=viewer)
    )
    return queryset.annotate(viewer_blocked=Exists(blocks))


def for_viewer(queryset: QuerySet, viewer, *, with_supports: bool = True) -> QuerySet:
    """Ideas with what permission checks and the support services ask: the consultation and its
    phases, the viewer's block and (unless a write needs no page) the viewer's own support."""
    if with_supports:
        queryset = with_viewer_supports(queryset, viewer)
    return (
        with_viewer_blocked(queryset, viewer)
        .select_related("consultation")
        .prefetch_related("consultation__phases")
    )


# What the support rules (ideas.services.idea_support) and the audit entry read of an idea.
SUPPORT_FIELDS = (
    "id",
    "consultation_id",
    "author_id",
    "publication",
    "is_hidden",
    "reference",
    "title",
)


def idea_for_support(*, pk: int, viewer) -> Idea | None:
    """The idea a support (or taking one back) acts on, or None when the viewer may not see it.

    The busiest write on the site reads only what its rules ask: these few columns in one
    short statement (the idea page's query, with its joins and annotations, cost the support
    more than the support itself), and the consultation with its phases as the rules read it
    (consultations.selectors.consultation_for_rules). Whether the viewer is blocked is left to
    the service, which asks when it has to.
    """
    from consultations.selectors import consultation_for_rules

    from .permissions import can_view_idea

    table, *columns = quoted(Idea, *SUPPORT_FIELDS)
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {columns[0]} = %s"  # noqa: S608
    idea = next(iter(Idea.objects.raw(sql, [pk])), None)
    if idea is None:
        return None
    consultation = consultation_for_rules(idea.consultation_id)
    if consultation is None:
        return None
    idea.consultation = consultation
    if not can_view_idea(viewer, idea):
        return None
    return idea


def idea_for_viewer(*, reference: str, viewer) -> Idea | None:
    """The idea with what its page shows, or None when the viewer may not see it.

    On PostgreSQL one statement reads it all: the idea with its joins, the consultation's
    phases, the photos, the status history and the number of revisions (the lists as JSON
    beside the row); elsewhere the lists take a query each when the page asks
    (`idea_page_rows`).
    """
    from .permissions import can_view_idea

    if connection.vendor == "postgresql":
        if viewer is None or not viewer.is_authenticated:
            found = _anonymous_page_query().rows(reference)
        else:
            found = list(_page_query(viewer).filter(reference=reference)[:1])
        idea = found[0] if found else None
        if idea is not None:
            _keep_page_lists(idea)
    else:
        idea = (
            _page_query(viewer)
            .prefetch_related("consultation__phases")
            .filter(reference=reference)
            .first()
        )
    if idea is None:
        return None
    if not can_view_idea(viewer, idea):
        return None
    return idea


def _page_query(viewer) -> QuerySet:
    # Joined: what every idea page shows. An idea entered on someone's behalf or merged into
    # another loads that one row when its page asks (rare, and one query, not one per row).
    ideas = with_viewer_blocked(with_viewer_supports(Idea.objects.all(), viewer), viewer)
    ideas = ideas.select_related("consultation", "category", "author", "answered_by")
    if connection.vendor == "postgresql":
        ideas = ideas.annotate(**_page_lists())
    return ideas.order_by()


_REFERENCE_PLACEHOLDER = "\x00reference"
# By the active municipality: the statement carries its scope (civic.tenancy).
_anonymous_page: dict[int | None, KeptQuery] = {}


def _anonymous_page_query() -> KeptQuery:
    """The anonymous reader's idea page statement (PostgreSQL), composed once per process and
    municipality."""
    municipality_id = tenancy.active_id()
    kept = _anonymous_page.get(municipality_id)
    if kept is None:
        from django.contrib.auth.models import AnonymousUser

        ideas = _page_query(AnonymousUser()).filter(reference=_REFERENCE_PLACEHOLDER)[:1]
        kept = _anonymous_page[municipality_id] = KeptQuery(ideas, _REFERENCE_PLACEHOLDER)
    return kept


def _page_lists() -> dict:
    """The annotations that bring the idea page's lists along with the idea (PostgreSQL)."""
    from django.db.models import IntegerField as Integer
    from django.db.models import TextField
    from django.db.models.expressions import RawSQL

    from consultations.models import Phase

    from .models import IdeaImage, IdeaRevision, StatusChange

    idea_id = '"ideas_idea"."id"'
    consultation_id = '"ideas_idea"."consultation_id"'
    revisions, revision_idea = quoted(IdeaRevision, "idea")
    statements = {
        "page_phases": (
            json_rows(Phase, "consultation", consultation_id, ("starts_at", "id")),
            TextField(),
        ),
        "page_images": (json_rows(IdeaImage, "idea", idea_id, ("position", "id")), TextField()),
        "page_status_changes": (
            json_rows(StatusChange, "idea", idea_id, ("created_at", "id"), descending=True),
            TextField(),
        ),
        "page_revision_count": (
            f"(SELECT COUNT(*) FROM {revisions} WHERE {revision_idea} = {idea_id})",  # noqa: S608
            Integer(),
        ),
    }
    # Names from the models' metadata only, no value from outside (civic.sql).
    return {name: RawSQL(sql, (), field) for name, (sql, field) in statements.items()}  # noqa: S611


def _keep_page_lists(idea: Idea) -> None:
    from consultations.models import Phase

    from .models import IdeaImage, StatusChange

    keep_prefetched(idea.consultation, "phases", rows_from_json(Phase, idea.page_phases))
    idea.page_rows = (
        rows_from_json(IdeaImage, idea.page_images),
        rows_from_json(StatusChange, idea.page_status_changes),
        idea.page_revision_count,
    )
    del idea.page_phases, idea.page_images, idea.page_status_changes


def idea_page_rows(idea: Idea) -> tuple[list, list, int]:
    """The idea's photos (every one: the page sorts out redacted and pending ones), its status
    history (newest first) and its number of revisions: read with the idea by
    `idea_for_viewer` on PostgreSQL, otherwise one query each."""
    kept = getattr(idea, "page_rows", None)
    if kept is not None:
        return kept
    return list(idea.images.all()), list(idea.status_changes.all()), idea.revisions.count()


def idea_by_id_for_viewer(viewer, pk) -> Idea:
    """The idea with its consultation and phases (what the rules of a write read), or 404 when
    the viewer may not see it: the same answer for "no such idea" and "not yours to see"."""
    from django.http import Http404

    from .permissions import can_view_idea

    idea = (
        Idea.objects.select_related("consultation")
        .prefetch_related("consultation__phases")
        .filter(pk=pk)
        .first()
    )
    if idea is None or not can_view_idea(viewer, idea):
        raise Http404
    return idea


def ideas_visible_to(user) -> QuerySet:
    """Every idea this person may see, as `permissions.can_view_idea` decides for one idea:
    public ideas of the consultations they may see, plus, for the consultation's planners,
    everything but unconfirmed submissions, and for authors their own until withdrawn."""
    from civic.permissions import is_signed_in
    from consultations.selectors import consultations_visible_to

    visible = Q(publication=Publication.PUBLISHED, is_hidden=False)
    if is_signed_in(user):
        managed = Consultation.objects.managed_by(user).values("pk")
        visible |= Q(consultation__in=managed) & ~Q(publication=Publication.PENDING_CONFIRMATION)
        visible |= Q(author=user) & ~Q(publication=Publication.WITHDRAWN)
    consultations = consultations_visible_to(user).values("pk")
    return Idea.objects.filter(visible, consultation__in=consultations)


def search_visible_ideas(user, words: list[str]) -> QuerySet:
    """The ideas this person may see (`ideas_visible_to`) whose title, description or
    reference holds every word, newest first, with consultation and author in the same query.

    Hidden ideas stay out even for the planners who may open them: search shows only text the
    idea's page shows the public, and the author's own ideas waiting for approval. Edits waiting
    for approval (`pending_title`, `pending_description`) are never searched.
    """
    return (
        ideas_visible_to(user)
        .filter(is_hidden=False)
        .filter(matching(("title", "description", "reference"), words))
        .select_related("consultation", "author")
        .order_by("-created_at", "-pk")
    )


def ideas_waiting_for_approval(*, consultation: Consultation, viewer) -> list[Idea]:
    """Ideas of a pre-moderated consultation that a planner must approve; empty for others."""
    if not can_manage_consultation(viewer, consultation):
        return []
    return list(
        Idea.objects.filter(consultation=consultation, publication=Publication.PENDING_MODERATION)
        .select_related("category")
        .order_by("created_at", "id")[:100]
    )


REFERENCE_CONSULTATION_SECONDS = 24 * 3600


def consultation_id_for_reference(reference: str) -> int | None:
    """The consultation of an idea address, for keys of cached pages (civic.pagecache).

    Kept in the cache: an idea never moves to another consultation and its reference is never
    given to another idea, so the answer cannot go stale (a deleted idea's page is a 404, which
    is never cached).
    """
    # Hashed: the address may hold any character, which cache keys should not.
    key = "ideas:consultation-of:" + hashlib.sha256(reference.encode()).hexdigest()[:32]
    consultation_id = cache.get(key)
    if consultation_id is None:
        consultation_id = (
            Idea.objects.filter(reference=reference)
            .values_list("consultation_id", flat=True)
            .first()
        )
        if consultation_id is not None:
            cache.set(key, consultation_id, REFERENCE_CONSULTATION_SECONDS)
    return consultation_id
