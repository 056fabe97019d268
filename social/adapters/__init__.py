"""Platform adapters behind one interface; see `base.ChannelAdapter`.

`build_adapter("mastodon", base_url=..., credentials={...})` gives the adapter for a channel;
`CREDENTIAL_FIELDS` names what each platform needs. How an outbox worker uses one:

- `adapter.check(post)` gives the live counters (`LimitResult`); `publish` repeats the check and
  raises `LimitExceeded` before any request.
- `publish(post, key, progress=row.progress, on_progress=save)`: `key` is the outbox row's
  stable idempotency key; `progress` is a JSON dict stored on the row and `save` must persist it
  (it is called before each further request, e.g. with Instagram's `creation_id`).
- `RateLimited`: retry after `retry_after_seconds`. `TransientError`: retry with backoff.
  `Ambiguous` (a `TransientError`): the post may exist. If `adapter.idempotent_publish`, call
  `publish` again with the same key and progress; otherwise call `find_published(post, key,
  progress=...)` first and publish only if it returns None.
- `AuthExpired`: mark the channel "needs re-authorisation". `Rejected` (and its `Duplicate`,
  `LimitExceeded`, `NotFound`): permanent, show `reason`. `NotSupported`: the platform cannot.
- `fetch_metrics` returns `Metrics` whose None fields mean "not available", never 0.
- `reply(comment_id, text, ref=comment.reply_ref)` answers a public comment as the account
  (`check_reply` applies the platform's length rules first, raising `LimitExceeded`);
  `hide_comment(comment_id, hidden)` hides it on Facebook and Instagram. Both raise
  `NotSupported` where the platform has no such API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from social.adapters import config
from social.adapters.base import (
    AccountInfo,
    AdapterError,
    Ambiguous,
    AuthExpired,
    ChannelAdapter,
    Duplicate,
    LimitExceeded,
    MalformedAnswer,
    MediaImage,
    Metrics,
    NotFound,
    NotSupported,
    OutgoingPost,
    PublishResult,
    RateLimited,
    Rejected,
    RemoteComment,
    ResponseTooLarge,
    TransientError,
)

# Credentials each adapter takes, by platform: the channel model stores exactly these.
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    config.FACEBOOK: ("page_id", "access_token", "app_secret"),
    config.INSTAGRAM: ("ig_user_id", "access_token", "app_secret"),
    config.X: ("access_token", "user_id"),
    config.MASTODON: ("access_token",),
    config.BLUESKY: ("identifier", "app_password"),
}


def adapter_class(platform: str) -> type[ChannelAdapter]:
    # Imported here so that importing the package does not pull every adapter in.
    from social.adapters.bluesky import BlueskyAdapter
    from social.adapters.facebook import FacebookPageAdapter
    from social.adapters.instagram import InstagramAdapter
    from social.adapters.mastodon import MastodonAdapter
    from social.adapters.x import XAdapter

    classes: dict[str, type[ChannelAdapter]] = {
        config.FACEBOOK: FacebookPageAdapter,
        config.INSTAGRAM: InstagramAdapter,
        config.X: XAdapter,
        config.MASTODON: MastodonAdapter,
        config.BLUESKY: BlueskyAdapter,
    }
    try:
        return classes[platform]
    except KeyError:
        raise ValueError(f"Unknown platform {platform!r}") from None


def build_adapter(
    platform: str,
    *,
    credentials: Mapping[str, Any],
    base_url: str = "",
    timeout: float | None = None,
    **options: Any,
) -> ChannelAdapter:
    """The adapter for one channel. Unknown credential names are refused, not ignored."""
    unknown = set(credentials) - set(CREDENTIAL_FIELDS[platform])
    if unknown:
        raise ValueError(f"{platform} takes no credential {sorted(unknown)}")
    if timeout is None:
        from django.conf import settings

        timeout = getattr(settings, "SOCIAL_HTTP_TIMEOUT_SECONDS", None)
    if "max_response_bytes" not in options:
        from django.conf import settings

        options["max_response_bytes"] = getattr(settings, "SOCIAL_MAX_RESPONSE_BYTES", None)
    return adapter_class(platform)(
        base_url=base_url, timeout=timeout, **dict(credentials), **options
    )


__all__ = [
    "AccountInfo",
    "AdapterError",
    "Ambiguous",
    "AuthExpired",
    "ChannelAdapter",
    "CREDENTIAL_FIELDS",
    "Duplicate",
    "LimitExceeded",
    "MalformedAnswer",
    "MediaImage",
    "Metrics",
    "NotFound",
    "NotSupported",
    "OutgoingPost",
    "PublishResult",
    "RateLimited",
    "Rejected",
    "RemoteComment",
    "ResponseTooLarge",
    "TransientError",
    "adapter_class",
    "build_adapter",
    "config",
]
