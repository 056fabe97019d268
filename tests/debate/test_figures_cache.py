"""The hub's key figures are cached, and a change to the debate or the ideas shows at once."""

import pytest
from django.core.cache import cache

from debate import selectors, services
from tests import factories


@pytest.fixture
def figures(consultation, django_assert_num_queries):
    def read(queries=0):
        with django_assert_num_queries(queries):
            return selectors.consultation_figures(consultation)

    return read


def test_figures_are_cached_for_a_minute(figures, consultation):
    factories.IdeaFactory(consultation=consultation)
    assert figures(queries=3).ideas == 1
    assert figures(queries=0).ideas == 1
    key = selectors._figures_key(consultation.pk)
    assert cache.get(key) is not None
    assert selectors.FIGURES_TTL == 60


def test_figures_change_right_after_a_new_comment(
    figures, consultation, resident, django_capture_on_commit_callbacks
):
    topic = factories.TopicFactory(consultation=consultation)
    assert figures(queries=3).comments == 0
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(author=resident, target=topic, body="Byg tunnelen nu.")
    after = figures(queries=3)
    assert (after.comments, after.participants) == (1, 1)

    figures(queries=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_edit(actor=resident, comment=comment, body="Byg tunnelen i morgen.")
    figures(queries=3)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_delete(actor=resident, comment=comment)
    assert figures(queries=3).comments == 0


def test_hiding_a_comment_forgets_the_figures_and_a_vote_does_not(
    figures, consultation, resident, planner, django_capture_on_commit_callbacks
):
    from moderation import services as moderation

    topic = factories.TopicFactory(consultation=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(author=resident, target=topic, body="Byg tunnelen nu.")
    assert figures(queries=3).comments == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_vote(user=factories.UserFactory(), comment=comment, value=1)
    assert figures(queries=0).comments == 1  # the figures count no votes (civic.changes)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_hide(actor=planner, target=comment, public_reason="off_topic")
    figures(queries=3)  # counted again (the figures count hidden comments as contributions)


def test_a_new_idea_shows_at_once(figures, consultation, django_capture_on_commit_callbacks):
    assert figures(queries=3).ideas == 0
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory(consultation=consultation)
    assert figures(queries=3).ideas == 1


def test_other_consultations_keep_their_figures(
    figures, consultation, django_capture_on_commit_callbacks
):
    figures(queries=3)
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory()  # elsewhere
    figures(queries=0)
