"""A page of comment threads in the API shows each comment's first replies only, down to two
levels, whatever the thread holds; the rest are read a page at a time by cursor."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from debate import selectors
from debate.models import Comment

from .factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def many_replies(parent, count: int, author) -> list[int]:
    """`count` published replies to `parent`, a second apart, oldest first (bulk: a test of a
    5,000-reply thread must not take minutes)."""
    start = timezone.now() - timedelta(days=1)
    rows = [
        Comment(
            consultation_id=parent.consultation_id,
            topic_id=parent.topic_id,
            parent=parent,
            root_id=parent.root_id or parent.pk,
            depth=parent.depth + 1,
            author=author,
            body=f"Reply {n}",
            body_html=f"<p>Reply {n}</p>",
        )
        for n in range(count)
    ]
    created = Comment.objects.bulk_create(rows)
    ids = [row.pk for row in created] if created[0].pk else None
    if ids is None:  # backends that return no ids
        ids = list(
            Comment.objects.filter(parent=parent).order_by("id").values_list("pk", flat=True)
        )
    for offset, pk in enumerate(ids):
        Comment.objects.filter(pk=pk).update(created_at=start + timedelta(seconds=offset))
    return ids


def test_a_thread_of_5000_replies_shows_three_and_pages_the_rest(api, topic, resident):
    root = CommentFactory(topic=topic, body="The root")
    CommentFactory(topic=topic, body="Another thread")
    ids = many_replies(root, 5000, resident)
    deep = CommentFactory(topic=topic, parent=Comment.objects.get(pk=ids[0]), body="Level two")
    CommentFactory(topic=topic, parent=deep, body="Level three")

    page = api.get(f"/api/v1/topics/{topic.pk}/comments/?sort=oldest")
    assert page.status_code == 200
    first = page.json()["results"][0]
    assert first["id"] == root.pk
    assert [r["id"] for r in first["replies"]] == ids[: selectors.REPLIES_SHOWN]
    assert first["reply_count"] == 5000
    assert first["replies_next"].endswith(
        f"/api/v1/comments/{root.pk}/replies/?after="
        + selectors.reply_cursor(Comment.objects.get(pk=ids[2]))
    )
    # Two levels below the root, and no further: the third level is a link.
    level_one = first["replies"][0]
    assert [r["body"] for r in level_one["replies"]] == ["Level two"]
    level_two = level_one["replies"][0]
    assert level_two["replies"] == [] and level_two["reply_count"] == 1
    assert f"/api/v1/comments/{deep.pk}/replies/" in level_two["replies_next"]
    assert len(page.content) < 20_000

    # Paging through the rest: every reply once, in order, none left out.
    seen = [r["id"] for r in first["replies"]]
    address = first["replies_next"] + "&page_size=100"
    pages = 0
    while address:
        answer = api.get(address)
        assert answer.status_code == 200, answer.content
        data = answer.json()
        assert data["parent"] == root.pk and data["reply_count"] == 5000
        seen += [r["id"] for r in data["results"]]
        address = data["next"]
        pages += 1
    assert seen == ids
    assert pages == 50


def test_reply_pages_cost_the_same_queries_at_the_start_and_the_end(
    api, topic, resident, django_assert_max_num_queries
):
    root = CommentFactory(topic=topic)
    ids = many_replies(root, 300, resident)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(address):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(address).status_code == 200
        return len(queries)

    first = count(f"/api/v1/comments/{root.pk}/replies/?page_size=10")
    last = selectors.reply_cursor(Comment.objects.get(pk=ids[-11]))
    assert count(f"/api/v1/comments/{root.pk}/replies/?page_size=10&after={last}") == first


def test_official_answers_come_first_and_the_cursor_passes_them(api, topic, planner, resident):
    root = CommentFactory(topic=topic)
    ids = many_replies(root, 5, resident)
    official = CommentFactory(topic=topic, parent=root, author=planner, is_official=True)
    first = api.get(f"/api/v1/comments/{root.pk}/replies/?page_size=2").json()
    assert [r["id"] for r in first["results"]] == [official.pk, ids[0]]
    rest = api.get(first["next"] + "&page_size=10").json()
    assert [r["id"] for r in rest["results"]] == ids[1:]
    assert rest["next"] is None


def test_a_bad_cursor_is_a_400_with_the_reason(api, topic):
    root = CommentFactory(topic=topic)
    answer = api.get(f"/api/v1/comments/{root.pk}/replies/?after=nonsense")
    assert answer.status_code == 400
    assert "after" in answer.json()


def test_replies_of_a_draft_consultations_comment_are_not_found(api, topic):
    from tests import factories

    draft = factories.TopicFactory(consultation=factories.ConsultationFactory(status="draft"))
    root = CommentFactory(topic=draft)
    assert api.get(f"/api/v1/comments/{root.pk}/replies/").status_code == 404


def test_first_page_query_count_does_not_grow_with_replies(api, topic, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    roots = [CommentFactory(topic=topic) for _ in range(3)]
    api.force_authenticate(resident)  # built for this person, not a kept anonymous answer

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v1/topics/{topic.pk}/comments/").status_code == 200
        return len(queries)

    for root in roots:
        many_replies(root, 2, resident)
    few = count()
    for root in roots:
        many_replies(root, 40, resident)
    assert count() == few


def test_anonymous_readers_get_a_kept_page_without_a_query_until_a_comment_changes_it(
    api, topic, resident, django_assert_num_queries
):
    from debate.services import comment_create

    root = CommentFactory(topic=topic, body="First")
    address = f"/api/v1/topics/{topic.pk}/comments/"
    first = api.get(address)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = api.get(address)
    assert again.json() == first.json()
    comment_create(author=resident, target=topic, body="A reply", parent=root)
    fresh = api.get(address).json()
    assert fresh["results"][0]["reply_count"] == 1
    assert fresh["results"][0]["replies"][0]["body"] == "A reply"
    # Signed in, the page is built for the reader (their own votes and edits).
    api.force_authenticate(resident)
    mine = api.get(address)
    assert mine.status_code == 200 and mine.json()["results"][0]["your_vote"] == 0


def test_a_kept_page_is_per_language(api, topic, settings):
    from civic.reasons import PublicReason

    CommentFactory(topic=topic, is_hidden=True, hidden_reason=PublicReason.OFF_TOPIC)
    address = f"/api/v1/topics/{topic.pk}/comments/"
    english = api.get(address, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    danish = api.get(address, HTTP_ACCEPT_LANGUAGE="da").json()["results"][0]
    assert english["hidden_reason"] != danish["hidden_reason"]
