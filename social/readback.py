"""Reading engagement and public comments back from the platforms."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civic import tenancy
from civic.changes import Change, changed
from civic.external_urls import safe_url
from social import services, tokens
from social.adapters import AdapterError, AuthExpired, NotFound
from social.models import ChannelState, ImportedComment, PostState, SocialPost

logger = logging.getLogger(__name__)

METRIC_NAMES = ("reach", "views", "reactions", "comments", "shares")
# Engagement settles within weeks; older posts are not asked again.
READ_BACK_DAYS = 60


def _readable_posts(post_ids=None):
    posts = SocialPost.objects.filter(
        state=PostState.PUBLISHED,
        channel__state=ChannelState.OK,
        channel__is_removed=False,
        published_at__gte=timezone.now() - timedelta(days=READ_BACK_DAYS),
    ).select_related("channel")
    if post_ids is not None:
        posts = posts.filter(pk__in=post_ids)
    return posts.exclude(remote_id="")


def metrics_dict(metrics) -> dict:
    """The five normalised figures; None stays None ("not available"), never 0."""
    values = asdict(metrics)
    return {name: values.get(name) for name in METRIC_NAMES}


def refresh_metrics(post_ids=None) -> int:
    """Store each published post's current engagement; return how many were updated."""
    updated = 0
    # One channel object per channel, so a token renewed for one post serves the next ones.
    channels: dict[int, object] = {}
    for post in _readable_posts(post_ids):
        # Notices (a channel to re-authorise) and links are its municipality's.
        with tenancy.activate_for(post.channel):
            try:
                metrics = tokens.call_with_refresh(
                    channels.setdefault(post.channel_id, post.channel),
                    lambda adapter, remote_id=post.remote_id: adapter.fetch_metrics(remote_id),
                )
            except AuthExpired as exc:
                services.channel_mark_needs_reauth(channel=post.channel, reason=str(exc))
                continue
            except NotFound:
                # Gone on the platform (or never there): keep the last figures rather than guess.
                logger.warning("social: post %s is not on %s", post.pk, post.channel.platform)
                continue
            except AdapterError as exc:
                logger.warning("social: metrics of post %s not read: %s", post.pk, exc)
                continue
            SocialPost.objects.filter(pk=post.pk).update(
                metrics=metrics_dict(metrics), metrics_fetched_at=timezone.now()
            )
            updated += 1
    return updated


def import_comments(post_ids=None) -> int:
    """Import new public replies to published posts; return how many were new."""
    imported = 0
    channels: dict[int, object] = {}
    for post in _readable_posts(post_ids):
        # Notices (a channel to re-authorise) and links are its municipality's.
        with tenancy.activate_for(post.channel):
            started = timezone.now()
            try:
                # Overlap a little: a comment posted during the last read may carry its time.
                since = (
                    post.comments_fetched_at - timedelta(minutes=5)
                    if post.comments_fetched_at
                    else None
                )
                remote = tokens.call_with_refresh(
                    channels.setdefault(post.channel_id, post.channel),
                    lambda adapter, remote_id=post.remote_id, since=since: adapter.fetch_comments(
                        remote_id, since=since
                    ),
                )
            except AuthExpired as exc:
                services.channel_mark_needs_reauth(channel=post.channel, reason=str(exc))
                continue
            except AdapterError as exc:
                logger.warning("social: comments of post %s not read: %s", post.pk, exc)
                continue
            # Our own answers from the inbox come back among the replies: they are not comments.
            ours = set(
                ImportedComment.objects.filter(post=post)
                .exclude(answer_remote_id="")
                .values_list("answer_remote_id", flat=True)
            )
            remote = [comment for comment in remote if comment.remote_id not in ours]
            with transaction.atomic():
                rows = [
                    ImportedComment(
                        post=post,
                        platform=post.channel.platform,
                        remote_id=comment.remote_id[:300],
                        author_name=(comment.author_name or "?")[:200],
                        text=comment.text,
                        url=safe_url(comment.url, max_length=600),
                        created_at=comment.created_at,
                        reply_ref=comment.reply_ref,
                    )
                    for comment in remote
                ]
                before = ImportedComment.objects.filter(post=post).count()
                ImportedComment.objects.bulk_create(rows, ignore_conflicts=True)
                new = ImportedComment.objects.filter(post=post).count() - before
                imported += new
                SocialPost.objects.filter(pk=post.pk).update(comments_fetched_at=started)
                if new and post.consultation_id:
                    # The hub shows the imported comments.
                    changed(post.consultation_id, Change.SOCIAL_POST)
    return imported
