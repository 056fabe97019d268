"""Deterministic bulk seeding of ideas for benchmarks.

    seed_ideas(consultation, 100_000, seed=42)

Ideas are spread uniformly over the consultation's area (rejection sampling inside the outline),
numbered after the consultation's existing ideas, and written with bulk_create in batches, so
100,000 ideas take seconds rather than the hours the submission service would. The same seed
gives the same ideas. Not for production data: it bypasses the submission rules on purpose.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from shapely.geometry import Point, shape

from consultations.models import Category, Consultation
from ideas.models import Idea, IdeaStatus, Publication

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
                Idea(
                    consultation=locked,
                    number=number,
                    reference=f"{locked.reference_prefix}-B{seed}-{number:07d}",
                    title=f"{rng.choice(WORDS).capitalize()} {number}",
                    description="Seeded for the map benchmark.",
                    category_id=rng.choice(categories) if categories else None,
                    latitude=round(lat, 7),
                    longitude=round(lon, 7),
                    address_label=f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    status=rng.choice(statuses),
                    publication=Publication.PUBLISHED,
                    is_hidden=rng.random() < hidden_share,
                    support_count=int(rng.expovariate(0.3)),
                    created_at=now - timedelta(minutes=offset),
                )
            )
            if len(batch) >= batch_size:
                Idea.objects.bulk_create(batch)
                batch = []
        if batch:
            Idea.objects.bulk_create(batch)
    return count
