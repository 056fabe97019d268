"""The four-eyes desk: a draft waits for a second planner, who is told, approves or sends it back
with a note; the author is told and sends it again. Pages and header count as each person."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from civic.models import AuditEntry, Notification
from social import services
from social.models import PostState, SocialPost
from tests import factories
from tests.social.factories import channel_for, draft

APPROVALS = reverse("social:approvals")

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(mastodon_fake):
    return channel_for(mastodon_fake)


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(title="Harbour baths")


@pytest.fixture
def author(harbour):
    person = factories.PlannerFactory(display_name="Anna", show_name_publicly=True)
    harbour.planners.add(person)
    return person


@pytest.fixture
def second(harbour):
    person = factories.PlannerFactory(display_name="Bo", show_name_publicly=True)
    harbour.planners.add(person)
    return person


def _send_back(client, post, note):
    return client.post(
        reverse("social:post_action", args=[post.pk, "send-back"]),
        {"note": note, "back": "approvals"},
    )


def test_a_draft_tells_the_other_assigned_planners_not_the_author_nor_others(
    channel, harbour, author, second, django_capture_on_commit_callbacks
):
    bystander = factories.PlannerFactory()  # runs other consultations; none assigned here
    with django_capture_on_commit_callbacks(execute=True):
        draft(channel, consultation=harbour, author=author, text="Come to the harbour bath meeting")
    notices = Notification.objects.filter(kind="social_approval")
    assert [notice.recipient for notice in notices] == [second]
    assert "Come to the harbour bath meeting" in notices.get().body
    assert notices.get().url.endswith(APPROVALS)
    assert not Notification.objects.filter(recipient__in=[author, bystander]).exists()
    assert [message.to for message in mail.outbox] == [[second.email]]


def test_second_planner_sees_the_queue_and_header_count_the_author_does_not(
    client, channel, harbour, author, second
):
    post = draft(channel, consultation=harbour, author=author, text="Harbour bath: have your say")
    client.force_login(second)
    page = client.get(APPROVALS).content.decode()
    assert "Harbour bath: have your say" in page
    assert "Waiting for my approval (1)" in page
    assert '<span class="badge badge-count">1' in page
    client.force_login(author)
    page = client.get(APPROVALS).content.decode()
    assert "Nothing waits for your approval." in page
    assert post.text not in page.split('id="sent-back"')[0]


def test_send_back_with_a_note_reaches_the_author_who_sends_it_again(
    client, channel, harbour, author, second, django_capture_on_commit_callbacks
):
    post = draft(channel, consultation=harbour, author=author, text="Harbour bath: hav your say")
    mail.outbox.clear()
    client.force_login(second)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send_back(client, post, "Typo: “hav” should be “have”.")
    assert response.status_code == 302 and response.url == APPROVALS
    post.refresh_from_db()
    assert post.state == PostState.DRAFT
    assert post.sent_back_by == second
    assert AuditEntry.objects.filter(
        action="social.post_sent_back", reason__contains="Typo"
    ).exists()
    notice = Notification.objects.get(recipient=author, kind="social_approval")
    assert "Typo" in notice.body and "Bo" in notice.body
    assert [message.to for message in mail.outbox] == [[author.email]]

    client.force_login(author)
    page = client.get(APPROVALS).content.decode()
    assert "Bo sent it back" in page and "Typo" in page
    composer = client.get(reverse("social:composer", args=[harbour.slug])).content.decode()
    assert "Typo" in composer

    # The author corrects it: it waits again, and the planner who sent it back is told.
    Notification.objects.all().delete()
    services.post_update(actor=author, post=post, text="Harbour bath: have your say")
    post.refresh_from_db()
    assert post.state == PostState.AWAITING_APPROVAL
    assert post.sent_back_note == ""
    assert [notice.recipient for notice in Notification.objects.all()] == [second]
    client.force_login(second)
    client.post(reverse("social:post_action", args=[post.pk, "approve"]), {"back": "approvals"})
    post.refresh_from_db()
    assert post.state in {PostState.APPROVED, PostState.SCHEDULED}


def test_send_back_needs_a_note_and_another_planner(client, channel, harbour, author, second):
    post = draft(channel, consultation=harbour, author=author)
    client.force_login(second)
    _send_back(client, post, "   ")
    post.refresh_from_db()
    assert post.state == PostState.AWAITING_APPROVAL
    page = client.get(APPROVALS).content.decode()
    assert "Tell the author what to change." in page

    client.force_login(author)
    response = _send_back(client, post, "I changed my mind")
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.state == PostState.AWAITING_APPROVAL

    outsider = factories.PlannerFactory(limited_to_assigned=True)
    client.force_login(outsider)
    assert _send_back(client, post, "Not mine to judge").status_code == 403
    assert client.get(APPROVALS).status_code == 200
    assert post.text not in client.get(APPROVALS).content.decode()

    client.force_login(factories.UserFactory())
    assert client.get(APPROVALS).status_code == 403
    client.logout()
    assert client.get(APPROVALS).status_code == 302


def test_the_queue_and_header_cost_the_same_queries_for_2_and_12_posts(
    client, channel, harbour, author, second, django_assert_num_queries
):
    for number in range(2):
        draft(channel, consultation=harbour, author=author, text=f"Post {number}")
    client.force_login(second)
    client.get(APPROVALS)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(APPROVALS)
    for number in range(10):
        draft(
            channel, consultation=harbour, author=factories.PlannerFactory(), text=f"More {number}"
        )
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(APPROVALS).content.decode()
    assert "Waiting for my approval (12)" in page
    assert SocialPost.objects.count() == 12


def test_residents_pages_do_not_count_approvals(client, django_assert_max_num_queries):
    resident = factories.UserFactory()
    client.force_login(resident)
    page = client.get(reverse("civic:notifications")).content.decode()
    assert reverse("social:approvals") not in page


# --- Drafts made from consultation events ---------------------------------------------------------
@pytest.fixture
def five_channels(facebook_fake, instagram_fake, x_fake, mastodon_fake, bluesky_fake):
    fakes = (facebook_fake, instagram_fake, x_fake, mastodon_fake, bluesky_fake)
    return [channel_for(fake) for fake in fakes]


def test_event_drafts_tell_the_approvers_once_per_run_naming_the_count(
    five_channels, harbour, author, second, django_capture_on_commit_callbacks
):
    """The weekly digest drafts one post per channel at once: one notice, not a flood."""
    from datetime import timedelta

    from django.utils import timezone

    from social.models import Origin

    bystander = factories.PlannerFactory()
    Notification.objects.all().delete()
    mail.outbox.clear()
    factories.IdeaFactory(consultation=harbour, title="Sauna", support_count=4)
    monday = timezone.now() - timedelta(days=timezone.now().weekday())
    with django_capture_on_commit_callbacks(execute=True):
        created = services.event_posts_draft_due(now=monday)
    mine = [post for post in created if post.consultation_id == harbour.pk]
    assert {post.origin for post in mine} == {Origin.OPENED, Origin.WEEKLY}
    assert len(mine) == 10
    # Both planners of the consultation may approve event drafts (nobody wrote them), each
    # is told once; the planner of other consultations is not.
    notices = Notification.objects.filter(kind="social_approval")
    assert sorted(notice.recipient.pk for notice in notices) == sorted([author.pk, second.pk])
    notice = notices.get(recipient=second)
    assert notice.subject == "10 social media posts wait for your approval"
    assert "Harbour baths" in notice.body and "Fake bluesky" in notice.body
    assert notice.url.endswith(APPROVALS)
    assert not Notification.objects.filter(recipient=bystander).exists()
    assert sorted(message.to[0] for message in mail.outbox) == sorted([author.email, second.email])

    # Nothing new drafted: nobody is told again.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.event_posts_draft_due(now=monday) == []
    assert notices.count() == 2


def test_one_event_drafted_on_its_own_tells_the_approvers_too(
    five_channels, harbour, second, django_capture_on_commit_callbacks
):
    from social.models import Origin

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        posts = services.event_post_draft(
            consultation=harbour, origin=Origin.RESULTS, origin_key="results"
        )
    assert len(posts) == 5
    notice = Notification.objects.get(recipient=second, kind="social_approval")
    assert notice.subject == "5 social media posts wait for your approval"


def test_a_single_event_draft_is_named_in_the_singular_in_the_approvers_language(
    harbour, second, mastodon_fake
):
    from social.models import Origin

    channel_for(mastodon_fake)
    second.language = "da"
    second.save(update_fields=["language"])
    Notification.objects.all().delete()
    services.event_post_draft(consultation=harbour, origin=Origin.OPENED, origin_key="opened")
    notice = Notification.objects.get(recipient=second, kind="social_approval")
    assert notice.subject == "Ét opslag til sociale medier venter på din godkendelse"
