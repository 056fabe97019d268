"""Reads of a debate: comment threads page by page, the balance of arguments, poll results and a
consultation's key figures. Each runs a fixed number of queries, however large the debate."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.utils import timezone

from civic import tenancy
from civic.search import matching
from consultations.models import Consultation, PollOption, Topic
from consultations.rules import phase_allows
from ideas.models import Idea, Support

from .models import (
    DISPLAY_MAX_DEPTH,
    Comment,
    CommentPublication,
    CommentVote,
    PollAnswer,
    Stance,
)

ROOTS_PER_PAGE = 20

SORTS = {
    "best": ["-score", "-upvotes", "-created_at", "-id"],
    "newest": ["-created_at", "-id"],
    "oldest": ["created_at", "id"],
}
DEFAULT_SORT = "best"


def comments_visible_to(user) -> QuerySet[Comment]:
    """The comments this person may read by id, whatever the route: those of topics in the
    consultations they may see and of the ideas they may see (ideas.selectors.ideas_visible_to:
    a hidden, withdrawn or unconfirmed idea takes its comments with it), published or their own.
    Every route that loads a comment by its id starts here."""
    from consultations.selectors import consultations_visible_to
    from ideas.selectors import ideas_visible_to

    on_visible_target = Q(
        topic__isnull=False, consultation__in=consultations_visible_to(user).values("pk")
    ) | Q(idea__in=ideas_visible_to(user).values("pk"))
    readable = Q(publication=CommentPublication.PUBLISHED)
    if user is not None and user.is_authenticated:
        readable |= Q(author=user)
    return Comment.objects.filter(on_visible_target, readable)


def search_topics(user, words: list[str]) -> QuerySet[Topic]:
    """Debate topics of the consultations this person may see whose title, introduction or
    poll question holds every word, newest first."""
    from consultations.selectors import consultations_visible_to

    return (
        Topic.objects.filter(consultation__in=consultations_visible_to(user).values("pk"))
        .filter(matching(("title", "introduction", "poll_question"), words))
        .select_related("consultation")
        .order_by("-created_at", "-pk")
    )


def search_comments(user, words: list[str]) -> QuerySet[Comment]:
    """Comments this person may read (`comments_visible_to`) whose text holds every word,
    newest first, with what their links and author lines need in the same query.

    Hidden and deleted comments keep their place in a thread without their text, so search
    never finds them, whoever asks; edits waiting for approval (`pending_body`) are never
    searched.
    """
    return (
        comments_visible_to(user)
        .filter(is_hidden=False, is_deleted=False)
        .filter(matching(("body",), words))
        .select_related("author", "topic", "idea", "consultation")
        .order_by("-created_at", "-pk")
    )


@dataclass
class CommentPage:
    """A page of threads: top-level comments with their replies arranged for display."""

    roots: list[Comment]
    number: int
    has_next: bool
    sort: str
    stance: str
    plan_feature: int | None = None
    comments_by_id: dict[int, Comment] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1


def comment_for_viewer(viewer, pk) -> Comment:
    """The comment with what its actions read (consultation and phases, author, topic or idea),
    or 404 when the viewer may not see it."""
    from django.http import Http404

    comment = (
        comments_visible_to(viewer)
        .select_related("consultation", "author", "topic", "idea")
        .prefetch_related("consultation__phases")
        .filter(pk=pk)
        .first()
    )
    if comment is None:
        raise Http404
    return comment


def _known(sort: str, stance: str) -> tuple[str, str]:
    """An unknown sort or stance, as a hand-edited address may send, is the default."""
    return (sort if sort in SORTS else DEFAULT_SORT, stance if stance in Stance.values else "")


def _root_candidates(target, sort: str, stance: str, plan_feature: int | None):
    """The published top-level comments a page of threads picks from, and their order (official
    answers first); `sort` and `stance` are already known values (see `_known`)."""
    candidates = Comment.objects.published().for_target(target).filter(parent__isnull=True)
    if stance:
        candidates = candidates.filter(stance=stance)
    if plan_feature:
        candidates = candidates.filter(plan_feature_id=plan_feature)
    return candidates, ["-is_official", *SORTS[sort]]


def _root_page(candidates, ordering: list[str], page: int, per_page: int):
    """The page's roots with their authors and plan features, and whether another page follows."""
    offset = (page - 1) * per_page
    # Pick the page's ids from the narrow index first and join the authors of those rows only:
    # sorting full rows joined with their authors to skip a deep offset costs far more.
    page_ids = candidates.order_by(*ordering).values("pk")[offset : offset + per_page + 1]
    roots = list(
        Comment.objects.filter(pk__in=page_ids)
        .select_related("author", "plan_feature__layer")
        .order_by(*ordering)
    )
    return roots[:per_page], len(roots) > per_page


def comment_page(
    *,
    target: Topic | Idea,
    viewer=None,
    sort: str = DEFAULT_SORT,
    stance: str = "",
    plan_feature: int | None = None,
    page: int = 1,
    per_page: int = ROOTS_PER_PAGE,
    focus: int | None = None,
) -> CommentPage:
    """Load one page of threads in three queries: the roots, all their descendants (through
    `root`), and the viewer's own votes on them.

    Every displayed comment gets `display_replies` (its children as shown: replies deeper than
    DISPLAY_MAX_DEPTH are flattened under their depth-3 ancestor, oldest first, with
    `in_reply_to` naming whom they answer), `viewer_vote` (1, -1 or 0), and roots get
    `has_official_answer`. Official answers come first among their siblings.

    `focus` (a comment's id, e.g. the one its author has just written) puts that comment's
    thread first on page 1 and leaves it out of every page's own list, whatever the sort, so
    the person sees their comment without hunting for it; the comment gets `is_focus`. Two
    queries more, one when the comment is not published on this target.
    """
    sort, stance = _known(sort, stance)
    page = max(1, page)
    if getattr(target, "has_threads", True) is False:
        # An idea nobody has commented on (ideas.models.Idea.has_threads): the page the queries
        # below would find, without them.
        return CommentPage(
            roots=[],
            number=page,
            has_next=False,
            sort=sort,
            stance=stance,
            plan_feature=plan_feature,
        )
    candidates, ordering = _root_candidates(target, sort, stance, plan_feature)
    focus_root = _focus_root(candidates.model.objects.published().for_target(target), focus)
    if focus_root is not None:
        candidates = candidates.exclude(pk=focus_root)
    roots, has_next = _root_page(candidates, ordering, page, per_page)
    if focus_root is not None and page == 1:
        # On top of the page's own threads, so the next page starts where it would have.
        roots = [
            *Comment.objects.filter(pk=focus_root).select_related("author", "plan_feature__layer"),
            *roots,
        ]
    descendants = []
    if roots:
        descendants = list(
            Comment.objects.published()
            .filter(root_id__in=[root.pk for root in roots])
            .select_related("author")
            .order_by("depth", *ordering)
        )
    every = roots + descendants
    votes = _viewer_votes(viewer, [comment.pk for comment in every])
    by_id = {comment.pk: comment for comment in every}
    _arrange(every, by_id, votes)
    if focus in by_id:
        by_id[focus].is_focus = True
    return CommentPage(
        roots=roots,
        number=page,
        has_next=has_next,
        sort=sort,
        stance=stance,
        plan_feature=plan_feature,
        comments_by_id=by_id,
    )


def _focus_root(published, focus: int | None) -> int | None:
    """The id of the top-level comment of the thread that holds `focus`, if it is published
    there."""
    if not focus:
        return None
    found = published.filter(pk=focus).values_list("pk", "root_id").first()
    if found is None:
        return None
    pk, root_id = found
    return root_id or pk


def _viewer_votes(viewer, comment_ids: list[int]) -> dict[int, int]:
    if not comment_ids or viewer is None or not viewer.is_authenticated:
        return {}
    return dict(
        CommentVote.objects.filter(user=viewer, comment_id__in=comment_ids).values_list(
            "comment_id", "value"
        )
    )


def _arrange(comments: list[Comment], by_id: dict[int, Comment], votes: dict[int, int]) -> None:
    """Attach display children. `comments` arrives with roots first, then by depth, each group
    already in the wanted order, so appending keeps sibling order."""
    for comment in comments:
        comment.display_replies = []
        comment.in_reply_to = None
        comment.viewer_vote = votes.get(comment.pk, 0)
        comment.has_official_answer = False
        comment.is_focus = False
    flattened: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id is None:
            continue
        parent = by_id.get(comment.parent_id)
        if parent is None:
            continue  # its parent awaits moderation; the reply is not shown without it
        if comment.is_official and comment.root_id in by_id:
            by_id[comment.root_id].has_official_answer = True
        if comment.depth <= DISPLAY_MAX_DEPTH:
            parent.display_replies.append(comment)
            continue
        anchor = parent
        while anchor.depth > DISPLAY_MAX_DEPTH:
            anchor = by_id[anchor.parent_id]
        comment.in_reply_to = parent
        flattened[anchor.pk].append(comment)
    for anchor_id, replies in flattened.items():
        replies.sort(key=lambda c: (c.created_at, c.pk))
        by_id[anchor_id].display_replies.extend(replies)


# --- threads with a bounded number of replies (the API) ------------------------------------------

# In the API, each comment of a page shows its first REPLIES_SHOWN replies, down to REPLY_LEVELS
# levels below the top-level comment; the rest are paged by `reply_page` (a cursor per comment).
REPLIES_SHOWN = 3
REPLY_LEVELS = 2
# Replies: official answers first, then oldest first. The order never changes as votes come in,
# so a cursor into it stays valid.
REPLY_ORDER = ("-is_official", "created_at", "id")


def bounded_comment_page(
    *,
    target: Topic | Idea,
    viewer=None,
    sort: str = DEFAULT_SORT,
    stance: str = "",
    plan_feature: int | None = None,
    page: int = 1,
    per_page: int = ROOTS_PER_PAGE,
    replies: int = REPLIES_SHOWN,
    levels: int = REPLY_LEVELS,
) -> CommentPage:
    """One page of top-level comments, each with at most `replies` replies per comment down to
    `levels` levels: a fixed number of queries and a bounded answer, however many replies a
    thread holds (a thread of 5,000 replies is paged through `reply_page`).

    Every comment gets `display_replies`, `reply_count` (its published replies) and
    `viewer_vote`; the roots are picked as in `comment_page`.
    """
    sort, stance = _known(sort, stance)
    page = max(1, page)
    candidates, ordering = _root_candidates(target, sort, stance, plan_feature)
    roots, has_next = _root_page(candidates, ordering, page, per_page)
    every = _with_replies(roots, viewer, replies=replies, levels=levels)
    return CommentPage(
        roots=roots,
        number=page,
        has_next=has_next,
        sort=sort,
        stance=stance,
        plan_feature=plan_feature,
        comments_by_id={comment.pk: comment for comment in every},
    )


@dataclass
class ReplyPage:
    """A page of one comment's direct replies, each with its first replies below it."""

    parent: Comment
    replies: list[Comment]
    next_cursor: str | None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def reply_cursor(comment: Comment) -> str:
    """Where a page of replies ends: the last reply's place in REPLY_ORDER, as
    "official.microseconds.id" (digits and dots only, safe in an address as it is)."""
    micros = (comment.created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{int(comment.is_official)}.{micros}.{comment.pk}"


def parse_reply_cursor(raw: str) -> tuple[bool, datetime, int]:
    """(is_official, created_at, id) from `reply_cursor`; ValueError when it is not one."""
    parts = raw.split(".")
    if len(parts) != 3 or parts[0] not in ("0", "1") or not all(p.isdigit() for p in parts[1:]):
        raise ValueError("not a cursor")
    micros, pk = int(parts[1]), int(parts[2])
    if micros > 10**17 or pk > 2**63:
        raise ValueError("not a cursor")
    return parts[0] == "1", _EPOCH + timedelta(microseconds=micros), pk


def reply_page(
    *,
    parent: Comment,
    viewer=None,
    after: str | None = None,
    per_page: int = ROOTS_PER_PAGE,
    replies: int = REPLIES_SHOWN,
) -> ReplyPage:
    """The direct replies of `parent` after the cursor `after` (keyset: no offset to skip, so
    the last page of 5,000 replies costs what the first does), each with its first `replies`
    replies. Raises ValueError for a cursor that is not one."""
    rows = Comment.objects.published().filter(parent=parent)
    if after:
        official, created_at, pk = parse_reply_cursor(after)
        later = Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk)
        rows = rows.filter(Q(is_official=official) & later | Q(is_official__lt=official))
    page = list(rows.select_related("author").order_by(*REPLY_ORDER)[: per_page + 1])
    more = len(page) > per_page
    page = page[:per_page]
    _with_replies(page, viewer, replies=replies, levels=1)
    return ReplyPage(
        parent=parent, replies=page, next_cursor=reply_cursor(page[-1]) if more else None
    )


def _with_replies(comments: list[Comment], viewer, *, replies: int, levels: int) -> list[Comment]:
    """Attach to each comment its first `replies` published replies, `levels` levels down, in
    one query per level (a window per parent), then every shown comment's `reply_count` and
    the viewer's votes in one query each. Returns every comment shown."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    every = list(comments)
    for comment in comments:
        comment.display_replies = []
        comment.in_reply_to = None
    level = comments
    for _depth in range(levels):
        if not level or replies <= 0:
            break
        by_id = {comment.pk: comment for comment in level}
        ranked = (
            Comment.objects.published()
            .filter(parent_id__in=list(by_id))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("parent_id")],
                    order_by=[F("is_official").desc(), F("created_at").asc(), F("id").asc()],
                )
            )
            .filter(rank__lte=replies)
            .select_related("author")
            .order_by("parent_id", *REPLY_ORDER)
        )
        level = []
        for reply in ranked:
            reply.display_replies = []
            reply.in_reply_to = None
            by_id[reply.parent_id].display_replies.append(reply)
            level.append(reply)
        every.extend(level)
    ids = [comment.pk for comment in every]
    counts = (
        dict(
            Comment.objects.published()
            .filter(parent_id__in=ids)
            .order_by()
            .values("parent_id")
            .annotate(n=Count("*"))
            .values_list("parent_id", "n")
        )
        if ids
        else {}
    )
    votes = _viewer_votes(viewer, ids)
    for comment in every:
        comment.reply_count = counts.get(comment.pk, 0)
        comment.viewer_vote = votes.get(comment.pk, 0)
        comment.has_official_answer = False
        comment.is_focus = False
    return every


def comment_tree_flat(page: CommentPage) -> list[tuple[Comment, int]]:
    """The page as (comment, display level) in reading order, for APIs and exports."""
    out: list[tuple[Comment, int]] = []

    def walk(comment: Comment, level: int) -> None:
        out.append((comment, level))
        for child in comment.display_replies:
            walk(child, min(level + 1, DISPLAY_MAX_DEPTH + 1))

    for root in page.roots:
        walk(root, 0)
    return out


# --- balance of arguments -------------------------------------------------------------------------


@dataclass
class StanceSide:
    stance: str
    label: str
    count: int
    percent: int
    top: Comment | None


def stance_balance(topic: Topic) -> list[StanceSide]:
    """Counts of the arguments for, against and neutral, and the best-scored one on each side."""
    base = Comment.objects.published().filter(
        topic=topic, parent__isnull=True, is_deleted=False, is_hidden=False
    )
    counts = dict(base.exclude(stance="").values_list("stance").annotate(n=Count("id")).order_by())
    # One small indexed query per side: a window over every argument would read and join
    # them all just to keep three.
    tops = {}
    for value in Stance.values:
        tops[value] = (
            base.filter(stance=value)
            .select_related("author")
            .order_by("-score", "-upvotes", "created_at", "id")
            .first()
        )
    total = sum(counts.values())
    return [
        StanceSide(
            stance=value,
            label=str(label),
            count=counts.get(value, 0),
            percent=round(100 * counts.get(value, 0) / total) if total else 0,
            top=tops.get(value),
        )
        for value, label in Stance.choices
    ]


# --- polls ----------------------------------------------------------------------------------------


@dataclass
class PollResult:
    option: PollOption
    count: int
    percent: int


@dataclass
class Poll:
    topic: Topic
    options: list[PollOption]
    results: list[PollResult]
    respondents: int
    viewer_choices: set[int]
    is_open: bool
    results_visible: bool

    @property
    def has_answered(self) -> bool:
        return bool(self.viewer_choices)


def poll_for(topic: Topic, viewer=None, *, now=None) -> Poll | None:
    """The poll of a topic as a viewer sees it: what they chose and whether results show."""
    if not topic.has_poll:
        return None
    options = list(PollOption.objects.filter(topic=topic).annotate(count=Count("answers")))
    respondents = PollAnswer.objects.filter(topic=topic).values("user_id").distinct().count()
    viewer_choices: set[int] = set()
    if viewer is not None and viewer.is_authenticated:
        viewer_choices = set(
            PollAnswer.objects.filter(topic=topic, user=viewer).values_list("option_id", flat=True)
        )
    is_open = phase_allows(topic.consultation, "answer_poll", now)
    # Percentages of the people who answered: in a multiple-choice poll they may add up to more
    # than 100, which is what a reader expects ("62 % want buses").
    results = [
        PollResult(
            option=option,
            count=option.count,
            percent=round(100 * option.count / respondents) if respondents else 0,
        )
        for option in options
    ]
    return Poll(
        topic=topic,
        options=options,
        results=results,
        respondents=respondents,
        viewer_choices=viewer_choices,
        is_open=is_open,
        results_visible=poll_results_visible(topic, viewer, bool(viewer_choices), is_open, now),
    )


def poll_results_visible(topic: Topic, viewer, has_answered: bool, is_open: bool, now=None) -> bool:
    from .permissions import can_manage_topics

    if viewer is not None and can_manage_topics(viewer, topic.consultation):
        return True
    if not is_open and _poll_has_started(topic.consultation, now):
        return True
    if topic.poll_results_visibility == Topic.ResultsVisibility.AFTER_ANSWER:
        return has_answered
    return False


def _poll_has_started(consultation: Consultation, now=None) -> bool:
    now = now or timezone.now()
    if consultation.status == Consultation.Status.CLOSED:
        return True
    return any(p.allows_poll and p.starts_at <= now for p in consultation.phases.all())


# --- the consultation hub -------------------------------------------------------------------------


def consultation_topics(consultation: Consultation):
    return Topic.objects.filter(consultation=consultation).annotate(
        option_count=Count("poll_options")
    )


@dataclass
class Figures:
    ideas: int
    supports: int
    comments: int
    participants: int


# Supports and poll answers ask for no recount (a support storm must not count on every view):
# a stored row older than this is counted again when it is read (debate.figures).
FIGURES_TTL = 60


def consultation_figures(consultation: Consultation) -> Figures:
    """Ideas, supports, comments and participants as last counted (debate.figures): one read by
    primary key; the first read of a consultation counts them."""
    from . import figures

    return figures.stored_figures(consultation.pk)


def participant_count(consultation: Consultation | int) -> int:
    """Distinct people who submitted, supported, commented or answered a poll: the one
    definition of a consultation's participants, used by the hub, the reports and the API."""
    people = (
        Idea.objects.filter(consultation=consultation, author__isnull=False)
        .exclude(publication="pending_confirmation")
        .values("author_id")
        .order_by()
        .union(
            Support.objects.filter(consultation=consultation).values("user_id").order_by(),
            Comment.objects.filter(consultation=consultation, author__isnull=False)
            .values("author_id")
            .order_by(),
            PollAnswer.objects.filter(topic__consultation=consultation)
            .values("user_id")
            .order_by(),
        )
    )
    return people.count()


def count_consultation_figures(consultation: Consultation | int) -> Figures:
    """Ideas, supports, comments and participants (participant_count) in three queries."""
    ideas = Idea.objects.published().filter(consultation=consultation)
    idea_figures = ideas.aggregate(ideas=Count("id"), supports=Sum("support_count"))
    comments = Comment.objects.countable().filter(consultation=consultation).count()
    return Figures(
        ideas=idea_figures["ideas"] or 0,
        supports=idea_figures["supports"] or 0,
        comments=comments,
        participants=participant_count(consultation),
    )


# --- the home page's key figures -------------------------------------------------------------


@dataclass
class SiteFigures:
    open_consultations: int
    ideas: int
    supports: int
    comments: int
    participants: int


# Counted in two queries and kept this long; a new, hidden or removed idea or comment, and a
# change of a consultation, forget them at once (civic.changes, Cache.HOME); supports show
# within this.
SITE_FIGURES_TTL = 60
SITE_FIGURES_KEY = "debate:site-figures"


def site_figures(now=None) -> SiteFigures:
    """The home page's key figures, from the cache when they are there (count_site_figures)."""
    key = _site_figures_key()
    figures = cache.get(key)
    if figures is None:
        figures = count_site_figures(now)
        cache.set(key, figures, SITE_FIGURES_TTL)
    return figures


def _site_figures_key(municipality: str | None = None) -> str:
    """Each municipality counts its own (civic.tenancy.key_part)."""
    return f"{SITE_FIGURES_KEY}:{municipality or tenancy.key_part()}"


def forget_site_figures(_consultation_id: int | None = None) -> None:
    """Drop the cached home page figures, whichever consultation changed (civic.changes):
    every municipality's, which needs no query to learn whose the consultation is."""
    cache.delete_many(
        [_site_figures_key("m-")] + [_site_figures_key(f"m{pk}") for pk in tenancy.table().by_id]
    )


def count_site_figures(now=None) -> SiteFigures:
    """Open consultations, ideas, supports, comments and people taking part across every
    published or closed consultation, in two queries: one for the counts (a union of one
    aggregate row per kind), one for the distinct people.

    Public data only: no drafts, no hidden or unpublished ideas, no hidden, deleted or
    unpublished comments. People are counted as the hub counts a consultation's participants
    (participant_count), across the public consultations.
    """
    public = Consultation.objects.visible().values("pk")
    open_now = (
        Consultation.objects.visible()
        .with_dates()
        .in_state("open", now or timezone.now())
        .values("pk")
    )

    def one_row(queryset, kind: str, total):
        return (
            queryset.order_by()
            .annotate(figure=Value(kind))
            .values("figure")
            .annotate(n=Count("pk"), s=total)
            .values_list("figure", "n", "s")
        )

    zero = Value(0, output_field=IntegerField())
    ideas = Idea.objects.published().filter(consultation__in=public)
    comments = Comment.objects.countable().filter(is_hidden=False, consultation__in=public)
    counts = one_row(ideas, "ideas", Sum("support_count")).union(
        one_row(comments, "comments", zero),
        one_row(Consultation.objects.filter(pk__in=open_now), "open", zero),
        all=True,
    )
    rows = {kind: (n or 0, s or 0) for kind, n, s in counts}
    people = (
        Idea.objects.filter(consultation__in=public, author__isnull=False)
        .exclude(publication="pending_confirmation")
        .values("author_id")
        .order_by()
        .union(
            Support.objects.filter(consultation__in=public).values("user_id").order_by(),
            Comment.objects.filter(consultation__in=public, author__isnull=False)
            .values("author_id")
            .order_by(),
            PollAnswer.objects.filter(topic__consultation__in=public).values("user_id").order_by(),
        )
    )
    return SiteFigures(
        open_consultations=rows.get("open", (0, 0))[0],
        ideas=rows.get("ideas", (0, 0))[0],
        supports=int(rows.get("ideas", (0, 0))[1]),
        comments=rows.get("comments", (0, 0))[0],
        participants=people.count(),
    )


# --- comments on the plan -------------------------------------------------------------------------

PLAN_COMMENT_BINS = 20  # sections a line is cut into for the map of comments along it
PLAN_COMMENT_FEED_SECONDS = 24 * 3600


def plan_topic(consultation: Consultation) -> Topic | None:
    """The topic comments on the plan go to from the map: the consultation's first topic."""
    return consultation.topics.order_by("position", "pk").first()


def plan_features_for_comments(consultation: Consultation) -> list[tuple[str, list]]:
    """[(layer name, [feature, ...]), ...] in the map's order, for the comment form's choice:
    one query, no geometry."""
    from consultations.models import PlanFeature

    features = (
        PlanFeature.objects.filter(layer__consultation_id=consultation.pk)
        .select_related("layer")
        .only("pk", "number", "name", "kind", "layer__name", "layer__position")
        .order_by("layer__position", "layer_id", "number")
    )
    groups: dict[int, tuple[str, list]] = {}
    for feature in features:
        groups.setdefault(feature.layer_id, (feature.layer.name, []))[1].append(feature)
    return list(groups.values())


def _anchored_public(consultation_id: int) -> QuerySet[Comment]:
    """The anchored comments everyone may read: published, neither hidden nor deleted."""
    return Comment.objects.filter(
        consultation_id=consultation_id,
        plan_feature__isnull=False,
        parent__isnull=True,
        publication=CommentPublication.PUBLISHED,
        is_deleted=False,
        is_hidden=False,
    )


def plan_comment_counts(consultation: Consultation) -> dict[int, int]:
    """{plan feature id: number of public comments about it}, in one query."""
    rows = (
        _anchored_public(consultation.pk)
        .values("plan_feature_id")
        .annotate(n=Count("id"))
        .values_list("plan_feature_id", "n")
    )
    return dict(rows)


def plan_comment_feed(consultation: Consultation) -> bytes:
    """Where the public comments on the plan are, as an RFC 7946 FeatureCollection (JSON bytes):
    counts only, no text and no names.

    A line is cut into PLAN_COMMENT_BINS sections by the comments' fraction along it; each
    section with comments is a point at its middle. Comments on an area or a point, and those
    on a line without a point, are one point per feature (the mean of their points, or the
    feature's own middle). Two queries on a miss; kept under the consultation's page versions,
    which every new, edited, hidden or deleted comment and every change of the plan layers moves
    on (civic.changes: comment, moderation, map layers all clear "pages").
    """
    import json

    import shapely

    from civic.pagecache import page_version_keys
    from consultations.models import PlanFeature
    from maps import anchors

    version_keys = page_version_keys(consultation.pk)
    versions = cache.get_many(version_keys)
    stamp = ":".join(str(versions.get(k, 0)) for k in version_keys)
    key = f"debate:plan-comments:{consultation.pk}:{stamp}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = _anchored_public(consultation.pk).values_list(
        "plan_feature_id", "anchor_longitude", "anchor_latitude", "anchor_fraction"
    )
    rows = list(rows)
    features = {
        feature.pk: feature
        for feature in PlanFeature.objects.filter(pk__in={row[0] for row in rows}).select_related(
            "layer"
        )
    }
    cells: dict[tuple[int, int | None], list] = {}
    for feature_id, lon, lat, fraction in rows:
        feature = features.get(feature_id)
        on_line = feature is not None and feature.kind == PlanFeature.Kind.LINE
        section = (
            min(PLAN_COMMENT_BINS - 1, int(fraction * PLAN_COMMENT_BINS))
            if fraction is not None and on_line
            else None
        )
        cells.setdefault((feature_id, section), []).append((lon, lat))
    out = []
    for (feature_id, section), points in sorted(cells.items(), key=lambda item: item[0][0]):
        feature = features.get(feature_id)
        if feature is None:
            continue
        if section is not None:
            middle = (section + 0.5) / PLAN_COMMENT_BINS
            lon, lat = anchors.point_at_fraction(feature.geometry, middle)
            span = [section / PLAN_COMMENT_BINS, (section + 1) / PLAN_COMMENT_BINS]
        else:
            placed = [(x, y) for x, y in points if x is not None]
            if placed:
                lon = sum(x for x, _ in placed) / len(placed)
                lat = sum(y for _, y in placed) / len(placed)
            else:
                middle = shapely.from_geojson(feature.geometry).point_on_surface()
                lon, lat = middle.x, middle.y
            span = None
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "plan_feature": feature_id,
                    "feature_name": str(feature),
                    "layer": feature.layer.name,
                    "count": len(points),
                    "section": span,
                },
            }
        )
    content = json.dumps({"type": "FeatureCollection", "features": out}).encode()
    cache.set(key, content, PLAN_COMMENT_FEED_SECONDS)
    return content
