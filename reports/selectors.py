"""Reads behind the summary: key figures, participation over time, ideas by category and status,
the best-supported ideas, the balance of each debate, poll results, the social channels' reach
and how many visitors each channel brought.

`consultation_summary` runs a fixed number of queries however large the consultation is. It
counts only what the public sees (published, not hidden); staff additionally get the number of
hidden items. Other apps contribute sections (`Summary.sections`); the social app's is there.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max, Min, Q, Sum, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from civic.models import AuditEntry
from consultations.models import Consultation, PollOption, Topic
from debate.models import Comment, PollAnswer, Stance
from debate.selectors import participant_count
from ideas.models import Idea, IdeaStatus, Support
from maps.static_map import Pin
from social import selectors as social_selectors
from social.models import SocialPost

from .charts import Bar, Chart, Series, styled_series
from .models import SOCIAL_SOURCES, SOURCE_CHOICES, Referral

TOP_IDEAS = 10
# Beyond this many days, participation is shown per week so the chart stays readable.
DAILY_UP_TO_DAYS = 62
MAX_MAP_PINS = 20_000
UNCATEGORISED_COLOUR = "#718096"


@dataclass
class KeyFigures:
    participants: int
    ideas: int
    supports: int
    comments: int
    poll_answers: int
    poll_respondents: int
    hidden_ideas: int | None = None
    hidden_comments: int | None = None
    # Sum of the published posts' reach; None when no platform reports one ("not available").
    social_reach: int | None = None
    # Visitors who followed a link posted on a social channel (the embed not included).
    social_arrivals: int = 0


@dataclass
class TopicBalance:
    topic: Topic
    sides: list[dict]
    total: int
    poll: dict | None


@dataclass
class Summary:
    consultation: Consultation
    figures: KeyFigures
    over_time: Chart
    timeline_rows: list[dict]
    by_category: Chart
    by_status: Chart
    top_ideas: list[Idea]
    topics: list[TopicBalance]
    map_pins: list[Pin]
    charts: list[Chart] = field(default_factory=list)
    # Visitors per source (arrivals_by_channel), most first.
    arrivals: list[dict] = field(default_factory=list)
    # Sections other apps contribute (the social app's engagement); each a dict with "slug",
    # "title" and "rows" [(label, value)].
    sections: list[dict] = field(default_factory=list)
    # When the figures were counted: what "live figures as of" means, also when cached.
    computed_at: datetime = field(default_factory=timezone.now)


def public_ideas(consultation: Consultation):
    return Idea.objects.published().filter(consultation=consultation)


def public_comments(consultation: Consultation):
    """Comments the public reads: published, not deleted or hidden, not on a hidden idea."""
    return (
        Comment.objects.countable()
        .filter(consultation=consultation, is_hidden=False)
        .exclude(idea__isnull=False, idea__is_hidden=True)
        .exclude(Q(idea__isnull=False) & ~Q(idea__publication="published"))
    )


def consultation_summary(consultation: Consultation, *, include_hidden_counts: bool) -> Summary:
    computed_at = timezone.now()
    daily = daily_counts(consultation)
    over_time, timeline_rows = participation_over_time(consultation, daily)
    figures = key_figures(consultation, daily, include_hidden_counts=include_hidden_counts)
    by_category = ideas_by_category(consultation)
    by_status = ideas_by_status(consultation)
    posts = social_selectors.published_posts_of(consultation)
    arrivals = arrivals_by_channel(consultation)
    figures.social_reach = social_selectors.total_reach(posts)
    figures.social_arrivals = sum(row["visits"] for row in arrivals if row["social"])
    summary = Summary(
        consultation=consultation,
        figures=figures,
        over_time=over_time,
        timeline_rows=timeline_rows,
        by_category=by_category,
        by_status=by_status,
        top_ideas=top_ideas(consultation),
        topics=topic_balances(consultation),
        map_pins=map_pins(consultation),
        arrivals=arrivals,
        computed_at=computed_at,
    )
    summary.charts = [over_time, by_category, by_status]
    social = social_selectors.summary_section(consultation, posts=posts)
    if social:
        summary.sections.append(social)
    return summary


def _summary_key(consultation_id: int, include_hidden_counts: bool, language: str) -> str:
    return f"reports:summary:v2:{consultation_id}:{int(include_hidden_counts)}:{language}"


def forget_summary(consultation_id: int | None) -> None:
    """Drop the cached summaries of a consultation in every language (civic.changes)."""
    if consultation_id is None:
        return
    cache.delete_many(
        [
            _summary_key(consultation_id, hidden, language)
            for hidden in (False, True)
            for language, _name in settings.LANGUAGES
        ]
    )


def cached_consultation_summary(
    consultation: Consultation, *, include_hidden_counts: bool
) -> Summary:
    """The summary, kept for REPORTS_SUMMARY_CACHE_SECONDS.

    A council meeting opens the page many times within a minute; counting 100,000 supports for
    each is waste, and figures a minute old are still "live" for a reader. Exports never use
    this: their freshness is checked against `data_version`.
    """
    timeout = settings.REPORTS_SUMMARY_CACHE_SECONDS
    if timeout <= 0:
        return consultation_summary(consultation, include_hidden_counts=include_hidden_counts)
    key = _summary_key(consultation.pk, include_hidden_counts, get_language())
    summary = cache.get(key)
    if summary is None:
        summary = consultation_summary(consultation, include_hidden_counts=include_hidden_counts)
        cache.set(key, summary, timeout)
    return summary


def key_figures(
    consultation: Consultation, daily: dict[str, dict], *, include_hidden_counts: bool
) -> KeyFigures:
    """The totals are the sums of the daily counts, so the figures and the chart always agree
    and the big tables are read once."""
    polls = PollAnswer.objects.filter(topic__consultation=consultation).aggregate(
        answers=Count("id"), respondents=Count("user_id", distinct=True)
    )
    figures = KeyFigures(
        participants=participant_count(consultation),
        ideas=sum(daily["ideas"].values()),
        supports=sum(daily["supports"].values()),
        comments=sum(daily["comments"].values()),
        poll_answers=polls["answers"],
        poll_respondents=polls["respondents"],
    )
    if include_hidden_counts:
        figures.hidden_ideas = Idea.objects.filter(
            consultation=consultation, is_hidden=True
        ).count()
        figures.hidden_comments = Comment.objects.filter(
            consultation=consultation, is_hidden=True
        ).count()
    return figures


def _per_day(queryset, field_name: str = "created_at") -> dict[date, int]:
    rows = (
        queryset.annotate(day=TruncDate(field_name))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("day", "n")
    )
    return dict(rows)


def daily_counts(consultation: Consultation) -> dict[str, dict[date, int]]:
    """Public ideas, supports of public ideas and public comments, counted per day."""
    return {
        "ideas": _per_day(public_ideas(consultation)),
        "supports": _per_day(
            Support.objects.filter(
                consultation=consultation, idea__publication="published", idea__is_hidden=False
            )
        ),
        "comments": _per_day(public_comments(consultation)),
    }


def participation_over_time(
    consultation: Consultation, daily: dict[str, dict] | None = None
) -> tuple[Chart, list[dict]]:
    """New ideas, supports and comments per day (per week for long consultations)."""
    daily = daily or daily_counts(consultation)
    ideas, supports, comments = daily["ideas"], daily["supports"], daily["comments"]
    days = sorted(set(ideas) | set(supports) | set(comments))
    rows: list[dict] = []
    if days:
        first, last = days[0], days[-1]
        weekly = (last - first).days > DAILY_UP_TO_DAYS
        step = 7 if weekly else 1
        start = first - timedelta(days=first.weekday()) if weekly else first
        buckets: dict[date, dict] = {}
        current = start
        while current <= last:
            buckets[current] = {"start": current, "ideas": 0, "supports": 0, "comments": 0}
            current += timedelta(days=step)
        for source, key in ((ideas, "ideas"), (supports, "supports"), (comments, "comments")):
            for day, count in source.items():
                bucket = start + timedelta(days=((day - start).days // step) * step)
                buckets[bucket][key] += count
        rows = list(buckets.values())
        for row in rows:
            row["label"] = formats.date_format(row["start"], "SHORT_DATE_FORMAT")
        period = _("week") if weekly else _("day")
    else:
        period = _("day")
    chart = Chart(
        slug="over-time",
        title=_("Participation over time"),
        description=_(
            "New ideas, supports and comments per %(period)s, from %(first)s to %(last)s."
        )
        % {
            "period": period,
            "first": rows[0]["label"] if rows else "-",
            "last": rows[-1]["label"] if rows else "-",
        },
        kind="line",
        labels=[row["label"] for row in rows],
        series=styled_series(
            [
                Series(_("Ideas"), [row["ideas"] for row in rows]),
                Series(_("Supports"), [row["supports"] for row in rows]),
                Series(_("Comments"), [row["comments"] for row in rows]),
            ]
        ),
    )
    return chart, rows


def ideas_by_category(consultation: Consultation) -> Chart:
    rows = (
        public_ideas(consultation)
        .values("category__name", "category__colour", "category__position")
        .annotate(n=Count("id"))
        .order_by("category__position", "category__name")
    )
    bars = [
        Bar(
            row["category__name"] or _("No category"),
            row["n"],
            row["category__colour"] or UNCATEGORISED_COLOUR,
        )
        for row in rows
    ]
    return Chart(
        slug="by-category",
        title=_("Ideas by category"),
        description=_("The number of public ideas in each category."),
        kind="bar",
        bars=bars,
    )


def ideas_by_status(consultation: Consultation) -> Chart:
    counts = dict(
        public_ideas(consultation).values_list("status").annotate(n=Count("id")).order_by()
    )
    bars = [Bar(str(label), counts.get(value, 0)) for value, label in IdeaStatus.choices]
    return Chart(
        slug="by-status",
        title=_("Ideas by status"),
        description=_("The number of public ideas in each status of the official review."),
        kind="bar",
        bars=bars,
    )


def top_ideas(consultation: Consultation, limit: int = TOP_IDEAS) -> list[Idea]:
    return list(
        public_ideas(consultation)
        .select_related("category")
        .order_by("-support_count", "number")[:limit]
    )


def topic_balances(consultation: Consultation) -> list[TopicBalance]:
    """Every topic's arguments for, against and neutral, the best-scored argument on each side,
    and its poll results: five queries for all topics together."""
    topics = list(Topic.objects.filter(consultation=consultation))
    if not topics:
        return []
    arguments = (
        Comment.objects.published()
        .filter(
            topic__consultation=consultation,
            parent__isnull=True,
            is_deleted=False,
            is_hidden=False,
        )
        .exclude(stance="")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for topic_id, stance, n in (
        arguments.values_list("topic_id", "stance").annotate(n=Count("id")).order_by()
    ):
        counts[topic_id][stance] = n
    tops: dict[tuple[int, str], Comment] = {}
    for comment in (
        arguments.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic_id"), F("stance")],
                order_by=[F("score").desc(), F("upvotes").desc(), F("created_at").asc()],
            )
        )
        .filter(rank=1)
        .select_related("author")
    ):
        tops[(comment.topic_id, comment.stance)] = comment
    options: dict[int, list] = defaultdict(list)
    for option in (
        PollOption.objects.filter(topic__consultation=consultation)
        .annotate(n=Count("answers"))
        .order_by("topic_id", "position", "id")
    ):
        options[option.topic_id].append(option)
    respondents = dict(
        PollAnswer.objects.filter(topic__consultation=consultation)
        .values_list("topic_id")
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    )
    balances = []
    for topic in topics:
        topic_counts = counts.get(topic.pk, {})
        total = sum(topic_counts.values())
        sides = [
            {
                "stance": value,
                "label": str(label),
                "count": topic_counts.get(value, 0),
                "percent": round(100 * topic_counts.get(value, 0) / total) if total else 0,
                "top": tops.get((topic.pk, value)),
            }
            for value, label in Stance.choices
        ]
        poll = None
        if topic.has_poll:
            people = respondents.get(topic.pk, 0)
            poll = {
                "question": topic.poll_question,
                "respondents": people,
                "chart": Chart(
                    slug=f"poll-{topic.pk}",
                    title=topic.poll_question,
                    description=_("Answers per option from %(count)s respondents.")
                    % {"count": people},
                    kind="bar",
                    bars=[Bar(option.label, option.n) for option in options.get(topic.pk, [])],
                ),
                "results": [
                    {
                        "label": option.label,
                        "count": option.n,
                        "percent": round(100 * option.n / people) if people else 0,
                    }
                    for option in options.get(topic.pk, [])
                ],
            }
        balances.append(TopicBalance(topic=topic, sides=sides, total=total, poll=poll))
    return balances


def arrivals_by_channel(consultation: Consultation) -> list[dict]:
    """Visitors per source over the whole consultation (reports.middleware counts them), with
    each source's share of all arrivals and its first and last day: one query."""
    labels = dict(SOURCE_CHOICES)
    rows = list(
        Referral.objects.filter(consultation=consultation)
        .values("source")
        .annotate(visits=Sum("visits"), first=Min("day"), last=Max("day"))
        .order_by()
    )
    total = sum(row["visits"] for row in rows)
    result = [
        {
            "source": row["source"],
            "label": str(labels.get(row["source"], row["source"])),
            "social": row["source"] in SOCIAL_SOURCES,
            "visits": row["visits"],
            "percent": round(100 * row["visits"] / total) if total else 0,
            "first": row["first"],
            "last": row["last"],
        }
        for row in rows
        if row["visits"]
    ]
    return sorted(result, key=lambda row: (-row["visits"], row["label"]))


def map_pins(consultation: Consultation) -> list[Pin]:
    rows = (
        public_ideas(consultation)
        .order_by("-id")
        .values_list("longitude", "latitude", "category__colour")[:MAX_MAP_PINS]
    )
    return [Pin(lon, lat, colour or "") for lon, lat, colour in rows]


def data_version(consultation: Consultation) -> str:
    """A fingerprint that changes whenever anything an export shows changes.

    Counts catch deletions (a withdrawn support leaves no timestamp); the latest timestamps and
    the audit log catch edits, hiding and answers; the social posts' updates catch new
    engagement, and the sum of arrivals new visitors. Seven aggregate queries.
    """
    ideas = Idea.objects.filter(consultation=consultation).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    supports = Support.objects.filter(consultation=consultation).aggregate(
        n=Count("id"), last=Max("created_at")
    )
    comments = Comment.objects.filter(consultation=consultation).aggregate(
        n=Count("id"),
        last=Max("created_at"),
        edited=Max("edited_at"),
        deleted=Max("deleted_at"),
        hidden=Count("id", filter=Q(is_hidden=True)),
        votes=Sum(F("upvotes") + F("downvotes")),
    )
    polls = PollAnswer.objects.filter(topic__consultation=consultation).aggregate(
        n=Count("id"), last=Max("created_at")
    )
    # Exports write audit entries themselves; those must not make every file stale.
    audit = (
        AuditEntry.objects.filter(consultation_id=consultation.pk)
        .exclude(action__startswith="reports.")
        .aggregate(n=Count("id"), last=Max("created_at"), first=Min("created_at"))
    )
    posts = SocialPost.objects.filter(consultation=consultation).aggregate(
        n=Count("id"), last=Max("updated_at"), metrics=Max("metrics_fetched_at")
    )
    arrivals = Referral.objects.filter(consultation=consultation).aggregate(n=Sum("visits"))
    # The language is part of the file (pseudonyms, sheet names): another language, another file.
    parts = [consultation.updated_at, consultation.language]
    parts += [ideas, supports, comments, polls, audit, posts, arrivals]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
