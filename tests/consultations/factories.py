"""Input for the consultation services and the planner's form."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import CHRISTIANSHOLM_AREA


def consultation_data(**overrides) -> dict:
    data = {
        "title": "A bath in the harbour",
        "summary": "Where should the harbour bath go?",
        "body": "Tell us **your** idea.",
        "kind": "ideas",
        "language": "en",
        "hashtag": "#harbourbath",
        "reference_prefix": "BATH",
        "support_limit": 5,
        "pre_moderation": False,
        "area": CHRISTIANSHOLM_AREA,
    }
    data.update(overrides)
    return data


def phase_rows(now=None) -> list[dict]:
    now = now or timezone.now()
    return [
        {
            "kind": "ideas",
            "name": "Ideas",
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=10),
            "allows_ideas": True,
            "allows_support": True,
        },
        {
            "kind": "evaluation",
            "name": "Evaluation",
            "starts_at": now + timedelta(days=10),
            "ends_at": now + timedelta(days=30),
        },
    ]


def form_post(*, phases=None, categories=None, **overrides) -> dict:
    """A POST body for the planner's form with management forms filled in."""
    data = {
        "title": "A bath in the harbour",
        "slug": "",
        "summary": "Where should the harbour bath go?",
        "body": "Tell us **your** idea.",
        "kind": "ideas",
        "language": "en",
        "hashtag": "#harbourbath",
        "reference_prefix": "BATH",
        "support_limit": "5",
        "area": "",
    }
    data.update(overrides)
    phases = (
        phases
        if phases is not None
        else [
            ("ideas", "Ideas", "2030-01-01T10:00", "2030-02-01T10:00"),
            ("evaluation", "Evaluation", "2030-02-01T10:00", "2030-03-01T10:00"),
        ]
    )
    categories = categories if categories is not None else [("Water", "#0b6e99")]
    data.update(
        {
            "phases-TOTAL_FORMS": str(len(phases)),
            "phases-INITIAL_FORMS": "0",
            "phases-MIN_NUM_FORMS": "0",
            "phases-MAX_NUM_FORMS": "1000",
            "categories-TOTAL_FORMS": str(len(categories)),
            "categories-INITIAL_FORMS": "0",
            "categories-MIN_NUM_FORMS": "0",
            "categories-MAX_NUM_FORMS": "1000",
        }
    )
    for index, (kind, name, starts, ends) in enumerate(phases):
        data.update(
            {
                f"phases-{index}-kind": kind,
                f"phases-{index}-name": name,
                f"phases-{index}-starts_at": starts,
                f"phases-{index}-ends_at": ends,
                f"phases-{index}-allows_ideas": "on",
            }
        )
    for index, (name, colour) in enumerate(categories):
        data.update({f"categories-{index}-name": name, f"categories-{index}-colour": colour})
    return data
