"""The consultation's key figures kept as rows change (PostgreSQL triggers) equal the figures
counted from the rows: after every kind of write, hide, delete and restore, and under
concurrent writers."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from civic.models import User
from debate import services as debate_services
from debate.models import Comment, FigureTally, Participation
from debate.selectors import count_consultation_figures, counted_figures, tallied_figures
from ideas import services as idea_services
from ideas.models import Idea, Support
from moderation import services as moderation_services
from tests.debate.factories import CommentFactory
from tests.factories import (
    ConsultationFactory,
    IdeaFactory,
    PlannerFactory,
    PollOptionFactory,
    SupportFactory,
    TopicFactory,
    UserFactory,
)

POSTGRES = connection.vendor == "postgresql"
pytestmark = pytest.mark.skipif(not POSTGRES, reason="the tallies are kept by PostgreSQL")


def _agree(consultation):
    # The triggers run at commit; in a test whose transaction never commits, as each row is
    # written (tests/conftest.py).
    assert tallied_figures(consultation.pk) == counted_figures(consultation)


@pytest.mark.django_db
def test_every_write_keeps_the_figures_equal_to_the_rows():
    consultation = ConsultationFactory()
    planner = PlannerFactory()
    anna, bo = UserFactory(), UserFactory()
    idea = idea_services.idea_submit(
        author=anna,
        consultation=consultation,
        title="A sauna on the pier",
        description="Warm in winter.",
        latitude=IdeaFactory.latitude,
        longitude=IdeaFactory.longitude,
    )
    _agree(consultation)
    other = IdeaFactory(consultation=consultation, number=99)
    idea_services.idea_support(user=bo, idea=idea)
    idea_services.idea_support(user=bo, idea=other)
    _agree(consultation)
    figures = tallied_figures(consultation.pk)
    assert (figures.ideas, figures.supports) == (2, 2)
    # anna (idea), bo (supports), the factory idea's author
    assert figures.participants == 3

    comment = debate_services.comment_create(author=bo, target=idea, body="Yes, please.")
    topic = TopicFactory(consultation=consultation, poll_question="A tunnel?")
    option = PollOptionFactory(topic=topic)
    _agree(consultation)

    moderation_services.item_hide(actor=planner, target=idea, public_reason="off_topic")
    _agree(consultation)
    assert tallied_figures(consultation.pk).ideas == 1
    assert tallied_figures(consultation.pk).supports == 1
    moderation_services.item_restore(actor=planner, target=idea)
    _agree(consultation)
    moderation_services.item_hide(actor=planner, target=comment, public_reason="off_topic")
    _agree(consultation)

    debate_services.comment_delete(actor=bo, comment=comment)
    idea_services.idea_unsupport(user=bo, idea=other)
    _agree(consultation)
    carl = UserFactory()
    debate_services.poll_answer(user=carl, topic=topic, option_ids=[option.pk])
    _agree(consultation)
    assert tallied_figures(consultation.pk).participants == 4

    other.delete()  # its supports and comments go with it
    Idea.objects.filter(pk=idea.pk).update(is_hidden=True)  # a bulk update, no service
    _agree(consultation)
    User.objects.filter(pk=carl.pk).delete()  # the poll answer cascades
    _agree(consultation)


@pytest.mark.django_db
def test_rows_written_by_factories_and_bulk_loads_are_counted():
    consultation = ConsultationFactory()
    ideas = IdeaFactory.create_batch(3, consultation=consultation)
    SupportFactory.create_batch(4, idea=ideas[0])
    Support.objects.bulk_create(
        [Support(idea=ideas[1], user=UserFactory(), consultation=consultation) for _ in range(3)]
    )
    CommentFactory(topic=None, idea=ideas[2], consultation=consultation)
    CommentFactory(topic=TopicFactory(consultation=consultation), consultation=consultation)
    _agree(consultation)
    assert tallied_figures(consultation.pk).comments == 2


@pytest.mark.django_db
def test_deleting_a_consultation_leaves_no_tallies():
    consultation = ConsultationFactory()
    idea = IdeaFactory(consultation=consultation)
    SupportFactory(idea=idea)
    CommentFactory(topic=None, idea=idea, consultation=consultation)
    pk = consultation.pk
    consultation.delete()
    assert not FigureTally.objects.filter(consultation_id=pk).exists()
    assert not Participation.objects.filter(consultation_id=pk).exists()


@pytest.mark.django_db
def test_the_hub_reads_its_figures_in_one_query_whatever_the_rows():
    small, large = ConsultationFactory(), ConsultationFactory()
    for consultation, n in ((small, 2), (large, 20)):
        for idea in IdeaFactory.create_batch(n, consultation=consultation):
            SupportFactory(idea=idea)
            CommentFactory(topic=None, idea=idea, consultation=consultation)
    for consultation in (small, large):
        with CaptureQueriesContext(connection) as queries:
            figures = count_consultation_figures(consultation)
        assert len(queries) == 1
        assert figures == counted_figures(consultation)


THREADS = 16


def _run_at_once(targets):
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as error:  # collected and asserted in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_figures_exact():
    consultation = ConsultationFactory()
    ideas = IdeaFactory.create_batch(4, consultation=consultation)
    people = UserFactory.create_batch(THREADS)
    planner = PlannerFactory()

    def support_and_comment(person, idea):
        person = User.objects.get(pk=person.pk)
        idea_services.idea_support(user=person, idea=Idea.objects.get(pk=idea.pk))
        debate_services.comment_create(
            author=person, target=Idea.objects.get(pk=idea.pk), body="Me too."
        )

    # The last idea is hidden meanwhile: nobody may comment on it then.
    pairs = [(person, ideas[n % 3]) for n, person in enumerate(people)]
    targets = [lambda p=person, i=idea: support_and_comment(p, i) for person, idea in pairs]
    # The same person writing on two ideas at once: one participant, counted once.
    twice = people[0]
    targets.append(lambda: support_and_comment(twice, ideas[1]))
    targets.append(
        lambda: moderation_services.item_hide(
            actor=User.objects.get(pk=planner.pk),
            target=Idea.objects.get(pk=ideas[3].pk),
            public_reason="off_topic",
        )
    )
    errors = _run_at_once(targets)
    assert errors == []
    _agree(consultation)
    figures = tallied_figures(consultation.pk)
    assert figures.comments == Comment.objects.filter(consultation=consultation).count()
    assert figures.participants == len(people) + len(ideas)  # supporters and idea authors
