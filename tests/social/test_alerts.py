"""Failure alerts: a post that fails or waits for a decision is told at once to the channel's
owners and the post's author, over real HTTP against the stand-in platform."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from civic.models import Notification
from social.models import PostState
from social.outbox import expire_stale, run_due
from tests import factories
from tests.social.factories import channel_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick(quick_outbox):
    """Short timeouts (conftest.quick_outbox)."""


@pytest.fixture
def people(mastodon_fake):
    owner = factories.AdministratorFactory(email="owner@kk.example")
    author = factories.PlannerFactory(email="author@kk.example")
    channel = channel_for(mastodon_fake, owners=[owner, author])
    return owner, author, channel


def _approved_by_author(channel, author):
    from social import services

    post = services.post_create(actor=author, channel=channel, text="Harbour baths: have your say")
    return services.post_approve(actor=factories.PlannerFactory(), post=post)


def test_a_refused_post_alerts_owners_and_author_once_each(mastodon_fake, people):
    owner, author, channel = people  # the author owns the channel too: told once
    post = _approved_by_author(channel, author)
    mastodon_fake.script("validation_error", method="POST", path="/api/v1/statuses")
    mail.outbox.clear()
    run_due()
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    notices = Notification.objects.filter(kind="social_failure")
    assert sorted(notice.recipient.email for notice in notices) == [
        "author@kk.example",
        "owner@kk.example",
    ]
    assert all(post.error[:40] in notice.body for notice in notices)
    assert all(f"#post-{post.pk}-title" in notice.url for notice in notices)
    assert sorted(m.to[0] for m in mail.outbox) == ["author@kk.example", "owner@kk.example"]
    assert "failed" in mail.outbox[0].subject


def test_a_post_past_its_deadline_asks_for_a_decision(mastodon_fake, people):
    owner, author, channel = people
    post = _approved_by_author(channel, author)
    mastodon_fake.script("server_error", method="POST", path="/api/v1/statuses", times=5)
    run_due(now=timezone.now() + timedelta(hours=7))
    post.refresh_from_db()
    assert post.state == PostState.NEEDS_CONFIRMATION
    notices = Notification.objects.filter(kind="social_failure")
    assert {notice.recipient for notice in notices} == {owner, author}
    assert all("needs your decision" in notice.subject for notice in notices)


def test_a_post_left_pending_too_long_asks_for_a_decision(mastodon_fake, people, settings):
    owner, author, channel = people
    post = _approved_by_author(channel, author)
    from social.models import OutboxEntry

    OutboxEntry.objects.filter(post=post).update(
        created_at=timezone.now() - timedelta(hours=settings.SOCIAL_OUTBOX_STALE_HOURS + 1),
        not_before=timezone.now() - timedelta(hours=settings.SOCIAL_OUTBOX_STALE_HOURS + 1),
    )
    assert expire_stale() == 1
    assert {n.recipient for n in Notification.objects.filter(kind="social_failure")} == {
        owner,
        author,
    }


def test_a_retry_that_is_not_yet_overdue_alerts_nobody(mastodon_fake, people):
    _, author, channel = people
    _approved_by_author(channel, author)
    mastodon_fake.script("server_error", method="POST", path="/api/v1/statuses", times=1)
    run_due()
    assert not Notification.objects.filter(kind="social_failure").exists()


def test_alerts_are_written_in_each_persons_language(mastodon_fake, mastodon_channel):
    danish = factories.PlannerFactory(language="da")
    norwegian = factories.AdministratorFactory(language="nb")
    mastodon_channel.owners.set([norwegian])
    post = _approved_by_author(mastodon_channel, danish)
    mastodon_fake.script("validation_error", method="POST", path="/api/v1/statuses")
    run_due()
    post.refresh_from_db()
    subjects = {
        n.recipient_id: n.subject for n in Notification.objects.filter(kind="social_failure")
    }
    assert subjects[danish.pk] != subjects[norwegian.pk]
    assert "mislykkedes" in subjects[danish.pk]
    assert "mislyktes" in subjects[norwegian.pk]
