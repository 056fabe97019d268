"""The site's own debate in the comment inbox, beside the platforms' comments: the same filters,
answers written through the debate's service, response time for "this site", official answers
published on the consultation, and a query count that does not grow with the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from civic.models import AuditEntry
from debate import services as debate_services
from debate.models import Comment
from social import selectors
from social.models import ImportedComment, SiteCommentFollowUp
from tests import factories
from tests.social.factories import channel_for, published_post

pytestmark = pytest.mark.django_db
INBOX = reverse("social:inbox")


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(slug="harbour", title="Harbour baths")


@pytest.fixture
def topic(harbour):
    return factories.TopicFactory(consultation=harbour, title="The harbour bath")


@pytest.fixture
def planner(harbour):
    person = factories.PlannerFactory(display_name="Line", show_name_publicly=True)
    harbour.planners.add(person)
    return person


@pytest.fixture
def resident():
    return factories.UserFactory(
        display_name="Mette Hansen", show_name_publicly=True, email="mette@example.org"
    )


def _say(resident, topic, body="Will there be a lifeguard?", parent=None):
    return debate_services.comment_create(author=resident, target=topic, body=body, parent=parent)


def _act(client, comment, action, **data):
    return client.post(reverse("social:inbox_site_action", args=[comment.pk, action]), data)


def _imported(harbour, fake, text="Is it free?"):
    channel = channel_for(fake)
    post = published_post(channel, consultation=harbour)
    return ImportedComment.objects.create(
        post=post,
        platform=fake.platform,
        remote_id=f"r{ImportedComment.objects.count()}",
        author_name="mette_dk",
        text=text,
        created_at=timezone.now(),
    )


def test_site_comments_and_platform_comments_in_one_list_with_the_same_filters(
    client, mastodon_fake, harbour, topic, planner, resident
):
    question = _say(resident, topic)
    imported = _imported(harbour, mastodon_fake)
    client.force_login(planner)
    page = client.get(INBOX).content.decode()
    assert "Will there be a lifeguard?" in page and "Is it free?" in page
    assert f'id="site-{question.pk}"' in page and f'id="comment-{imported.pk}"' in page
    only_site = client.get(INBOX, {"channel": "site"}).content.decode()
    assert "Will there be a lifeguard?" in only_site and "Is it free?" not in only_site
    channel = imported.post.channel
    only_mastodon = client.get(INBOX, {"channel": channel.pk}).content.decode()
    assert "Is it free?" in only_mastodon and "Will there be a lifeguard?" not in only_mastodon
    other = factories.ConsultationFactory(slug="park", title="Park")
    only_other = client.get(INBOX, {"consultation": other.slug}).content.decode()
    assert "Will there be a lifeguard?" not in only_other


def test_answering_a_site_comment_writes_a_staff_reply_in_the_debate(
    client, harbour, topic, planner, resident
):
    question = _say(resident, topic)
    client.force_login(planner)
    response = _act(client, question, "reply", text="Yes, every day from 10 to 18.")
    assert response.status_code == 302 and response.url.endswith(f"#site-{question.pk}")
    reply = Comment.objects.get(parent=question)
    assert reply.author == planner and reply.body == "Yes, every day from 10 to 18."
    # The debate's own service wrote it: the resident is told as for any reply.
    assert resident.notifications.filter(kind="comment_reply").exists()
    assert (
        "Will there be a lifeguard?" not in client.get(INBOX, {"unanswered": "on"}).content.decode()
    )
    page = client.get(INBOX).content.decode()
    assert "Yes, every day from 10 to 18." in page


def test_a_residents_reply_does_not_answer_and_marking_does(
    client, harbour, topic, planner, resident
):
    question = _say(resident, topic)
    _say(factories.UserFactory(), topic, "Good question!", parent=question)
    client.force_login(planner)
    waiting = client.get(INBOX, {"unanswered": "on"}).content.decode()
    assert "Will there be a lifeguard?" in waiting and "Good question!" in waiting
    _act(client, question, "answered")
    follow_up = SiteCommentFollowUp.objects.get(comment=question)
    assert follow_up.answered_by == planner
    assert AuditEntry.objects.filter(action="social.site_comment_answered").exists()
    assert (
        "Will there be a lifeguard?" not in client.get(INBOX, {"unanswered": "on"}).content.decode()
    )


def test_assign_a_site_comment_to_a_colleague(client, harbour, topic, planner, resident):
    colleague = factories.PlannerFactory(display_name="Bo", show_name_publicly=True)
    harbour.planners.add(colleague)
    question = _say(resident, topic)
    client.force_login(planner)
    _act(client, question, "assign", assigned_to=str(colleague.pk))
    assert SiteCommentFollowUp.objects.get(comment=question).assigned_to == colleague
    assert colleague.notifications.filter(kind="social_inbox").exists()
    client.force_login(colleague)
    assert "Will there be a lifeguard?" in client.get(INBOX, {"mine": "on"}).content.decode()
    client.force_login(planner)
    assert "Will there be a lifeguard?" not in client.get(INBOX, {"mine": "on"}).content.decode()


def test_hidden_deleted_and_waiting_site_comments_stay_out(
    client, harbour, topic, planner, resident
):
    hidden = _say(resident, topic, "Hidden by a moderator")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    deleted = _say(resident, topic, "Deleted by its author")
    debate_services.comment_delete(actor=resident, comment=deleted)
    waiting = _say(resident, topic, "Waiting for approval")
    Comment.objects.filter(pk=waiting.pk).update(publication="pending_moderation")
    _say(planner, topic, "The planner's own comment")
    client.force_login(planner)
    page = client.get(INBOX).content.decode()
    for text in (
        "Hidden by a moderator",
        "Deleted by its author",
        "Waiting for approval",
        "The planner&#x27;s own comment",
    ):
        assert text not in page
    # Nor can anyone act on them through the inbox's address.
    assert _act(client, waiting, "answered").status_code == 404


def test_only_planners_of_the_consultation_see_and_answer_site_comments(
    client, harbour, topic, planner, resident
):
    question = _say(resident, topic)
    outsider = factories.PlannerFactory(limited_to_assigned=True)
    client.force_login(outsider)
    assert "Will there be a lifeguard?" not in client.get(INBOX).content.decode()
    assert _act(client, question, "reply", text="Hi").status_code == 403
    client.force_login(resident)
    assert _act(client, question, "answered").status_code == 403
    assert not Comment.objects.filter(parent=question).exists()
    client.force_login(planner)
    assert _act(client, question, "explode").status_code == 400


def test_a_closed_debate_refuses_the_reply_and_keeps_the_text(
    client, harbour, topic, planner, resident
):
    question = _say(resident, topic)
    harbour.status = "closed"
    harbour.save(update_fields=["status"])
    client.force_login(planner)
    response = _act(client, question, "reply", text="We will tell you soon.")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("closed" in m for m in messages)
    assert ">We will tell you soon.</textarea>" in client.get(response.url).content.decode()


def test_response_time_includes_this_site(harbour, topic, planner, resident):
    answered = _say(resident, topic, "Answered?")
    waiting = _say(resident, topic, "Waiting?")
    reply = _say(planner, topic, "Yes.", parent=answered)
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Comment.objects.filter(pk__in=[answered.pk, waiting.pk]).update(created_at=two_hours_ago)
    Comment.objects.filter(pk=reply.pk).update(created_at=two_hours_ago + timedelta(hours=1))
    rows = selectors.response_times(planner)
    (site,) = [row for row in rows if str(row["channel"]) == "This site"]
    assert site["answered"] == 1 and site["open"] == 1 and site["median_hours"] == 1.0
    assert site["median_minutes"] is None
    # Answered within the hour, the figure reads in minutes.
    Comment.objects.filter(pk=reply.pk).update(created_at=two_hours_ago + timedelta(minutes=20))
    (site,) = [
        row for row in selectors.response_times(planner) if str(row["channel"]) == "This site"
    ]
    assert site["median_minutes"] == 20


def test_publish_a_platform_answer_as_official_once_without_the_writers_name(
    client, mastodon_fake, harbour, topic, planner
):
    imported = _imported(harbour, mastodon_fake)
    client.force_login(planner)
    url = reverse("social:inbox_action", args=[imported.pk, "official"])
    refused = client.post(url, {"text": "> Is it free?\n\nYes."})
    assert any("Answer the comment first" in str(m) for m in refused.wsgi_request._messages)
    assert not Comment.objects.filter(is_official=True).exists()
    ImportedComment.objects.filter(pk=imported.pk).update(
        answered_at=timezone.now(), answered_by=planner, answer_text="Yes, it is free."
    )
    # The refused text is offered again once.
    assert "&gt; Is it free?\n\nYes.</textarea>" in client.get(INBOX).content.decode()
    page = client.get(INBOX).content.decode()
    # The text offered quotes the question and the answer, and not who wrote it.
    assert "&gt; Is it free?\n\nYes, it is free.</textarea>" in page
    client.post(url, {"text": "> Is it free?\n\nYes, it is free for everyone."})
    client.post(url, {"text": "> Is it free?\n\nAgain."})
    (official,) = Comment.objects.filter(is_official=True)
    assert official.topic == topic and official.author == planner
    assert official.official_marked_by == planner
    assert "Yes, it is free for everyone." in official.body and "mette_dk" not in official.body
    imported.refresh_from_db()
    assert imported.official_answer == official
    assert AuditEntry.objects.filter(action="social.answer_published_official").count() == 1
    page = client.get(INBOX).content.decode()
    assert f"#comment-{official.pk}" in page and "Published as an official answer" in page
    # Everyone sees it on the consultation's debate, also without an account.
    client.logout()
    topic_page = client.get(topic.get_absolute_url()).content.decode()
    assert "Yes, it is free for everyone." in topic_page
    consultation_page = client.get(harbour.get_absolute_url()).content.decode()
    assert "Answers from the municipality" in consultation_page
    assert "Yes, it is free for everyone." in consultation_page
    assert f"#comment-{official.pk}" in consultation_page
    # Taken back in the debate, it leaves the consultation page too.
    debate_services.comment_mark_official(actor=planner, comment=official, official=False)
    assert (
        "Yes, it is free for everyone."
        not in client.get(harbour.get_absolute_url()).content.decode()
    )


def test_publish_a_site_answer_as_official(client, harbour, topic, planner, resident):
    question = _say(resident, topic)
    client.force_login(planner)
    _act(client, question, "reply", text="Yes, every day.")
    page = client.get(INBOX).content.decode()
    assert "Publish as official answer" in page
    _act(client, question, "official", text="> Will there be a lifeguard?\n\nYes, every day.")
    official = Comment.objects.get(is_official=True)
    assert official.parent is None and official.topic == topic
    assert "Mette" not in official.body and "mette@example.org" not in official.body
    assert SiteCommentFollowUp.objects.get(comment=question).official_answer == official
    _act(client, question, "official", text="Once more")
    assert Comment.objects.filter(is_official=True).count() == 1


def test_no_topic_to_publish_in_is_said(client, mastodon_fake, harbour, planner):
    imported = _imported(harbour, mastodon_fake)
    ImportedComment.objects.filter(pk=imported.pk).update(answered_at=timezone.now())
    client.force_login(planner)
    url = reverse("social:inbox_action", args=[imported.pk, "official"])
    response = client.post(url, {"text": "Yes."})
    assert any("no debate topic" in str(m) for m in response.wsgi_request._messages)
    assert ">Yes.</textarea>" in client.get(response.url).content.decode()


def test_the_inbox_costs_the_same_queries_for_2_and_20_items_of_both_sources(
    client, mastodon_fake, harbour, topic, planner, django_assert_num_queries
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
                answered_at=timezone.now() if i % 3 else None,
                answered_by=planner if i % 3 else None,
            )
            question = _say(factories.UserFactory(), topic, f"Question {i}")
            if i % 2:
                _say(planner, topic, "Answer", parent=question)
            if i % 3:
                SiteCommentFollowUp.objects.create(
                    comment=question, assigned_to=planner, answered_at=timezone.now()
                )

    add(1)
    client.force_login(planner)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    add(9)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(INBOX)
    # 10 from the platform, 10 residents' questions; the planner's 5 answers are not listed.
    assert page.context["page"].paginator.count == 20


def test_the_inbox_pages_through_both_sources_in_time_order(
    client, mastodon_fake, harbour, topic, planner, settings
):
    from social import views

    imported = _imported(harbour, mastodon_fake, "Older platform comment")
    ImportedComment.objects.filter(pk=imported.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    question = _say(factories.UserFactory(), topic, "Newer site comment")
    client.force_login(planner)
    original = views.INBOX_PAGE_SIZE
    views.INBOX_PAGE_SIZE = 1
    try:
        first = client.get(INBOX).content.decode()
        second = client.get(INBOX, {"page": 2}).content.decode()
    finally:
        views.INBOX_PAGE_SIZE = original
    assert f'id="site-{question.pk}"' in first and "Older platform comment" not in first
    assert "Older platform comment" in second and "Newer site comment" not in second


def test_the_inbox_speaks_danish_and_norwegian(client, harbour, topic, planner, resident):
    _say(resident, topic)
    client.force_login(planner)
    for language, words in (("da", "Denne side"), ("nb", "Dette nettstedet")):
        with translation.override(language):
            page = client.get(INBOX, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert words in page
