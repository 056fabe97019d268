"""Mastodon adapter for any instance, with the instance's own limits and idempotency keys."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx

from social import limits
from social.adapters import config
from social.adapters.base import (
    AccountInfo,
    AuthExpired,
    ChannelAdapter,
    MediaImage,
    Metrics,
    NotFound,
    OutgoingPost,
    Progress,
    ProgressCallback,
    PublishResult,
    RateLimited,
    Rejected,
    RemoteComment,
    TransientError,
    error_body,
    json_body,
    parse_datetime,
    retry_after_of,
)

RECONCILE_SCAN_LIMIT = 40
MEDIA_POLLS_MAX = 30
MEDIA_POLL_SECONDS = 1.0


def retry_after_from_reset(headers: httpx.Headers, now: datetime | None = None) -> int:
    """Seconds until `X-RateLimit-Reset`, which Mastodon writes as an ISO 8601 time."""
    reset = parse_datetime(headers.get("x-ratelimit-reset"))
    if reset is None:
        return config.DEFAULT_RETRY_AFTER_SECONDS
    if reset.tzinfo is None:
        reset = reset.replace(tzinfo=UTC)
    remaining = (reset - (now or datetime.now(UTC))).total_seconds()
    return max(1, int(remaining + 0.999))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of a status' HTML content (links keep their full address)."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip()


class MastodonAdapter(ChannelAdapter):
    platform = config.MASTODON
    # Mastodon returns the original status for a repeated Idempotency-Key (within an hour).
    idempotent_publish = True
    # Mastodon keeps a key for one hour; trusting it a little less leaves room for clock skew
    # and for the time between reading the clock and the request arriving.
    idempotency_window = timedelta(seconds=config.MASTODON_IDEMPOTENCY_TRUST_SECONDS)

    def __init__(
        self,
        *,
        access_token: str,
        max_characters: int | None = None,
        url_length: int | None = None,
        max_media: int | None = None,
        visibility: str = "public",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.access_token = access_token
        self.visibility = visibility
        self._instance: dict[str, int | None] = {
            "max_characters": max_characters,
            "url_length": url_length,
            "max_media": max_media,
        }
        self._client.headers["Authorization"] = f"Bearer {access_token}"

    def _raise_for_error(self, response: httpx.Response, *, write: bool) -> None:
        self._raise_for_status_family(response, write=write)
        status = response.status_code
        body = error_body(response)
        detail = body.get("error", "") if isinstance(body, dict) else str(body)
        message = f"mastodon: {status} {detail}".strip()
        if status == 429:
            raise RateLimited(
                message,
                retry_after_seconds=retry_after_of(response.headers)
                or retry_after_from_reset(response.headers),
                status=status,
                raw=body,
            )
        if status in (401, 403):
            raise AuthExpired(message, status=status, raw=body)
        if status == 404:
            raise NotFound(message, status=status, raw=body)
        raise Rejected(message, status=status, raw=body)

    # --- Limits ----------------------------------------------------------------------------------
    def instance_limits(self) -> dict[str, int | None]:
        """The instance's post limits, read once from /api/v2/instance unless configured."""
        if self._instance["max_characters"] is None:
            answer = json_body(self._send("GET", "/api/v2/instance"))
            configuration = answer.get("configuration") or {}
            statuses = configuration.get("statuses") or {}
            media = statuses.get("max_media_attachments")
            self._instance = {
                "max_characters": statuses.get("max_characters")
                or config.MASTODON_DEFAULT_MAX_CHARACTERS,
                "url_length": self._instance["url_length"]
                or statuses.get("characters_reserved_per_url")
                or config.MASTODON_DEFAULT_URL_LENGTH,
                "max_media": self._instance["max_media"]
                or media
                or config.MASTODON_DEFAULT_MAX_MEDIA,
            }
        return self._instance

    def check(self, post: OutgoingPost) -> limits.LimitResult:
        instance = self.instance_limits()
        return limits.check_post(
            self.platform,
            post.text,
            images=post.images,
            max_characters=instance["max_characters"],
            url_length=instance["url_length"],
            max_images=instance["max_media"],
        )

    # --- Publishing ------------------------------------------------------------------------------
    def publish(
        self,
        post: OutgoingPost,
        idempotency_key: str,
        *,
        progress: Progress | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> PublishResult:
        self._ensure_allowed(post)
        progress = progress if progress is not None else {}
        media_ids: list[str] = list(progress.get("media_ids", []))
        for image in post.images[len(media_ids) :]:
            media_ids.append(self._upload(image))
            self._record(progress, on_progress, media_ids=list(media_ids))
        body: dict[str, Any] = {"status": post.text, "visibility": self.visibility}
        if media_ids:
            body["media_ids"] = media_ids
        if post.language:
            body["language"] = post.language
        self._mark_sending(progress, on_progress)
        response = self._send(
            "POST",
            "/api/v1/statuses",
            write=True,
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        status = json_body(response)
        return PublishResult(status["id"], status.get("url") or status.get("uri", ""), status)

    def check_reply(self, text: str) -> limits.LimitResult:
        return self.check(OutgoingPost(text=text))

    def reply(
        self, comment_remote_id: str, text: str, *, ref: Mapping[str, str] | None = None
    ) -> str:
        self._ensure_reply_allowed(text)
        # Mastodon threads a reply by in_reply_to_id; the key makes a resent reply harmless.
        response = self._send(
            "POST",
            "/api/v1/statuses",
            write=True,
            json={"status": text, "in_reply_to_id": comment_remote_id, "visibility": "public"},
            headers={"Idempotency-Key": _reply_key(comment_remote_id, text)},
        )
        return str(json_body(response)["id"])

    def _upload(self, image: MediaImage) -> str:
        response = self._send(
            "POST",
            "/api/v2/media",
            files={"file": (image.filename, image.data, image.mime_type)},
            data={"description": image.alt_text},
        )
        media = json_body(response)
        if response.status_code == 202:
            # Still processing: a status may only attach it once it has a URL.
            for _attempt in range(MEDIA_POLLS_MAX):
                time.sleep(MEDIA_POLL_SECONDS)
                polled = self._send("GET", f"/api/v1/media/{media['id']}")
                if polled.status_code == 200:
                    break
            else:
                raise TransientError(f"mastodon: media {media['id']} is still processing")
        return media["id"]

    def find_published(
        self, post: OutgoingPost, idempotency_key: str, *, progress: Progress | None = None
    ) -> PublishResult | None:
        account = json_body(self._send("GET", "/api/v1/accounts/verify_credentials"))
        statuses = json_body(
            self._send(
                "GET",
                f"/api/v1/accounts/{account['id']}/statuses",
                params={"limit": RECONCILE_SCAN_LIMIT, "exclude_replies": "true"},
            )
        )
        for status in statuses:
            text = html_to_text(status.get("content", ""))
            if self._is_this_attempt(text, status.get("created_at"), post, progress):
                return PublishResult(status["id"], status.get("url", ""), status)
        return None

    # --- Reading back ----------------------------------------------------------------------------
    def fetch_metrics(self, remote_id: str) -> Metrics:
        status = json_body(self._send("GET", f"/api/v1/statuses/{remote_id}"))
        return Metrics(
            # Mastodon counts no views or reach.
            reach=None,
            views=None,
            reactions=status.get("favourites_count"),
            comments=status.get("replies_count"),
            shares=status.get("reblogs_count"),
            raw={
                key: status.get(key)
                for key in ("favourites_count", "reblogs_count", "replies_count")
            },
        )

    def fetch_comments(self, remote_id: str, since: datetime | None = None) -> list[RemoteComment]:
        context = json_body(self._send("GET", f"/api/v1/statuses/{remote_id}/context"))
        comments = []
        for status in context.get("descendants", []):
            if status.get("visibility") not in (None, "public", "unlisted"):
                continue
            created_at = parse_datetime(status.get("created_at"))
            if since is not None and created_at is not None and created_at <= since:
                continue
            account = status.get("account") or {}
            comments.append(
                RemoteComment(
                    remote_id=status["id"],
                    text=html_to_text(status.get("content", "")),
                    author_name=account.get("display_name") or account.get("acct", ""),
                    author_id=account.get("acct", ""),
                    created_at=created_at,
                    parent_id=status.get("in_reply_to_id") or "",
                    url=status.get("url", ""),
                    like_count=status.get("favourites_count"),
                )
            )
        # Mastodon lists descendants in thread order; the interface promises oldest first.
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at))

    def delete(self, remote_id: str) -> None:
        self._send("DELETE", f"/api/v1/statuses/{remote_id}", write=True)

    def verify_credentials(self) -> AccountInfo:
        account = json_body(self._send("GET", "/api/v1/accounts/verify_credentials"))
        instance = self.instance_limits()
        return AccountInfo(
            remote_id=account["id"],
            name=account.get("display_name") or account.get("username", ""),
            url=account.get("url", ""),
            max_characters=instance["max_characters"],
            raw=account,
        )


def _reply_key(comment_remote_id: str, text: str) -> str:
    """The same reply to the same comment is the same request, in every worker."""
    digest = hashlib.sha256(f"{comment_remote_id}\n{text}".encode()).hexdigest()[:32]
    return f"reply-{digest}"
