"""Integrity after a load run: no support that was answered with success is lost or doubled, and
the counters shown equal the rows they count.

    report = check(consultation, successes=[(idea_id, user_id), ...])
    report.ok  # False when anything is off; report.problems says what

`successes` is the load generator's log of the supports the server answered 201 to. A support
the server confirmed must be in the database exactly once; the server confirming the same
support twice is a doubled support, even though the unique constraint keeps one row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class IntegrityReport:
    confirmed: int = 0
    lost: list[tuple[int, int]] = field(default_factory=list)
    confirmed_twice: list[tuple[int, int]] = field(default_factory=list)
    duplicate_rows: list[tuple[int, int]] = field(default_factory=list)
    idea_count_mismatches: list[tuple[int, int, int]] = field(default_factory=list)
    topic_count_mismatches: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        found = []
        for name in (
            "lost",
            "confirmed_twice",
            "duplicate_rows",
            "idea_count_mismatches",
            "topic_count_mismatches",
        ):
            items = getattr(self, name)
            if items:
                found.append(f"{name}: {len(items)} (first: {items[:3]})")
        return found

    def summary(self) -> str:
        if self.ok:
            return f"ok: {self.confirmed} confirmed supports all stored once; counters match rows"
        return "; ".join(self.problems)


def check(consultation, successes: Iterable[tuple[int, int]] = ()) -> IntegrityReport:
    from django.db.models import Count

    from consultations.models import Topic
    from ideas.models import Idea, Support

    report = IntegrityReport()
    confirmed = Counter((int(i), int(u)) for i, u in successes)
    report.confirmed = len(confirmed)
    report.confirmed_twice = sorted(pair for pair, n in confirmed.items() if n > 1)

    rows = Counter()
    supports = Support.objects.filter(consultation=consultation)
    for idea_id, user_id, n in (
        supports.values("idea_id", "user_id")
        .annotate(n=Count("id"))
        .values_list("idea_id", "user_id", "n")
        .iterator(chunk_size=20_000)
    ):
        rows[(idea_id, user_id)] = n
    report.duplicate_rows = sorted(pair for pair, n in rows.items() if n > 1)
    report.lost = sorted(pair for pair in confirmed if pair not in rows)

    per_idea = Counter()
    for (idea_id, _user), n in rows.items():
        per_idea[idea_id] += n
    comments_per_idea = countable_comments_per(consultation, "idea")
    for idea_id, shown, shown_comments in (
        Idea.objects.filter(consultation=consultation)
        .values_list("pk", "support_count", "comment_count")
        .iterator(chunk_size=20_000)
    ):
        if shown != per_idea.get(idea_id, 0):
            report.idea_count_mismatches.append((idea_id, shown, per_idea.get(idea_id, 0)))
        elif shown_comments != comments_per_idea.get(idea_id, 0):
            report.idea_count_mismatches.append(
                (idea_id, shown_comments, comments_per_idea.get(idea_id, 0))
            )
    counted_topics = countable_comments_per(consultation, "topic")
    for topic_id, shown in Topic.objects.filter(consultation=consultation).values_list(
        "pk", "comment_count"
    ):
        if shown != counted_topics.get(topic_id, 0):
            report.topic_count_mismatches.append((topic_id, shown, counted_topics.get(topic_id, 0)))
    return report


def countable_comments_per(consultation, owner: str) -> dict[int, int]:
    """The comments that count towards a counter, per `owner` ("idea" or "topic") of the
    consultation: {owner id: number}."""
    from django.db.models import Count

    from debate.models import Comment

    return dict(
        Comment.objects.countable()
        .filter(**{f"{owner}__consultation": consultation})
        .values(f"{owner}_id")
        .annotate(n=Count("id"))
        .values_list(f"{owner}_id", "n")
    )
