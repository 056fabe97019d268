"""The comment inbox: every channel's public comments in one list, answered on the platform
(over real HTTP against the stand-ins), given to a colleague, marked answered, with the response
time per channel; filters, permissions and a fixed query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from civic.models import AuditEntry, Notification
from social import services
from social.adapters import OutgoingPost
from social.models import ImportedComment
from social.readback import import_comments
from tests import factories
from tests.social.factories import channel_for, published_post

pytestmark = pytest.mark.django_db
INBOX = reverse("social:inbox")


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(slug="harbour", title="Harbour baths")


@pytest.fixture
def planner(harbour):
    person = factories.PlannerFactory(display_name="Line", show_name_publicly=True)
    harbour.planners.add(person)
    return person


def _comment_on(fake, channel, consultation, text="When does the bath open?"):
    with services.adapter_for(channel) as adapter:
        result = adapter.publish(OutgoingPost(text="Harbour baths: have your say"), "k")
    post = published_post(channel, consultation=consultation, remote_id=result.remote_id)
    fake.reply(result.remote_id, text, author="mette")
    import_comments([post.pk])
    return ImportedComment.objects.get(post=post, text__contains=text[:10])


def _act(client, comment, action, **data):
    return client.post(reverse("social:inbox_action", args=[comment.pk, action]), data)


def test_answer_on_mastodon_from_the_inbox_is_threaded_and_not_read_back(
    client, mastodon_fake, harbour, planner
):
    channel = channel_for(mastodon_fake)
    comment = _comment_on(mastodon_fake, channel, harbour)
    client.force_login(planner)
    assert "When does the bath open?" in client.get(INBOX).content.decode()
    response = _act(client, comment, "reply", text="On 1 June, from 7 o'clock.")
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.answered_by == planner and comment.answer_remote_id
    status = mastodon_fake.statuses[comment.answer_remote_id]
    assert status.in_reply_to_id == comment.remote_id
    assert "From 7" in status.text or "from 7" in status.text
    assert AuditEntry.objects.filter(action="social.comment_replied").exists()
    # Reading the replies again does not take our own answer for a resident's comment.
    import_comments([comment.post_id])
    assert ImportedComment.objects.filter(post=comment.post).count() == 1
    page = client.get(INBOX, {"unanswered": "on"}).content.decode()
    assert "When does the bath open?" not in page


def test_answer_on_facebook_from_the_inbox(client, facebook_fake, harbour, planner):
    channel = channel_for(facebook_fake)
    comment = _comment_on(facebook_fake, channel, harbour, "Er der livredder?")
    client.force_login(planner)
    _act(client, comment, "reply", text="Ja, hele sommeren.")
    comment.refresh_from_db()
    assert comment.answered_at is not None
    replies = [
        c
        for p in facebook_fake.posts.values()
        for c in p.comments
        if c["parent"] == comment.remote_id
    ]
    assert [reply["message"] for reply in replies] == ["Ja, hele sommeren."]


def test_a_comment_gone_from_the_platform_says_so_and_nothing_is_marked(
    client, bluesky_fake, harbour, planner
):
    channel = channel_for(bluesky_fake)
    post = published_post(channel, consultation=harbour, remote_id="at://x/1")
    comment = ImportedComment.objects.create(
        post=post, platform="bluesky", remote_id="at://y/2", author_name="a", text="Hi"
    )
    client.force_login(planner)
    response = _act(client, comment, "reply", text="Hello")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("no longer on Bluesky" in m for m in messages)
    comment.refresh_from_db()
    assert comment.answered_at is None
    _act(client, comment, "answered")
    comment.refresh_from_db()
    assert comment.answered_by == planner


def test_assign_tells_the_colleague_and_filters(client, mastodon_fake, harbour, planner):
    colleague = factories.PlannerFactory(display_name="Bo", show_name_publicly=True)
    harbour.planners.add(colleague)
    channel = channel_for(mastodon_fake)
    comment = _comment_on(mastodon_fake, channel, harbour)
    client.force_login(planner)
    _act(client, comment, "assign", assigned_to=str(colleague.pk), query="unanswered=on")
    comment.refresh_from_db()
    assert comment.assigned_to == colleague
    notice = Notification.objects.get(recipient=colleague, kind="social_inbox")
    assert "When does the bath open?" in notice.body
    client.force_login(colleague)
    assert "When does the bath open?" in client.get(INBOX, {"mine": "on"}).content.decode()
    # Somebody who does not run the consultation cannot be given it.
    outsider = factories.PlannerFactory(limited_to_assigned=True)
    client.force_login(planner)
    _act(client, comment, "assign", assigned_to=str(outsider.pk))
    comment.refresh_from_db()
    assert comment.assigned_to == colleague


def test_response_time_per_channel(mastodon_fake, harbour, planner):
    from social import selectors

    channel = channel_for(mastodon_fake)
    post = published_post(channel, consultation=harbour)
    now = timezone.now()
    for hours, answered in ((2, True), (4, True), (1, False)):
        ImportedComment.objects.create(
            post=post,
            platform="mastodon",
            remote_id=f"c{hours}",
            author_name="a",
            text="?",
            created_at=now - timedelta(hours=hours),
            answered_at=now if answered else None,
        )
    (row,) = selectors.response_times(planner)
    assert row["answered"] == 2 and row["open"] == 1 and row["median_hours"] == 3.0


def test_only_planners_of_the_consultation_see_and_act(client, mastodon_fake, harbour, planner):
    channel = channel_for(mastodon_fake)
    comment = _comment_on(mastodon_fake, channel, harbour)
    outsider = factories.PlannerFactory(limited_to_assigned=True)
    client.force_login(outsider)
    assert "When does the bath open?" not in client.get(INBOX).content.decode()
    _act(client, comment, "answered")
    comment.refresh_from_db()
    assert comment.answered_at is None
    client.force_login(factories.UserFactory())
    assert client.get(INBOX).status_code == 403
    assert _act(client, comment, "answered").status_code == 403
    client.force_login(planner)
    assert client.get(INBOX, {"channel": "nonsense"}).status_code == 400
    assert _act(client, comment, "explode").status_code == 400


def test_the_inbox_costs_the_same_queries_for_2_and_20_comments(
    client, mastodon_fake, harbour, planner, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    channel = channel_for(mastodon_fake)
    post = published_post(channel, consultation=harbour)

    def add(n):
        for i in range(n):
            ImportedComment.objects.create(
                post=post,
                platform="mastodon",
                remote_id=f"r{ImportedComment.objects.count()}",
                author_name=f"a{i}",
                text="?",
                assigned_to=planner if i % 2 else None,
                answered_by=planner if i % 3 else None,
                answered_at=timezone.now() if i % 3 else None,
            )

    add(2)
    client.force_login(planner)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    add(18)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(INBOX)


def test_response_time_counts_the_recent_window_only(mastodon_fake, harbour, planner):
    from social import selectors

    channel = channel_for(mastodon_fake)
    post = published_post(channel, consultation=harbour)
    old = ImportedComment.objects.create(
        post=post, platform="mastodon", remote_id="old", author_name="a", text="?"
    )
    ImportedComment.objects.filter(pk=old.pk).update(
        imported_at=timezone.now() - timedelta(days=selectors.RESPONSE_WINDOW_DAYS + 1)
    )
    assert selectors.response_times(planner) == []
    ImportedComment.objects.create(
        post=post, platform="mastodon", remote_id="new", author_name="a", text="?"
    )
    (row,) = selectors.response_times(planner)
    assert row["open"] == 1 and row["answered"] == 0 and row["median_hours"] is None
