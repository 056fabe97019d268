"""Facebook Page adapter (Graph API), posting with a page access token."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from social.adapters import config
from social.adapters.base import (
    AccountInfo,
    AdapterError,
    AuthExpired,
    Metrics,
    OutgoingPost,
    Progress,
    ProgressCallback,
    PublishResult,
    Rejected,
    RemoteComment,
    json_body,
    parse_datetime,
    remote_id_of,
)
from social.adapters.graph import GraphAdapter

# How far back reconciliation looks; an ambiguous post is retried within minutes, not days.
RECONCILE_SCAN_LIMIT = 25
COMMENT_PAGES_MAX = 20


class FacebookPageAdapter(GraphAdapter):
    platform = config.FACEBOOK

    def __init__(self, *, page_id: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.page_id = page_id

    @staticmethod
    def post_url(remote_id: str) -> str:
        return f"https://www.facebook.com/{remote_id}"

    # --- Publishing ------------------------------------------------------------------------------
    def publish(
        self,
        post: OutgoingPost,
        idempotency_key: str,
        *,
        progress: Progress | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> PublishResult:
        # The Graph API has no idempotency key: after an Ambiguous outcome the caller must call
        # find_published, which scans the page's recent posts.
        self._ensure_allowed(post)
        progress = progress if progress is not None else {}
        if len(post.images) == 1:
            image = post.images[0]
            fields = {"caption": post.text, "alt_text_custom": image.alt_text}
            self._mark_sending(progress, on_progress)
            if image.url:
                answer = self._post(self.page_id, "photos", url=image.url, **fields)
            else:
                files = {"source": (image.filename, image.data, image.mime_type)}
                answer = self._post(self.page_id, "photos", files=files, **fields)
            remote_id = answer.get("post_id") or f"{self.page_id}_{answer['id']}"
            return PublishResult(remote_id, self.post_url(remote_id), answer)

        data: dict[str, Any] = {"message": post.text}
        if post.link:
            data["link"] = post.link
        if post.images:
            # Several photos: upload each unpublished, then attach them to one feed post. The
            # photo ids are kept so a retry does not upload them again.
            photo_ids: list[str] = list(progress.get("photo_ids", []))
            for image in post.images[len(photo_ids) :]:
                files = {"source": (image.filename, image.data, image.mime_type)}
                answer = self._post(
                    self.page_id,
                    "photos",
                    files=files,
                    published="false",
                    alt_text_custom=image.alt_text,
                )
                photo_ids.append(answer["id"])
                self._record(progress, on_progress, photo_ids=list(photo_ids))
            for index, photo_id in enumerate(photo_ids):
                data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        self._mark_sending(progress, on_progress)
        answer = self._post(self.page_id, "feed", **data)
        remote_id = answer["id"]
        return PublishResult(remote_id, self.post_url(remote_id), answer)

    def find_published(
        self, post: OutgoingPost, idempotency_key: str, *, progress: Progress | None = None
    ) -> PublishResult | None:
        answer = self._get(
            self.page_id,
            "published_posts",
            fields="id,message,created_time,permalink_url",
            limit=RECONCILE_SCAN_LIMIT,
        )
        for item in answer.get("data", []):
            if self._is_this_attempt(
                item.get("message", ""), item.get("created_time"), post, progress
            ):
                url = item.get("permalink_url") or self.post_url(item["id"])
                return PublishResult(item["id"], url, item)
        return None

    # --- Reading back ----------------------------------------------------------------------------
    def fetch_metrics(self, remote_id: str) -> Metrics:
        counts = self._get(remote_id, fields=config.FACEBOOK_COUNT_FIELDS)
        insights = self._insights(remote_id)
        # Graph API omits `shares` on a post nobody shared: there the figure is 0, not unknown.
        shares = (counts.get("shares") or {}).get("count", 0)
        reactions = ((counts.get("reactions") or {}).get("summary") or {}).get("total_count")
        comments = ((counts.get("comments") or {}).get("summary") or {}).get("total_count")
        return Metrics(
            reach=insights.get(config.FACEBOOK_INSIGHT_METRICS["reach"]),
            views=insights.get(config.FACEBOOK_INSIGHT_METRICS["views"]),
            reactions=reactions,
            comments=comments,
            shares=shares,
            raw={"counts": counts, "insights": insights},
        )

    def _insights(self, remote_id: str) -> dict[str, int]:
        """Lifetime insight values by metric name; empty where the page has no insights."""
        try:
            answer = self._get(
                remote_id, "insights", metric=",".join(config.FACEBOOK_INSIGHT_METRICS.values())
            )
        except Rejected as exc:
            # Pages under 100 likes and removed metrics (3001) answer errors, not zeros.
            if isinstance(exc.raw, dict):
                return {}
            raise
        values: dict[str, int] = {}
        for item in answer.get("data", []):
            points = item.get("values") or []
            if points and isinstance(points[-1].get("value"), int):
                values[item["name"]] = points[-1]["value"]
        return values

    def fetch_comments(self, remote_id: str, since: datetime | None = None) -> list[RemoteComment]:
        params: dict[str, Any] = {
            "filter": "stream",
            "order": "chronological",
            "fields": "id,message,from,created_time,parent{id},like_count,permalink_url",
            "limit": 100,
        }
        if since is not None:
            params["since"] = int(since.timestamp())
        comments: list[RemoteComment] = []
        for _page in range(COMMENT_PAGES_MAX):
            answer = self._get(remote_id, "comments", **params)
            for item in answer.get("data", []):
                author = item.get("from") or {}
                comments.append(
                    RemoteComment(
                        remote_id=item["id"],
                        text=item.get("message", ""),
                        # Without pages_read_user_engagement Graph API hides the author.
                        author_name=author.get("name", ""),
                        author_id=author.get("id", ""),
                        created_at=parse_datetime(item.get("created_time")),
                        parent_id=(item.get("parent") or {}).get("id", ""),
                        url=item.get("permalink_url", ""),
                        like_count=item.get("like_count"),
                    )
                )
            paging = answer.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                break
            params["after"] = after
        return comments

    def delete(self, remote_id: str) -> None:
        response = self._send("DELETE", self._url(remote_id), write=True, params=self._auth())
        if not json_body(response).get("success"):
            raise AdapterError(f"facebook: delete of {remote_id} not confirmed", raw=response.text)

    def reply(
        self, comment_remote_id: str, text: str, *, ref: Mapping[str, str] | None = None
    ) -> str:
        self._ensure_reply_allowed(text)
        answer = self._post(comment_remote_id, "comments", message=text)
        if not answer.get("id"):
            raise AdapterError("facebook: reply not confirmed", raw=answer)
        return remote_id_of(answer["id"])

    def hide_comment(self, comment_remote_id: str, hidden: bool) -> None:
        # POST /{comment-id} with is_hidden: the comment stays visible to its author and the
        # page's people, and to nobody else.
        answer = self._post(comment_remote_id, is_hidden="true" if hidden else "false")
        if answer.get("success") is not True:
            raise AdapterError("facebook: hiding the comment was not confirmed", raw=answer)

    def subscribe_webhooks(self, fields: tuple[str, ...] = ("feed",)) -> None:
        """Ask Meta to send the page's changes (new comments) to our webhook."""
        answer = self._post(self.page_id, "subscribed_apps", subscribed_fields=",".join(fields))
        if not answer.get("success"):
            raise AdapterError("facebook: webhook subscription not confirmed", raw=answer)

    def verify_credentials(self) -> AccountInfo:
        answer = self._get("me", fields="id,name,link")
        if answer.get("id") != self.page_id:
            raise AuthExpired(
                f"facebook: the token belongs to {answer.get('id')}, not page {self.page_id}",
                raw=answer,
            )
        return AccountInfo(
            remote_id=answer["id"],
            name=answer.get("name", ""),
            url=answer.get("link") or f"https://www.facebook.com/{answer['id']}",
            raw=answer,
        )
