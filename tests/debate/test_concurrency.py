"""Exact counts when many people vote at once. Needs PostgreSQL: SQLite has one writer."""

import threading

import pytest
from django.db import close_old_connections, connection

from debate import services
from debate.models import Comment, CommentVote, PollAnswer
from debate.scoring import wilson_lower_bound
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(work, count):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            work(index)
        except Exception as exc:  # collected and re-raised in the test
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL")


@pytest.mark.usefixtures("_postgres_only")
def test_simultaneous_votes_keep_exact_counts():
    topic = factories.TopicFactory()
    comment = services.comment_create(
        author=factories.UserFactory(), target=topic, body="Vote on me"
    )
    voters = [factories.UserFactory() for _ in range(16)]

    def vote(index):
        value = 1 if index % 4 else -1
        services.comment_vote(user=voters[index], comment=comment, value=value)

    assert _run_together(vote, len(voters)) == []
    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes) == (12, 4)
    assert CommentVote.objects.filter(comment=comment).count() == 16
    assert comment.score == pytest.approx(wilson_lower_bound(12, 4))


@pytest.mark.usefixtures("_postgres_only")
def test_one_person_voting_from_many_tabs_counts_once():
    topic = factories.TopicFactory()
    comment = services.comment_create(author=factories.UserFactory(), target=topic, body="Once")
    voter = factories.UserFactory()

    def vote(_):
        services.comment_vote(user=voter, comment=comment, value=1)

    assert _run_together(vote, 8) == []
    comment.refresh_from_db()
    assert (comment.upvotes, comment.downvotes) == (1, 0)
    assert CommentVote.objects.filter(comment=comment).count() == 1


@pytest.mark.usefixtures("_postgres_only")
def test_single_choice_poll_stays_single_under_simultaneous_answers():
    topic = factories.TopicFactory(poll_question="Tunnel?")
    options = [factories.PollOptionFactory(topic=topic, label=label) for label in ("Ja", "Nei")]
    person = factories.UserFactory()

    def answer(index):
        services.poll_answer(user=person, topic=topic, option_ids=[options[index % 2].pk])

    assert _run_together(answer, 8) == []
    assert PollAnswer.objects.filter(topic=topic, user=person).count() == 1


@pytest.mark.usefixtures("_postgres_only")
def test_simultaneous_comments_keep_the_count_exact():
    topic = factories.TopicFactory()
    people = [factories.UserFactory() for _ in range(12)]

    def comment(index):
        services.comment_create(author=people[index], target=topic, body=f"Comment {index}")

    assert _run_together(comment, len(people)) == []
    topic.refresh_from_db()
    assert topic.comment_count == 12 == Comment.objects.filter(topic=topic).count()
