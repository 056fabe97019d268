"""Editing an approved comment in a pre-moderated consultation (or with a word from the word
list) sends the edit to the moderation queue; everyone else keeps reading the approved text, the
author sees their edit with a note, planners decide it in the queue."""

import pytest
from django.urls import reverse

from debate import services
from debate.models import CommentRevision
from moderation import selectors as queue
from moderation import services as moderation
from tests import factories
from tests.clients import api_for

pytestmark = pytest.mark.django_db

APPROVED = "Build the tunnel under the harbour."
EDITED = "Build the tunnel with quokkastone."


@pytest.fixture
def consultation(db):
    return factories.ConsultationFactory(pre_moderation=True)


@pytest.fixture
def author(db):
    return factories.UserFactory()


@pytest.fixture
def comment(author, topic, planner):
    comment = services.comment_create(author=author, target=topic, body=APPROVED)
    return moderation.item_approve(actor=planner, target=comment)


def edit(author, comment):
    response = api_for(author).patch(
        f"/api/v1/comments/{comment.pk}/", {"body": EDITED}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def read_everywhere(client, comment, viewer=None) -> str:
    api = api_for(viewer)
    if viewer is not None:
        client.force_login(viewer)
    return "\n".join(
        [
            api.get(f"/api/v1/comments/{comment.pk}/").content.decode(),
            api.get(f"/api/v1/topics/{comment.topic_id}/comments/").content.decode(),
            client.get(comment.topic.get_absolute_url()).content.decode(),
        ]
    )


def test_others_keep_reading_the_approved_text(client, comment, author, planner):
    data = edit(author, comment)
    assert data["body"] == APPROVED and data["pending_edit"]["body"] == EDITED
    for viewer in (None, factories.UserFactory(), factories.CouncillorFactory()):
        seen = read_everywhere(client, comment, viewer)
        assert APPROVED in seen and "quokkastone" not in seen


def test_the_author_sees_the_edit_with_a_note(client, comment, author):
    edit(author, comment)
    seen = read_everywhere(client, comment, author)
    assert APPROVED in seen and "quokkastone" in seen
    assert "Your edit waits for a moderator" in seen
    page = client.get(reverse("debate:comment_edit", args=[comment.pk])).content.decode()
    assert "quokkastone" in page


def test_the_html_edit_says_the_edit_waits(client, comment, author):
    client.force_login(author)
    response = client.post(
        reverse("debate:comment_edit", args=[comment.pk]), {"body": EDITED}, follow=True
    )
    assert "once a moderator has approved it" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == APPROVED and comment.pending_body == EDITED


def test_approving_in_the_queue_publishes_the_edit(client, comment, author, planner):
    edit(author, comment)
    [item] = [i for i in queue.moderation_queue(viewer=planner) if i.key == f"comment:{comment.pk}"]
    assert item.is_edit and item.text == EDITED and item.approved_text == APPROVED
    moderation.item_approve(actor=planner, target=comment)
    seen = read_everywhere(client, comment)
    assert "quokkastone" in seen and APPROVED not in seen
    assert CommentRevision.objects.filter(comment=comment, body=APPROVED).exists()


def test_refusing_keeps_the_approved_text_and_tells_the_author(
    comment, author, planner, django_capture_on_commit_callbacks
):
    from django.core import mail

    edit(author, comment)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_reject(actor=planner, target=comment, public_reason="spam")
    comment.refresh_from_db()
    assert comment.body == APPROVED and not comment.has_pending_edit and comment.is_visible
    assert [message.to for message in mail.outbox] == [[author.email]]
    assert "the earlier version stays" in mail.outbox[0].body


def test_the_word_list_holds_an_edit_in_an_open_consultation(settings, author, planner):
    settings.MODERATION_WORD_LIST = ["idiot*"]
    topic = factories.TopicFactory(consultation=factories.ConsultationFactory())
    comment = services.comment_create(author=author, target=topic, body="Fine words")
    services.comment_edit(actor=author, comment=comment, body="Only idioter disagree")
    comment.refresh_from_db()
    assert comment.body == "Fine words" and comment.pending_body == "Only idioter disagree"
    services.comment_edit(actor=author, comment=comment, body="Calm words")
    comment.refresh_from_db()
    assert comment.body == "Calm words" and not comment.has_pending_edit


def test_a_planner_edits_their_own_comment_at_once(consultation, topic, planner):
    comment = services.comment_create(author=planner, target=topic, body="Official note")
    services.comment_edit(actor=planner, comment=comment, body="Corrected note")
    comment.refresh_from_db()
    assert comment.body == "Corrected note" and not comment.has_pending_edit


def test_deleting_drops_the_waiting_edit(comment, author):
    edit(author, comment)
    services.comment_delete(actor=author, comment=comment)
    comment.refresh_from_db()
    assert comment.pending_body == "" and not comment.has_pending_edit
