"""The content calendar: every post with a time, across consultations and channels, by week or
month, beside the cadence each channel aims for.

A post's place in the calendar is when it went out (published), or when it is due (scheduled
or approved, due now), or when it failed or waits for a decision (its last time known).
"""

from __future__ import annotations

import calendar as calendar_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from social.adapters import config
from social.models import Channel, PostState, SocialPost

# What the municipality's communications aim for on each platform (Copenhagen's strategy:
# Facebook 2-4 posts a day, Instagram 2-3 a week, X 1-2 a day; the decentralised networks like X).
CADENCE: dict[str, tuple[int, int, str]] = {
    config.FACEBOOK: (2, 4, "day"),
    config.INSTAGRAM: (2, 3, "week"),
    config.X: (1, 2, "day"),
    config.MASTODON: (1, 2, "day"),
    config.BLUESKY: (1, 2, "day"),
}
CADENCE_UNITS = {"day": _("a day"), "week": _("a week")}
SHOWN_STATES = (
    PostState.APPROVED,
    PostState.SCHEDULED,
    PostState.PUBLISHING,
    PostState.PUBLISHED,
    PostState.FAILED,
    PostState.NEEDS_CONFIRMATION,
)
VIEWS = ("week", "month")


@dataclass
class Period:
    view: str
    start: date  # first day shown
    end: date  # day after the last day shown
    focus: date  # the day asked for; decides the month in month view

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    @property
    def weeks(self) -> list[list[date]]:
        days = self.days
        return [days[i : i + 7] for i in range(0, len(days), 7)]

    @property
    def previous(self) -> date:
        if self.view == "week":
            return self.focus - timedelta(days=7)
        return (self.focus.replace(day=1) - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        if self.view == "week":
            return self.focus + timedelta(days=7)
        last = calendar_module.monthrange(self.focus.year, self.focus.month)[1]
        return self.focus.replace(day=last) + timedelta(days=1)

    @property
    def length_days(self) -> int:
        """Days the cadence is counted over: the week, or the month itself (not the padding)."""
        if self.view == "week":
            return 7
        return calendar_module.monthrange(self.focus.year, self.focus.month)[1]


def period_for(view: str, focus: date) -> Period:
    """The week (Monday to Sunday) or the month (whole weeks around it) containing `focus`."""
    if view not in VIEWS:
        view = "week"
    if view == "week":
        start = focus - timedelta(days=focus.weekday())
        return Period(view, start, start + timedelta(days=7), focus)
    first = focus.replace(day=1)
    last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=7 - last.weekday())
    return Period(view, start, end, focus)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def posts_in(period: Period, consultations: QuerySet | None) -> QuerySet[SocialPost]:
    """Posts with a time in the period, in the given consultations (and those about none)."""
    posts = (
        SocialPost.objects.filter(state__in=SHOWN_STATES)
        .annotate(when=Coalesce("published_at", "scheduled_at", "approved_at", "updated_at"))
        .filter(when__gte=_local_midnight(period.start), when__lt=_local_midnight(period.end))
        .select_related("channel", "consultation")
        .order_by("when", "id")
    )
    if consultations is not None:
        posts = posts.filter(Q(consultation__in=consultations) | Q(consultation__isnull=True))
    return posts


@dataclass
class ChannelPlan:
    channel: Channel
    planned: int
    low: int
    high: int
    rate: str  # e.g. "2–4 a day"

    @property
    def status(self) -> str:
        if self.planned < self.low:
            return "below"
        if self.planned > self.high:
            return "above"
        return "within"


@dataclass
class Calendar:
    period: Period
    days: dict[date, list[SocialPost]] = field(default_factory=dict)
    plans: list[ChannelPlan] = field(default_factory=list)


def build(period: Period, consultations: QuerySet | None) -> Calendar:
    """The period's posts by local day, and each channel's count against its cadence.

    Two queries: the posts, and the channels.
    """
    result = Calendar(period, {day: [] for day in period.days})
    in_month = {}
    for post in posts_in(period, consultations):
        day = timezone.localtime(post.when).date()
        result.days.setdefault(day, []).append(post)
        if period.view == "week" or day.month == period.focus.month:
            in_month[post.channel_id] = in_month.get(post.channel_id, 0) + 1
    for channel in Channel.objects.listed().order_by("platform", "name"):
        low, high, unit = CADENCE.get(channel.platform, (0, 0, "week"))
        scale = period.length_days if unit == "day" else period.length_days / 7
        result.plans.append(
            ChannelPlan(
                channel=channel,
                planned=in_month.get(channel.pk, 0),
                low=round(low * scale),
                high=round(high * scale),
                rate=f"{low}–{high} {CADENCE_UNITS[unit]}",
            )
        )
    return result
