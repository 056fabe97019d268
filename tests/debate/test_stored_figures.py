"""The hub's key figures are stored (debate.figures): read by primary key, counted again by a
worker after a change that moves them, and never counted on a support."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from debate import figures as stored
from debate import selectors, services
from debate.models import ConsultationFigures
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(consultation, django_assert_num_queries):
    def read(queries=1):
        with django_assert_num_queries(queries):
            return selectors.consultation_figures(consultation)

    return read


def counted_at(consultation):
    return ConsultationFigures.objects.get(pk=consultation.pk).counted_at


class Queue(list):
    def run_all(self):
        from debate import tasks

        while self:
            tasks.recount_consultation_figures(*self.pop(0))


@pytest.fixture
def queued(monkeypatch):
    """Recounts are queued as with a broker and run only when the test says so."""
    from debate import tasks

    jobs = Queue()

    def apply_async(args, countdown=None):
        assert countdown == stored.RECOUNT_DELAY
        jobs.append(args)

    monkeypatch.setattr(tasks.recount_consultation_figures, "apply_async", apply_async)
    return jobs


def test_the_first_read_counts_and_stores_then_reads_are_one_query(figures, consultation):
    factories.IdeaFactory.create_batch(2, consultation=consultation)  # the service's path
    ConsultationFigures.objects.all().delete()  # as after the upgrade that added the rows
    first = selectors.consultation_figures(consultation)
    assert first.ideas == 2
    row = ConsultationFigures.objects.get(pk=consultation.pk)
    assert (row.ideas, row.supports, row.comments, row.participants) == (2, 0, 0, 2)
    assert figures(queries=1) == first


def test_a_new_comment_is_counted_right_after_it_commits(
    figures, consultation, resident, django_capture_on_commit_callbacks
):
    topic = factories.TopicFactory(consultation=consultation)
    assert (
        selectors.consultation_figures(consultation).comments == 0
    )  # counted and stored on the first read
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(author=resident, target=topic, body="Byg tunnelen nu.")
    after = figures()
    assert (after.comments, after.participants) == (1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_delete(actor=resident, comment=comment)
    assert figures().comments == 0


def test_a_vote_asks_for_no_count_and_hiding_does(
    figures, consultation, resident, planner, django_capture_on_commit_callbacks
):
    from moderation import services as moderation

    topic = factories.TopicFactory(consultation=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(author=resident, target=topic, body="Byg tunnelen nu.")
    selectors.consultation_figures(consultation)
    counted = counted_at(consultation)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_vote(user=factories.UserFactory(), comment=comment, value=1)
    assert counted_at(consultation) == counted  # votes count nowhere in the figures
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_hide(actor=planner, target=comment, public_reason="off_topic")
    assert counted_at(consultation) > counted


def test_a_new_idea_is_counted_and_other_consultations_are_not(
    figures, consultation, django_capture_on_commit_callbacks
):
    other = factories.ConsultationFactory()
    selectors.consultation_figures(other)
    assert selectors.consultation_figures(consultation).ideas == 0
    other_counted = counted_at(other)
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory(consultation=consultation)
    assert figures().ideas == 1
    assert counted_at(other) == other_counted


def test_supports_ask_for_nothing_and_show_once_the_row_is_old(figures, consultation):
    idea = factories.IdeaFactory(consultation=consultation)
    selectors.consultation_figures(consultation)
    factories.SupportFactory(idea=idea, user=factories.UserFactory())
    idea.support_count = 1
    idea.save(update_fields=["support_count"])
    assert figures().supports == 0  # the row is younger than FIGURES_TTL
    ConsultationFigures.objects.filter(pk=consultation.pk).update(
        counted_at=timezone.now() - timedelta(seconds=selectors.FIGURES_TTL + 1)
    )
    # Served as stored; the read asks for a recount (run at once here, tasks being eager).
    assert selectors.consultation_figures(consultation).supports == 0
    assert figures().supports == 1
    assert figures().participants == 2


def test_one_recount_is_queued_at_a_time_and_a_change_after_it_started_queues_another(
    consultation, queued, django_capture_on_commit_callbacks
):
    selectors.consultation_figures(consultation)
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory(consultation=consultation)
        factories.IdeaFactory(consultation=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory(consultation=consultation)
    assert len(queued) == 1  # a burst of changes, one count
    queued.run_all()
    assert selectors.consultation_figures(consultation).ideas == 3
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory(consultation=consultation)
    assert len(queued) == 1  # the marker went when the count started
    queued.run_all()
    assert selectors.consultation_figures(consultation).ideas == 4


def test_a_broker_that_refuses_frees_the_marker(consultation, monkeypatch, caplog):
    from debate import tasks

    selectors.consultation_figures(consultation)

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.recount_consultation_figures, "apply_async", refuse)
    stored.forget_consultation_figures(consultation.pk)  # does not raise
    assert cache.get(stored._queued_key(consultation.pk)) is None
    assert "could not queue a recount" in caplog.text


def test_a_page_built_before_the_count_is_not_kept_after_it(
    consultation, resident, queued, django_capture_on_commit_callbacks
):
    # The page cache is on in the suite, as in production (tests/civic/test_changes.py).
    topic = factories.TopicFactory(consultation=consultation)
    url = consultation.get_absolute_url()

    def shown_comments():
        response = Client().get(url)
        assert response.status_code == 200
        html = response.content.decode()
        return int(re.search(r"<strong>(\d+)</strong> comments?", html).group(1)), response

    assert shown_comments()[0] == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=resident, target=topic, body="Byg tunnelen nu.")
    count, built = shown_comments()  # built again (the comment moved the pages on), count pending
    assert (count, built.get("X-Page-Cache")) == (0, None)
    assert shown_comments()[1].get("X-Page-Cache") == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        queued.run_all()
    count, fresh = shown_comments()
    assert count == 1
    assert fresh.get("X-Page-Cache") != "hit"


def test_a_count_that_moved_nothing_announces_nothing(
    consultation, queued, django_capture_on_commit_callbacks
):
    selectors.consultation_figures(consultation)
    url = consultation.get_absolute_url()
    Client().get(url)
    assert Client().get(url).get("X-Page-Cache") == "hit"
    stored.request_recount(consultation.pk, announce=True)
    with django_capture_on_commit_callbacks(execute=True):
        queued.run_all()
    assert Client().get(url).get("X-Page-Cache") == "hit"


def test_a_recount_of_a_deleted_consultation_does_nothing(consultation):
    from debate.tasks import recount_consultation_figures

    pk = consultation.pk
    consultation.delete()
    recount_consultation_figures(pk, True)
    assert not ConsultationFigures.objects.filter(pk=pk).exists()
