"""The benchmark data generator and the integrity checker, on small amounts."""

from io import StringIO

import pytest
from django.core.management import call_command

from bench import generator, integrity
from civic.models import User
from consultations.models import Consultation
from debate.models import Comment
from ideas.models import Idea, Support

pytestmark = pytest.mark.django_db


def snapshot(slug="bench"):
    consultation = Consultation.objects.get(slug=slug)
    ideas = list(
        Idea.objects.filter(consultation=consultation)
        .order_by("number")
        .values_list("number", "title", "latitude", "longitude", "support_count")
    )
    number_of = dict(Idea.objects.values_list("pk", "number"))
    email_of = dict(User.objects.values_list("pk", "email"))
    supports = sorted(
        (number_of[i], email_of[u])
        for i, u in Support.objects.filter(consultation=consultation).values_list(
            "idea_id", "user_id"
        )
    )
    comments = sorted(
        (c.depth, c.body, c.stance, email_of[c.author_id])
        for c in Comment.objects.filter(consultation=consultation)
    )
    return ideas, supports, comments


def test_command_writes_the_asked_amounts_with_consistent_counters():
    out = StringIO()
    call_command("seed_bench", ideas=60, supports=150, comments=80, users=20, seed=3, stdout=out)
    consultation = Consultation.objects.get(slug="bench")
    assert "60 ideas, 150 supports, 80 comments" in out.getvalue()
    assert Idea.objects.filter(consultation=consultation).count() == 60
    assert Support.objects.filter(consultation=consultation).count() == 150
    assert User.objects.filter(email__endswith="@bench.invalid").count() == 20
    comments = Comment.objects.filter(consultation=consultation)
    assert comments.count() == 80
    assert max(c.depth for c in comments) == 6
    for comment in comments.exclude(parent=None).select_related("parent"):
        assert comment.depth == comment.parent.depth + 1
        assert comment.root_id == (comment.parent.root_id or comment.parent_id)
        assert comment.topic_id == comment.parent.topic_id
    for idea in Idea.objects.filter(consultation=consultation):
        assert idea.support_count == idea.supports.count()
    assert sum(t.comment_count for t in consultation.topics.all()) == 80
    assert integrity.check(consultation).ok


def test_same_seed_gives_the_same_rows():
    generator.seed(ideas=30, supports=40, comments=30, users=10, seed=5, slug="one")
    generator.seed(ideas=30, supports=40, comments=30, users=10, seed=5, slug="two")
    # The second run reuses the same residents (same e-mails), so whole rows compare.
    first, second = snapshot("one"), snapshot("two")
    assert len(first[1]) == 40 and len(first[2]) == 30
    assert [row[1:] for row in first[0]] == [row[1:] for row in second[0]]
    assert first[1] == second[1]
    assert first[2] == second[2]


def test_other_seed_gives_other_rows():
    generator.seed(ideas=30, supports=40, comments=30, users=10, seed=5, slug="one")
    generator.seed(ideas=30, supports=40, comments=30, users=10, seed=6, slug="two")
    assert snapshot("one")[0] != snapshot("two")[0]


def test_users_have_tokens_and_seeding_twice_adds_no_users():
    first = generator.seed_users(5, seed=1)
    again = generator.seed_users(5, seed=1)
    assert first == again
    assert len(generator.user_tokens(first)) == 5


def test_checker_finds_a_lost_support_and_a_wrong_counter():
    generator.seed(ideas=10, supports=20, comments=0, users=5, seed=1)
    consultation = Consultation.objects.get(slug="bench")
    support = Support.objects.filter(consultation=consultation).first()
    confirmed = list(
        Support.objects.filter(consultation=consultation).values_list("idea_id", "user_id")
    )
    assert integrity.check(consultation, confirmed).ok

    support.delete()
    report = integrity.check(consultation, confirmed)
    assert report.lost == [(support.idea_id, support.user_id)]
    assert report.idea_count_mismatches  # the counter still counts the deleted row
    assert not report.ok


def test_checker_flags_a_support_confirmed_twice():
    generator.seed(ideas=5, supports=5, comments=0, users=5, seed=1)
    consultation = Consultation.objects.get(slug="bench")
    pair = Support.objects.filter(consultation=consultation).values_list("idea_id", "user_id")[0]
    report = integrity.check(consultation, [pair, pair])
    assert report.confirmed_twice == [tuple(pair)]
    assert "confirmed_twice" in report.summary()


def test_checker_flags_a_topic_counter_off_by_one():
    generator.seed(ideas=5, supports=5, comments=20, users=5, seed=1)
    consultation = Consultation.objects.get(slug="bench")
    topic = consultation.topics.order_by("pk").first()
    topic.comment_count += 1
    topic.save(update_fields=["comment_count"])
    report = integrity.check(consultation)
    assert [t for t, _shown, _rows in report.topic_count_mismatches] == [topic.pk]
