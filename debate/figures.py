"""A consultation's key figures, stored, and counted again by a worker after a change.

The hub shows ideas, supports, comments and participants on every view. Counting them is a pass
over the consultation's ideas, comments, supports and poll answers (about 35 ms of statements at
10,000 ideas and 100,000 supports, bench/RESULTS.md), so the counts are stored in a row
(ConsultationFigures) that the hub reads by primary key, and counted again off the request:

- a change the map of change lists under "figures" (an idea, a comment, moderation) asks for a
  recount (`forget_consultation_figures`, civic.changes). A worker counts RECOUNT_DELAY seconds
  later, so a burst of comments costs one count, and if the figures moved it announces
  Change.FIGURES, which forgets the consultation's pages: a page built between the change and
  the count is not kept;
- supports and poll answers ask for nothing; a row older than selectors.FIGURES_TTL asks for a
  recount when it is read, so they show within that (and the page cache's own lifetime);
- a consultation without a row yet is counted in the request that first reads it.

One recount per consultation is queued at a time (a marker in the cache). Without the cache or
the broker (Redis down) none can be queued: the row is read as it is until one can.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from civic.changes import Change, changed

from .models import ConsultationFigures
from .selectors import FIGURES_TTL, Figures, count_consultation_figures

logger = logging.getLogger(__name__)

# Seconds between the first change of a burst and its count.
RECOUNT_DELAY = 1
# A queued recount that never ran (a worker lost it) stops blocking the next after this.
QUEUED_SECONDS = 60

FIELDS = [field.name for field in dataclasses.fields(Figures)]


def stored_figures(consultation_id: int) -> Figures:
    row = (
        ConsultationFigures.objects.filter(pk=consultation_id).values(*FIELDS, "counted_at").first()
    )
    if row is None:
        return recount(consultation_id)
    if row.pop("counted_at") < timezone.now() - timedelta(seconds=FIGURES_TTL):
        request_recount(consultation_id)
    return Figures(**row)


def forget_consultation_figures(consultation_id: int | None) -> None:
    """Forgetter (civic.changes) of a consultation's key figures: count them again soon, and
    announce it if they moved."""
    if consultation_id is not None:
        request_recount(consultation_id, announce=True)


def request_recount(consultation_id: int, *, announce: bool = False) -> None:
    if not cache.add(_queued_key(consultation_id), 1, QUEUED_SECONDS):
        # One is queued and has not started (it will see this change), or the cache is down.
        return
    from .tasks import recount_consultation_figures

    try:
        recount_consultation_figures.apply_async(
            (consultation_id, announce), countdown=RECOUNT_DELAY
        )
    except Exception:  # the broker is down: the next change or read asks again
        cache.delete(_queued_key(consultation_id))
        logger.warning(
            "could not queue a recount of consultation %s", consultation_id, exc_info=True
        )


def recount(consultation_id: int, *, announce: bool = False) -> Figures:
    """Count the figures and store them; with `announce`, say so if they moved."""
    # From here on a change asks for a count of its own: this one may not see it.
    cache.delete(_queued_key(consultation_id))
    figures = count_consultation_figures(consultation_id)
    values = dataclasses.asdict(figures)
    with transaction.atomic():
        before = ConsultationFigures.objects.filter(pk=consultation_id).values(*FIELDS).first()
        ConsultationFigures.objects.bulk_create(
            [
                ConsultationFigures(
                    consultation_id=consultation_id, counted_at=timezone.now(), **values
                )
            ],
            update_conflicts=True,
            unique_fields=["consultation"],
            update_fields=[*FIELDS, "counted_at"],
        )
        if announce and before is not None and before != values:
            changed(consultation_id, Change.FIGURES)
    return figures


def _queued_key(consultation_id: int) -> str:
    return f"debate:figures:queued:{consultation_id}"
