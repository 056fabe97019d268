"""Channels pointed at the local fakes, and posts in each state."""

from __future__ import annotations

from django.utils import timezone

from civic.changes import Change, changed
from social import services
from social.models import Channel, OutboxEntry, PostState, SocialPost
from tests import factories


def channel_for(fake, *, owners=(), **fields) -> Channel:
    """A channel talking to a running fake (stored directly: no verification round trip)."""
    channel = Channel(
        platform=fake.platform,
        name=fields.pop("name", f"Fake {fake.platform}"),
        base_url=fake.base_url,
        **fields,
    )
    channel.credentials = fake.credentials()
    channel.save()
    if owners:
        channel.owners.set(owners)
    return channel


def draft(channel, *, consultation=None, text="Christiansholm: fortæl os din idé", author=None):
    author = author or factories.PlannerFactory()
    return services.post_create(actor=author, channel=channel, text=text, consultation=consultation)


def approved(channel, *, consultation=None, text="Christiansholm: fortæl os din idé"):
    """A post approved by a second planner, its outbox entry due now."""
    post = draft(channel, consultation=consultation, text=text)
    return services.post_approve(actor=factories.PlannerFactory(), post=post)


def entry_of(post: SocialPost) -> OutboxEntry:
    return OutboxEntry.objects.get(post=post)


def published_post(channel, *, consultation=None, remote_id="1", url="https://example/1"):
    """A post published on its platform, written straight to the database (and announced, as
    the outbox does)."""
    if consultation is not None:
        changed(consultation.pk, Change.SOCIAL_POST)
    return SocialPost.objects.create(
        channel=channel,
        consultation=consultation,
        text="Published",
        state=PostState.PUBLISHED,
        remote_id=remote_id,
        remote_url=url,
        published_at=timezone.now(),
    )
