"""X adapter (API v2) with an OAuth 2.0 user access token."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from social.adapters import config
from social.adapters.base import (
    AccountInfo,
    AdapterError,
    AuthExpired,
    ChannelAdapter,
    Duplicate,
    Metrics,
    NotFound,
    OutgoingPost,
    Progress,
    ProgressCallback,
    PublishResult,
    RateLimited,
    Rejected,
    RemoteComment,
    error_body,
    json_body,
    parse_datetime,
    remote_id_of,
    retry_after_of,
)

RECONCILE_SCAN_LIMIT = 20
# X ends the text of a post with media with the media's own t.co link.
_TRAILING_MEDIA_LINK = re.compile(r"\s*https://t\.co/\w+\s*$")


def as_sent(shown: str, *, has_media: bool) -> str:
    """The text X shows, brought back towards what was sent: HTML entities unescaped and the
    media link it appends removed (links inside the text stay, as t.co addresses)."""
    text = html.unescape(shown or "")
    if has_media:
        text = _TRAILING_MEDIA_LINK.sub("", text)
    return text


def retry_after_from_reset(headers: httpx.Headers, now: float | None = None) -> int:
    """Seconds until `x-rate-limit-reset` (epoch seconds); X sends no Retry-After."""
    reset = headers.get("x-rate-limit-reset", "")
    if reset.isdigit():
        return max(1, int(reset) - int(now if now is not None else time.time()))
    return config.DEFAULT_RETRY_AFTER_SECONDS


class XAdapter(ChannelAdapter):
    platform = config.X

    def __init__(self, *, access_token: str, user_id: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.access_token = access_token
        self.user_id = user_id
        self._client.headers["Authorization"] = f"Bearer {access_token}"

    def _raise_for_error(self, response: httpx.Response, *, write: bool) -> None:
        self._raise_for_status_family(response, write=write)
        status = response.status_code
        body = error_body(response)
        detail = ""
        if isinstance(body, dict):
            detail = body.get("detail") or body.get("title") or ""
            if not detail and body.get("errors"):
                detail = body["errors"][0].get("message", "")
        message = f"x: {status} {detail}".strip()
        if status == 429:
            raise RateLimited(
                message,
                retry_after_seconds=retry_after_of(response.headers)
                or retry_after_from_reset(response.headers),
                status=status,
                raw=body,
            )
        if status == 401:
            raise AuthExpired(message, status=status, raw=body)
        if status == 402:
            # Pay-per-use: the developer account has no credits left. Nothing was posted.
            raise Rejected(
                "x: the developer account has no API credits left (402 Payment Required); "
                f"top up the credits before sending again ({detail})",
                status=status,
                raw=body,
                problem="no_credits",
            )
        if status == 403 and "duplicate" in detail.lower():
            raise Duplicate(message, status=status, raw=body)
        if status == 404:
            raise NotFound(message, status=status, raw=body)
        raise Rejected(message, status=status, raw=body)

    @staticmethod
    def post_url(tweet_id: str) -> str:
        return f"https://x.com/i/web/status/{tweet_id}"

    # --- Publishing ------------------------------------------------------------------------------
    def publish(
        self,
        post: OutgoingPost,
        idempotency_key: str,
        *,
        progress: Progress | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> PublishResult:
        # X has no idempotency key; a lost answer is reconciled by find_published.
        self._ensure_allowed(post)
        progress = progress if progress is not None else {}
        media_ids: list[str] = list(progress.get("media_ids", []))
        for image in post.images[len(media_ids) :]:
            media_ids.append(self._upload(image.data, image.mime_type, image.filename))
            self._send(
                "POST",
                "/2/media/metadata",
                json={"id": media_ids[-1], "metadata": {"alt_text": {"text": image.alt_text}}},
            )
            self._record(progress, on_progress, media_ids=list(media_ids))
        body: dict[str, Any] = {"text": post.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        self._mark_sending(progress, on_progress)
        answer = json_body(self._send("POST", "/2/tweets", write=True, json=body))
        tweet_id = answer["data"]["id"]
        return PublishResult(tweet_id, self.post_url(tweet_id), answer)

    def reply(
        self, comment_remote_id: str, text: str, *, ref: Mapping[str, str] | None = None
    ) -> str:
        # A reply is a post in the thread: the same weighted 280, checked before sending.
        self._ensure_reply_allowed(text)
        answer = json_body(
            self._send(
                "POST",
                "/2/tweets",
                write=True,
                json={"text": text, "reply": {"in_reply_to_tweet_id": comment_remote_id}},
            )
        )
        return remote_id_of(answer["data"]["id"])

    def _upload(self, data: bytes, mime_type: str, filename: str) -> str:
        # An upload whose answer is lost only leaves an unattached file that expires: not
        # ambiguous for the post itself.
        response = self._send(
            "POST",
            "/2/media/upload",
            files={"media": (filename, data, mime_type)},
            data={"media_category": "tweet_image", "media_type": mime_type},
        )
        return json_body(response)["data"]["id"]

    def _me(self) -> dict[str, Any]:
        return json_body(self._send("GET", "/2/users/me"))["data"]

    def find_published(
        self, post: OutgoingPost, idempotency_key: str, *, progress: Progress | None = None
    ) -> PublishResult | None:
        user_id = self.user_id or self._me()["id"]
        answer = json_body(
            self._send(
                "GET",
                f"/2/users/{user_id}/tweets",
                params={"max_results": RECONCILE_SCAN_LIMIT, "tweet.fields": "created_at"},
            )
        )
        for item in answer.get("data", []):
            text = as_sent(item.get("text", ""), has_media=bool(post.images))
            if self._is_this_attempt(text, item.get("created_at"), post, progress):
                return PublishResult(item["id"], self.post_url(item["id"]), item)
        return None

    # --- Reading back ----------------------------------------------------------------------------
    def fetch_metrics(self, remote_id: str) -> Metrics:
        answer = json_body(
            self._send(
                "GET", "/2/tweets", params={"ids": remote_id, "tweet.fields": "public_metrics"}
            )
        )
        items = answer.get("data") or []
        if not items:
            raise NotFound(f"x: post {remote_id} not found", raw=answer)
        public = items[0].get("public_metrics") or {}

        def total(*names: str) -> int | None:
            values = [public[name] for name in names if isinstance(public.get(name), int)]
            return sum(values) if values else None

        return Metrics(
            reach=None,
            views=total("impression_count"),
            reactions=total("like_count"),
            comments=total("reply_count"),
            shares=total("retweet_count", "quote_count"),
            raw=public,
        )

    def fetch_comments(self, remote_id: str, since: datetime | None = None) -> list[RemoteComment]:
        params: dict[str, Any] = {
            "query": f"conversation_id:{remote_id}",
            "tweet.fields": "author_id,created_at,in_reply_to_user_id,referenced_tweets",
            "expansions": "author_id",
            "user.fields": "name,username",
            "max_results": 100,
        }
        if since is not None:
            params["start_time"] = since.strftime("%Y-%m-%dT%H:%M:%SZ")
        answer = json_body(self._send("GET", "/2/tweets/search/recent", params=params))
        users = {u["id"]: u for u in (answer.get("includes") or {}).get("users", [])}
        comments = []
        for item in answer.get("data") or []:
            author = users.get(item.get("author_id", ""), {})
            parent = next(
                (
                    ref["id"]
                    for ref in item.get("referenced_tweets") or []
                    if ref.get("type") == "replied_to"
                ),
                "",
            )
            comments.append(
                RemoteComment(
                    remote_id=item["id"],
                    text=item.get("text", ""),
                    author_name=author.get("name") or author.get("username", ""),
                    author_id=item.get("author_id", ""),
                    created_at=parse_datetime(item.get("created_at")),
                    parent_id=parent,
                    url=self.post_url(item["id"]),
                )
            )
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at))

    def delete(self, remote_id: str) -> None:
        answer = json_body(self._send("DELETE", f"/2/tweets/{remote_id}", write=True))
        if not (answer.get("data") or {}).get("deleted"):
            raise AdapterError(f"x: delete of {remote_id} not confirmed", raw=answer)

    def verify_credentials(self) -> AccountInfo:
        me = self._me()
        self.user_id = me["id"]
        return AccountInfo(
            remote_id=me["id"],
            name=me.get("name", ""),
            url=f"https://x.com/{me.get('username', '')}",
            raw=me,
        )
