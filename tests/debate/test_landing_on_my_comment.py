"""After posting, a person lands where their comment is visible: its thread first, marked as
theirs, whatever the sort and however many threads come before it."""

import re

import pytest
from django.urls import reverse

from debate.models import Comment
from tests import factories

from .factories import CommentFactory

pytestmark = pytest.mark.django_db

BODY = "The tunnel portal should not face the school"


def _busy_topic(topic, n=45):
    """More threads than a page holds, each better voted than a new comment."""
    for each in range(n):
        CommentFactory(topic=topic, upvotes=5 + each, score=5 + each)
    return topic


def _thread_ids(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'<li class="thread"><article class="[^"]*" id="comment-(\d+)"', html)
    ]


def test_a_new_comment_is_first_and_marked_after_posting(client, resident, topic):
    _busy_topic(topic)
    client.force_login(resident)
    response = client.post(
        reverse("debate:topic_comment", args=[topic.pk]), {"body": BODY, "stance": "for"}
    )
    mine = Comment.objects.get(body=BODY)
    assert response["Location"].endswith(f"?comment={mine.pk}#comment-{mine.pk}")
    page = client.get(response["Location"]).content.decode()
    assert _thread_ids(page)[0] == mine.pk
    assert BODY in page and 'class="badge badge-yours">Your comment<' in page
    assert "Your comment has been published." in page


def test_the_next_pages_neither_repeat_nor_skip_a_thread(client, resident, topic):
    _busy_topic(topic)
    client.force_login(resident)
    client.post(reverse("debate:topic_comment", args=[topic.pk]), {"body": BODY, "stance": "for"})
    mine = Comment.objects.get(body=BODY)
    url = topic.get_absolute_url()
    seen = []
    for number in (1, 2, 3):
        seen += _thread_ids(client.get(f"{url}?comment={mine.pk}&page={number}").content.decode())
    assert sorted(seen) == sorted(Comment.objects.filter(topic=topic).values_list("pk", flat=True))


def test_a_reply_to_a_thread_on_a_later_page_brings_the_thread_up(client, resident, topic):
    _busy_topic(topic)
    last = Comment.objects.filter(topic=topic).order_by("score").first()  # on the last page
    client.force_login(resident)
    response = client.post(
        reverse("debate:topic_comment", args=[topic.pk]), {"body": BODY, "parent": last.pk}
    )
    reply = Comment.objects.get(body=BODY)
    page = client.get(response["Location"]).content.decode()
    assert _thread_ids(page)[0] == last.pk
    assert f'id="comment-{reply.pk}"' in page and "badge-yours" in page


def test_on_an_idea_page_too(client, resident, consultation):
    idea = factories.IdeaFactory(consultation=consultation)
    for each in range(25):
        CommentFactory(topic=None, idea=idea, consultation=consultation, score=10 + each)
    client.force_login(resident)
    response = client.post(reverse("debate:idea_comment", args=[idea.pk]), {"body": BODY})
    mine = Comment.objects.get(body=BODY)
    page = client.get(response["Location"]).content.decode()
    assert _thread_ids(page)[0] == mine.pk and "badge-yours" in page


def test_someone_elses_view_of_a_linked_comment_is_not_called_theirs(client, topic):
    _busy_topic(topic, n=5)
    linked = Comment.objects.filter(topic=topic).order_by("score").first()
    page = client.get(f"{topic.get_absolute_url()}?comment={linked.pk}").content.decode()
    assert _thread_ids(page)[0] == linked.pk and "badge-yours" not in page


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "0"])
def test_a_bad_comment_parameter_is_ignored(client, topic, value):
    _busy_topic(topic, n=3)
    response = client.get(f"{topic.get_absolute_url()}?comment={value}")
    assert response.status_code == 200 and len(_thread_ids(response.content.decode())) == 3


def test_a_comment_of_another_topic_is_not_pulled_in(client, consultation, topic):
    _busy_topic(topic, n=3)
    elsewhere = CommentFactory(topic=factories.TopicFactory(consultation=consultation))
    page = client.get(f"{topic.get_absolute_url()}?comment={elsewhere.pk}").content.decode()
    assert elsewhere.pk not in _thread_ids(page) and len(_thread_ids(page)) == 3


def test_focus_costs_the_same_queries_however_many_threads(client, resident, topic):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(resident)
    mine = CommentFactory(topic=topic, author=resident)

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(f"{topic.get_absolute_url()}?comment={mine.pk}")
        return len(queries)

    small = count()
    _busy_topic(topic, n=60)
    assert count() == small
