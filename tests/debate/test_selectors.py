from datetime import timedelta

import pytest
from django.utils import timezone

from debate import selectors, services
from debate.models import Comment, CommentVote, PollAnswer
from debate.scoring import wilson_lower_bound
from tests import factories

from .factories import CommentFactory


def test_wilson_rewards_evidence_over_early_luck():
    assert wilson_lower_bound(0, 0) == 0
    assert wilson_lower_bound(1, 0) < wilson_lower_bound(90, 10)
    assert wilson_lower_bound(5, 5) < wilson_lower_bound(9, 1)
    assert 0 < wilson_lower_bound(10, 0) < 1
    assert wilson_lower_bound(0, 10) == pytest.approx(0, abs=1e-12)
    # Known value: 1 up out of 1 at 95 % confidence.
    assert wilson_lower_bound(1, 0) == pytest.approx(0.2065, abs=1e-4)


def _vote(comment, ups, downs):
    for _ in range(ups):
        services.comment_vote(user=factories.UserFactory(), comment=comment, value=1)
    for _ in range(downs):
        services.comment_vote(user=factories.UserFactory(), comment=comment, value=-1)


def test_best_sort_uses_the_confidence_score(topic):
    lucky = CommentFactory(topic=topic, body="lucky")  # 1 of 1
    proven = CommentFactory(topic=topic, body="proven")  # 8 of 9
    CommentFactory(topic=topic, body="unvoted")
    _vote(lucky, 1, 0)
    _vote(proven, 8, 1)
    page = selectors.comment_page(target=topic, sort="best")
    assert [c.body for c in page.roots] == ["proven", "lucky", "unvoted"]


def test_newest_oldest_and_official_first(topic, planner):
    first = CommentFactory(topic=topic, body="first")
    second = CommentFactory(topic=topic, body="second")
    third = CommentFactory(topic=topic, body="third", is_official=True, author=planner)
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=3))
    Comment.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(hours=2))
    Comment.objects.filter(pk=third.pk).update(created_at=timezone.now() - timedelta(hours=1))
    oldest = selectors.comment_page(target=topic, sort="oldest").roots
    newest = selectors.comment_page(target=topic, sort="newest").roots
    assert [c.body for c in oldest] == ["third", "first", "second"]
    assert [c.body for c in newest] == ["third", "second", "first"]


def test_tree_building_and_official_reply_pinned_in_its_thread(topic, planner):
    root = CommentFactory(topic=topic, body="root")
    early = CommentFactory(topic=topic, parent=root, body="early reply")
    official = CommentFactory(
        topic=topic, parent=root, body="official", is_official=True, author=planner
    )
    nested = CommentFactory(topic=topic, parent=early, body="nested")
    other_root = CommentFactory(topic=topic, body="other root")
    page = selectors.comment_page(target=topic, sort="oldest")
    assert [c.pk for c in page.roots] == [root.pk, other_root.pk]
    shown = page.roots[0]
    assert [c.pk for c in shown.display_replies] == [official.pk, early.pk]
    assert [c.pk for c in shown.display_replies[1].display_replies] == [nested.pk]
    assert shown.has_official_answer and not page.roots[1].has_official_answer


def test_deep_replies_flatten_under_their_depth_three_ancestor(topic):
    chain = [CommentFactory(topic=topic, body="d0")]
    for depth in range(1, 7):
        chain.append(CommentFactory(topic=topic, parent=chain[-1], body=f"d{depth}"))
    assert chain[-1].depth == 6 and chain[-1].root_id == chain[0].pk
    page = selectors.comment_page(target=topic)
    d3 = page.roots[0].display_replies[0].display_replies[0].display_replies[0]
    assert d3.body == "d3"
    assert [c.body for c in d3.display_replies] == ["d4", "d5", "d6"]
    assert all(c.display_replies == [] for c in d3.display_replies)
    assert d3.display_replies[0].in_reply_to.pk == d3.pk
    assert d3.display_replies[2].in_reply_to.pk == chain[5].pk
    flat = selectors.comment_tree_flat(page)
    assert [level for _, level in flat] == [0, 1, 2, 3, 4, 4, 4]


def test_stance_filter_and_pagination(topic):
    for i in range(5):
        CommentFactory(topic=topic, stance="for", body=f"for {i}")
    CommentFactory(topic=topic, stance="against", body="against")
    page = selectors.comment_page(target=topic, stance="against")
    assert [c.body for c in page.roots] == ["against"]
    first = selectors.comment_page(target=topic, sort="oldest", per_page=4)
    second = selectors.comment_page(target=topic, sort="oldest", per_page=4, page=2)
    assert first.has_next and not second.has_next and second.has_previous
    assert len(first.roots) == 4 and len(second.roots) == 2
    assert {c.pk for c in first.roots}.isdisjoint({c.pk for c in second.roots})


def test_pending_comments_and_their_replies_are_not_shown(topic):
    CommentFactory(topic=topic, body="waiting", publication="pending_moderation")
    shown = CommentFactory(topic=topic, body="shown")
    CommentFactory(
        topic=topic, parent=shown, body="pending reply", publication="pending_moderation"
    )
    page = selectors.comment_page(target=topic)
    assert [c.body for c in page.roots] == ["shown"]
    assert page.roots[0].display_replies == []


def test_viewer_votes_are_attached(topic, resident):
    comment = CommentFactory(topic=topic)
    services.comment_vote(user=resident, comment=comment, value=-1)
    page = selectors.comment_page(target=topic, viewer=resident)
    assert page.roots[0].viewer_vote == -1


def test_comment_page_query_count_is_constant(topic, resident, django_assert_num_queries):
    def seed(n):
        roots = [CommentFactory(topic=topic) for _ in range(max(1, n // 5))]
        made = len(roots)
        parents = list(roots)
        while made < n:
            parent = parents[made % len(parents)]
            child = CommentFactory(topic=topic, parent=parent)
            parents.append(child)
            made += 1

    seed(10)
    with django_assert_num_queries(3):
        selectors.comment_page(target=topic, viewer=resident)
    seed(200)
    with django_assert_num_queries(3):
        page = selectors.comment_page(target=topic, viewer=resident)
    assert len(page.roots) == selectors.ROOTS_PER_PAGE


def test_stance_balance(topic):
    best_for = CommentFactory(topic=topic, stance="for", body="best for")
    CommentFactory(topic=topic, stance="for", body="weak for")
    CommentFactory(topic=topic, stance="for", body="deleted for", is_deleted=True)
    against = CommentFactory(topic=topic, stance="against", body="against")
    CommentFactory(topic=topic, stance="neutral")
    CommentFactory(topic=topic, parent=against, body="a reply has no side")
    _vote(best_for, 3, 0)
    sides = {side.stance: side for side in selectors.stance_balance(topic)}
    assert (sides["for"].count, sides["against"].count, sides["neutral"].count) == (2, 1, 1)
    assert (sides["for"].percent, sides["against"].percent) == (50, 25)
    assert sides["for"].top.pk == best_for.pk and sides["against"].top.pk == against.pk


def test_stance_balance_query_count_is_constant(topic, django_assert_num_queries):
    for _ in range(5):
        CommentFactory(topic=topic, stance="for")
    with django_assert_num_queries(4):  # the counts, then the best argument of each side
        selectors.stance_balance(topic)
    for _ in range(20):
        CommentFactory(topic=topic, stance="against")
    with django_assert_num_queries(4):
        selectors.stance_balance(topic)


def test_poll_results_and_visibility(poll_topic, resident, planner, consultation):
    yes, no, undecided = poll_topic.poll_options.all()
    for _ in range(3):
        PollAnswer.objects.create(topic=poll_topic, option=yes, user=factories.UserFactory())
    PollAnswer.objects.create(topic=poll_topic, option=no, user=factories.UserFactory())
    poll = selectors.poll_for(poll_topic, resident)
    assert poll.is_open and not poll.results_visible and poll.respondents == 4
    assert [(r.count, r.percent) for r in poll.results] == [(3, 75), (1, 25), (0, 0)]
    services.poll_answer(user=resident, topic=poll_topic, option_ids=[undecided.pk])
    poll = selectors.poll_for(poll_topic, resident)
    assert poll.results_visible and poll.viewer_choices == {undecided.pk}
    assert [r.percent for r in poll.results] == [60, 20, 20]
    # After the phase: results only once the poll has closed.
    poll_topic.poll_results_visibility = "after_phase"
    poll_topic.save()
    assert not selectors.poll_for(poll_topic, resident).results_visible
    assert selectors.poll_for(poll_topic, planner).results_visible
    consultation.phases.update(ends_at=timezone.now() - timedelta(minutes=1))
    assert selectors.poll_for(poll_topic, factories.UserFactory()).results_visible


def test_consultation_figures(consultation, django_assert_num_queries):
    idea = factories.IdeaFactory(consultation=consultation, support_count=2)
    factories.IdeaFactory(consultation=consultation, publication="pending_confirmation")
    supporter = factories.UserFactory()
    factories.SupportFactory(idea=idea, user=supporter)
    factories.SupportFactory(idea=idea, user=idea.author)
    topic = factories.TopicFactory(consultation=consultation)
    commenter = factories.UserFactory()
    CommentFactory(topic=topic, author=commenter)
    CommentFactory(topic=topic, author=supporter)
    CommentFactory(topic=topic, author=commenter, is_deleted=True)
    option = factories.PollOptionFactory(topic=topic)
    voter = factories.UserFactory()
    PollAnswer.objects.create(topic=topic, option=option, user=voter)
    CommentFactory(topic=factories.TopicFactory(), author=factories.UserFactory())  # elsewhere
    with django_assert_num_queries(3):
        figures = selectors.count_consultation_figures(consultation)
    assert (figures.ideas, figures.supports, figures.comments) == (1, 2, 2)
    # idea author, supporter, commenter, voter
    assert figures.participants == 4


def test_comment_vote_rows_unique(topic, resident):
    from django.db import IntegrityError, transaction

    comment = CommentFactory(topic=topic)
    CommentVote.objects.create(comment=comment, user=resident, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentVote.objects.create(comment=comment, user=resident, value=-1)
