"""Renewing channel tokens: once after the platform says a token expired, and ahead of expiry.

Two workers may meet the same expired token at once. X rotates refresh tokens: the first
refresh spends the old one, so a second refresh with it is refused, and a worker that wrote its
answer last could even store a spent token. The channel row is therefore locked for the whole
renewal (select_for_update), and a worker that waited for the lock takes the token the other
one stored instead of renewing again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import tenancy
from social import services
from social.adapters import AdapterError, AuthExpired, ChannelAdapter, config
from social.models import Channel, ChannelState
from social.oauth import PROVIDERS, TokenRefused

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


def _take_over(source: Channel, target: Channel) -> None:
    target.credentials_encrypted = source.credentials_encrypted
    target.token_grant_encrypted = source.token_grant_encrypted
    target.token_expires_at = source.token_expires_at


def refresh_channel(
    channel: Channel, *, stale_token: str | None = None, due_before: datetime | None = None
) -> bool:
    """Renew the channel's access token with its stored grant; update `channel` in place.

    `stale_token`: the token the platform refused; nothing is renewed if another worker has
    replaced it meanwhile. `due_before`: renew only if the token expires before then.
    Returns whether the channel now holds a token worth trying; raises TokenRefused when the
    platform will not renew it (a person must log in again) and TransientError when the
    platform could not be asked.
    """
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        if stale_token is not None and locked.credentials.get("access_token") != stale_token:
            _take_over(locked, channel)
            return True
        if due_before is not None and (
            locked.token_expires_at is None or locked.token_expires_at > due_before
        ):
            _take_over(locked, channel)
            return True
        provider = PROVIDERS.get(locked.platform)
        if provider is None or not locked.renews_token or locked.state != ChannelState.OK:
            return False
        # The platform is asked while the row is locked, so no second worker spends the grant.
        connection = provider.refresh(locked)
        locked.credentials = connection.credentials
        locked.token_grant = connection.grant
        locked.token_expires_at = connection.token_expires_at
        locked.save(
            update_fields=["credentials_encrypted", "token_grant_encrypted", "token_expires_at"]
        )
    logger.info("social: renewed the token of channel %s", locked.pk)
    _take_over(locked, channel)
    return True


def call_with_refresh(channel: Channel, operation: Callable[[ChannelAdapter], Result]) -> Result:
    """Run `operation` with the channel's adapter; after an expired token, renew it once and
    run it again. AuthExpired comes out only when renewing is impossible or refused."""
    try:
        with services.adapter_for(channel) as adapter:
            return operation(adapter)
    except AuthExpired as exc:
        if not channel.renews_token:
            raise
        failed = exc
    try:
        renewed = refresh_channel(channel, stale_token=channel.credentials.get("access_token"))
    except TokenRefused as refusal:
        raise AuthExpired(
            _("%(error)s The token could not be renewed: %(reason)s")
            % {"error": failed, "reason": refusal}
        ) from refusal
    if not renewed:
        raise failed
    with services.adapter_for(channel) as adapter:
        return operation(adapter)


def refresh_due(now: datetime | None = None) -> int:
    """Renew every token that expires soon (per platform, `TOKEN_REFRESH_AHEAD_SECONDS`).

    A refused renewal pauses the channel for re-authorisation at once, while its old token may
    still work, so its owners hear about it before posts start failing.
    """
    now = now or timezone.now()
    due = Q()
    for platform, ahead in config.TOKEN_REFRESH_AHEAD_SECONDS.items():
        due |= Q(platform=platform, token_expires_at__lte=now + timedelta(seconds=ahead))
    renewed = 0
    candidates = Channel.objects.active().filter(due).exclude(token_grant_encrypted="")
    for channel in candidates:
        # The owners hear of a refusal from the channel's municipality, with its address.
        with tenancy.activate_for(channel):
            renewed += _refresh_one(channel, now)
    return renewed


def _refresh_one(channel: Channel, now: datetime) -> int:
    horizon = now + timedelta(seconds=config.TOKEN_REFRESH_AHEAD_SECONDS[channel.platform])
    try:
        if refresh_channel(channel, due_before=horizon):
            return 1
    except TokenRefused as refusal:
        services.channel_mark_needs_reauth(
            channel=channel,
            reason=_("The platform would not renew the token: %s") % refusal,
        )
    except AdapterError as exc:
        # Unreachable for now: the next run tries again, well before the token runs out.
        logger.warning("social: token of channel %s not renewed: %s", channel.pk, exc)
    return 0
