"""Deterministic bulk seeding for benchmarks: ideas, and the consultations, people and polls the
benchmark scripts set around them.

    consultation, created = seed_consultation("bench-x", {...}, phase={...})
    seed_ideas(consultation, 100_000, seed=42)

Ideas are spread uniformly over the consultation's area (rejection sampling inside the outline),
numbered after the consultation's existing ideas, and written in batches (COPY on PostgreSQL,
bulk_create elsewhere), so 100,000 ideas take seconds rather than the hours the submission
service would. The same seed
gives the same ideas. Not for production data: it bypasses the submission rules on purpose.
"""

import random
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from shapely.geometry import Point, shape

from civic.models import User
from consultations.models import Category, Consultation, Phase, PollOption, Topic
from ideas.models import Idea, IdeaStatus, Publication

# Christiansholm, Copenhagen: a small island, so that many ideas crowd the map.
WEST, SOUTH, EAST, NORTH = 12.5925, 55.6780, 12.5995, 55.6815
CATEGORIES = (("Bathing", "#0a7f5a"), ("Culture", "#8e44ad"), ("Traffic", "#c0392b"))
ALLOWS_EVERYTHING = {
    "allows_ideas": True,
    "allows_support": True,
    "allows_comments": True,
    "allows_poll": True,
}


def rectangle(west: float, south: float, east: float, north: float) -> dict:
    """A GeoJSON polygon for a longitude/latitude box, as consultations store their area."""
    corners = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [corners]}


AREA = rectangle(WEST, SOUTH, EAST, NORTH)
WORDS = (
    "harbour bath",
    "beach bar with sand under your feet",
    "market hall",
    "rowing club",
    "bicycle bridge",
    "playground",
    "sauna",
    "outdoor cinema",
    "community garden",
    "kayak landing",
    "skate park",
    "quiet bench",
    "food trucks",
    "winter swimming",
    "street lights",
)
STREETS = ("Trangravsvej", "Christiansholmsgade", "Papirøen", "Strandgade", "Wildersgade")


def seed_ideas(
    consultation: Consultation,
    count: int,
    *,
    seed: int = 42,
    batch_size: int = 5_000,
    hidden_share: float = 0.02,
) -> int:
    """Add `count` public ideas (a small share hidden) to `consultation`; return the count."""
    rng = random.Random(seed)
    area = shape(consultation.area) if consultation.area else None
    west, south, east, north = area.bounds if area else (-10.0, 40.0, 30.0, 70.0)
    categories = list(
        Category.objects.filter(consultation=consultation).values_list("pk", flat=True)
    )
    # COPY on PostgreSQL, bulk_create elsewhere.
    from bench.generator import insert_values

    statuses = [IdeaStatus.SUBMITTED] * 6 + [IdeaStatus.UNDER_REVIEW, IdeaStatus.ACCEPTED]
    now = timezone.now()
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        first = locked.idea_counter + 1
        Consultation.objects.filter(pk=locked.pk).update(idea_counter=F("idea_counter") + count)
        batch = []
        for offset in range(count):
            number = first + offset
            while True:
                lon, lat = rng.uniform(west, east), rng.uniform(south, north)
                if area is None or area.covers(Point(lon, lat)):
                    break
            batch.append(
                {
                    "consultation_id": locked.pk,
                    "number": number,
                    "reference": f"{locked.reference_prefix}-B{seed}-{number:07d}",
                    "title": f"{rng.choice(WORDS).capitalize()} {number}",
                    "description": "Seeded for the map benchmark.",
                    "category_id": rng.choice(categories) if categories else None,
                    "latitude": round(lat, 7),
                    "longitude": round(lon, 7),
                    "address_label": f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    "status": rng.choice(statuses),
                    "publication": Publication.PUBLISHED,
                    "is_hidden": rng.random() < hidden_share,
                    "support_count": int(rng.expovariate(0.3)),
                    "created_at": now - timedelta(minutes=offset),
                    "updated_at": now - timedelta(minutes=offset),
                }
            )
            if len(batch) >= batch_size:
                insert_values(Idea, batch)
                batch = []
        if batch:
            insert_values(Idea, batch)
    return count


def seed_consultation(
    slug: str,
    defaults: dict,
    *,
    phase: dict,
    opened_days_ago: int = 1,
    open_days_ahead: int = 365,
    categories=(),
) -> tuple[Consultation, bool]:
    """The consultation `slug`; a new one (made with `defaults`) gets a phase of `phase`'s kind
    and allows_* flags, open from `opened_days_ago` to `open_days_ahead`, and `categories`
    ((name, colour) pairs). Returns it and whether it was new."""
    consultation, created = Consultation.objects.get_or_create(slug=slug, defaults=defaults)
    if created:
        now = timezone.now()
        Phase.objects.create(
            consultation=consultation,
            starts_at=now - timedelta(days=opened_days_ago),
            ends_at=now + timedelta(days=open_days_ahead),
            **phase,
        )
        for position, (name, colour) in enumerate(categories):
            Category.objects.create(
                consultation=consultation, name=name, colour=colour, position=position
            )
    return consultation, created


def seed_people(count: int, *, show_name_every: int, **fields: str) -> list[User]:
    """`count` users whose `fields` are templates filled in with their number ("person{}@…");
    the username is the e-mail address unless given, and every `show_name_every`-th shows its
    name. The ones missing (by e-mail) are created, with unusable passwords; all are returned
    in the order of their numbers."""
    fields.setdefault("username", fields["email"])
    emails = [fields["email"].format(n) for n in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(
                **{name: template.format(n) for name, template in fields.items()},
                show_name_publicly=n % show_name_every == 0,
                password="!",  # unusable
            )
            for n, email in enumerate(emails)
            if email not in existing
        ],
        batch_size=2_000,
    )
    by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [by_email[email] for email in emails]


def topic_with_poll(consultation, title: str, *, options, **defaults) -> tuple[Topic, list]:
    """The topic `title` (made with `defaults` if missing) and its poll options, the labels
    `options` in order when it has none yet."""
    topic, _created = Topic.objects.get_or_create(
        consultation=consultation, title=title, defaults=defaults
    )
    choices = list(topic.poll_options.order_by("position"))
    if not choices:
        choices = [
            PollOption.objects.create(topic=topic, label=label, position=position)
            for position, label in enumerate(options)
        ]
    return topic, choices


def analyze(*tables: str) -> None:
    """Fresh planner statistics for `tables` (the whole database without any) after bulk
    writes, so that timed queries get the plans real data would. PostgreSQL only."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in [f"ANALYZE {table}" for table in tables] or ["ANALYZE"]:
            cursor.execute(statement)
