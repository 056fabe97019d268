"""Social media analytics: reach, engagement and arrivals per channel and week.

Engagement comes from the platforms (social.readback stores each published post's figures);
arrivals are the visitors who came to a consultation through a tracked link (reports.Referral).
Both are summed per week (Monday to Sunday, local time) over the consultations the reader may
see, in a fixed number of queries whatever the number of posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Sum
from django.utils import timezone

from social.models import PLATFORM_CHOICES, PostState, SocialPost
from social.readback import METRIC_NAMES

from .models import Referral

PLATFORM_LABELS = dict(PLATFORM_CHOICES)
WEEKS_CHOICES = (4, 12, 26, 52)


def consultations_for(user):
    """Whose figures `user` reads: councillors every published consultation's, planners those
    they run."""
    from civic.permissions import is_councillor
    from consultations.models import Consultation

    if is_councillor(user):
        return Consultation.objects.exclude(status=Consultation.Status.DRAFT)
    return Consultation.objects.managed_by(user)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Row:
    """One channel (or the total) over one week (or the whole period)."""

    label: str
    posts: int = 0
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRIC_NAMES, 0))
    arrivals: int = 0

    def add_post(self, figures: dict) -> None:
        self.posts += 1
        for name in METRIC_NAMES:
            value = figures.get(name)
            if isinstance(value, int) and value > 0:  # a platform's answer is not trusted
                self.metrics[name] += value

    @property
    def engagement(self) -> int:
        return sum(self.metrics[name] for name in ("reactions", "comments", "shares"))


@dataclass
class Analytics:
    weeks: list[date]
    by_channel: list[Row]
    by_week: list[tuple[date, Row]]
    total: Row
    arrivals_by_platform: list[tuple[str, int]]

    @property
    def busiest_week_engagement(self) -> int:
        return max((row.engagement for _week, row in self.by_week), default=0)


def build(consultations, weeks: int, today: date | None = None) -> Analytics:
    """The last `weeks` weeks up to and including this one, for these consultations."""
    today = today or timezone.localdate()
    first = week_start(today) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    week_list = [first + timedelta(weeks=n) for n in range(weeks)]
    by_channel: dict[int, Row] = {}
    by_week = {week: Row(label=week.isoformat()) for week in week_list}
    total = Row(label="total")
    posts = (
        SocialPost.objects.filter(
            state=PostState.PUBLISHED, published_at__gte=since, consultation__in=consultations
        )
        .select_related("channel")
        .only("metrics", "published_at", "channel__name", "channel__platform")
    )
    for post in posts:
        figures = post.metrics or {}
        week = week_start(timezone.localtime(post.published_at).date())
        row = by_channel.setdefault(post.channel_id, Row(label=str(post.channel)))
        for target in (row, by_week[week], total):
            target.add_post(figures)
    arrivals = (
        Referral.objects.filter(consultation__in=consultations, day__gte=first)
        .exclude(source="embed")
        .values("source", "day")
        .annotate(visits=Sum("visits"))
    )
    by_platform: dict[str, int] = {}
    for arrival in arrivals:
        by_week[week_start(arrival["day"])].arrivals += arrival["visits"]
        total.arrivals += arrival["visits"]
        by_platform[arrival["source"]] = by_platform.get(arrival["source"], 0) + arrival["visits"]
    return Analytics(
        weeks=week_list,
        by_channel=sorted(by_channel.values(), key=lambda row: row.label),
        by_week=[(week, by_week[week]) for week in week_list],
        total=total,
        # Arrivals are counted per platform (the tracked link names it), not per account.
        arrivals_by_platform=[
            (PLATFORM_LABELS[code], visits)
            for code, visits in sorted(by_platform.items(), key=lambda item: -item[1])
            if code in PLATFORM_LABELS
        ],
    )


CSV_HEADER = ("week", "posts", *METRIC_NAMES, "arrivals")


def csv_rows(analytics: Analytics):
    """The weekly table as CSV rows: codes in the header, numbers only in the cells."""
    yield CSV_HEADER
    for week, row in analytics.by_week:
        yield (week.isoformat(), row.posts, *(row.metrics[n] for n in METRIC_NAMES), row.arrivals)
