from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations.rules import phase_allows, require_phase
from tests import factories


@pytest.fixture
def timeline(db):
    consultation = factories.ConsultationFactory(open_phase=False)
    now = timezone.now()
    factories.PhaseFactory(
        consultation=consultation,
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=1),
        allows_ideas=True,
    )
    factories.PhaseFactory(
        consultation=consultation,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        allows_comments=True,
    )
    factories.PhaseFactory(
        consultation=consultation,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=9),
        allows_support=True,
    )
    return consultation


def test_current_phase_decides(timeline):
    assert phase_allows(timeline, "comment")
    assert not phase_allows(timeline, "submit_idea")
    assert not phase_allows(timeline, "support")


def test_rules_follow_the_clock(timeline):
    later = timezone.now() + timedelta(days=6)
    assert phase_allows(timeline, "support", now=later)
    assert not phase_allows(timeline, "comment", now=later)


@pytest.mark.parametrize(
    "action, reason",
    [
        ("submit_idea", "The idea phase has ended."),
        ("support", "The support phase has not started yet."),
        ("answer_poll", "This consultation has no poll."),
    ],
)
def test_reasons_say_why(timeline, action, reason):
    with pytest.raises(PermissionDenied, match=reason):
        require_phase(timeline, action)


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_nothing_allowed_unless_published(timeline, status):
    timeline.status = status
    assert not phase_allows(timeline, "comment")
