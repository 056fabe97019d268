"""Instagram professional account adapter: container, wait until FINISHED, media_publish."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from social import limits
from social.adapters import config
from social.adapters.base import (
    AccountInfo,
    AdapterError,
    Ambiguous,
    MediaImage,
    Metrics,
    NotSupported,
    OutgoingPost,
    Progress,
    ProgressCallback,
    PublishResult,
    Rejected,
    RemoteComment,
    TransientError,
    parse_datetime,
    remote_id_of,
)
from social.adapters.graph import GraphAdapter

RECONCILE_SCAN_LIMIT = 25
# Replies carry no image; the caption rules are checked as if the post had one.
_NO_IMAGE = MediaImage(data=b"", alt_text="-", url="https://reply.invalid/")


class InstagramAdapter(GraphAdapter):
    platform = config.INSTAGRAM

    def __init__(
        self,
        *,
        ig_user_id: str,
        poll_interval: float = config.INSTAGRAM_CONTAINER_POLL_SECONDS,
        max_polls: int = config.INSTAGRAM_CONTAINER_MAX_POLLS,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.ig_user_id = ig_user_id
        self.poll_interval = poll_interval
        self.max_polls = max_polls

    def check(self, post: OutgoingPost) -> limits.LimitResult:
        result = super().check(post)
        if any(not image.url for image in post.images):
            # The platform downloads the image itself; bytes cannot be uploaded.
            error = gettext("Instagram needs the image at a public address.")
            result = dataclasses.replace(result, errors=(*result.errors, error))
        return result

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
        creation_id = progress.get("creation_id")
        if creation_id:
            status = self._container_status(creation_id)
            if status == "PUBLISHED":
                # An earlier attempt published it and lost the answer: never publish again.
                found = self._find_media(post, progress)
                if found is None:
                    raise Ambiguous(
                        f"instagram: container {creation_id} is published but its media was "
                        "not found among the recent posts"
                    )
                return found
            if status in ("ERROR", "EXPIRED"):
                creation_id = None
        if not creation_id:
            image = post.images[0]
            answer = self._post(
                self.ig_user_id,
                "media",
                image_url=image.url,
                caption=post.text,
                alt_text=image.alt_text,
            )
            creation_id = answer["id"]
            # Stored before publishing: it is the only way to tell later whether it went out.
            self._record(progress, on_progress, creation_id=creation_id)
        self._wait_until_finished(creation_id)
        self._mark_sending(progress, on_progress)
        answer = self._post(self.ig_user_id, "media_publish", creation_id=creation_id)
        media_id = answer["id"]
        return PublishResult(media_id, self._permalink(media_id), answer)

    def _container_status(self, creation_id: str) -> str:
        return self._get(creation_id, fields="status_code").get("status_code", "")

    def _wait_until_finished(self, creation_id: str) -> None:
        for attempt in range(self.max_polls):
            status = self._container_status(creation_id)
            if status == "FINISHED":
                return
            if status in ("ERROR", "EXPIRED"):
                raise Rejected(f"instagram: the media container ended in {status}")
            if status == "PUBLISHED":
                raise Rejected(f"instagram: container {creation_id} is already published")
            if attempt + 1 < self.max_polls:
                time.sleep(self.poll_interval)
        # The container id is in `progress`: a later retry resumes waiting on the same one.
        raise TransientError(f"instagram: container {creation_id} is still being processed")

    def _permalink(self, media_id: str) -> str:
        try:
            return self._get(media_id, fields="permalink").get("permalink", "")
        except TransientError:
            # Published already; the link is a nicety that a metrics refresh can fill in.
            return ""

    def _find_media(self, post: OutgoingPost, progress: Progress | None) -> PublishResult | None:
        answer = self._get(
            self.ig_user_id,
            "media",
            fields="id,caption,permalink,timestamp",
            limit=RECONCILE_SCAN_LIMIT,
        )
        for item in answer.get("data", []):
            if self._is_this_attempt(
                item.get("caption", ""), item.get("timestamp"), post, progress
            ):
                return PublishResult(item["id"], item.get("permalink", ""), item)
        return None

    def find_published(
        self, post: OutgoingPost, idempotency_key: str, *, progress: Progress | None = None
    ) -> PublishResult | None:
        creation_id = (progress or {}).get("creation_id")
        if not creation_id:
            # No container was confirmed, so media_publish was never sent.
            return None
        if self._container_status(creation_id) != "PUBLISHED":
            return None
        found = self._find_media(post, progress)
        if found is None:
            raise Ambiguous(f"instagram: container {creation_id} is published but not found")
        return found

    # --- Reading back ----------------------------------------------------------------------------
    def fetch_metrics(self, remote_id: str) -> Metrics:
        counts = self._get(remote_id, fields="like_count,comments_count")
        try:
            answer = self._get(
                remote_id, "insights", metric=",".join(config.INSTAGRAM_INSIGHT_METRICS)
            )
        except Rejected:
            answer = {}
        insights: dict[str, int] = {}
        for item in answer.get("data", []):
            value = (item.get("total_value") or {}).get("value")
            if value is None and item.get("values"):
                value = item["values"][-1].get("value")
            if isinstance(value, int):
                insights[item["name"]] = value
        return Metrics(
            reach=insights.get("reach"),
            views=insights.get("views"),
            reactions=insights.get("likes", counts.get("like_count")),
            comments=insights.get("comments", counts.get("comments_count")),
            shares=insights.get("shares"),
            raw={"counts": counts, "insights": insights},
        )

    def fetch_comments(self, remote_id: str, since: datetime | None = None) -> list[RemoteComment]:
        fields = "id,text,username,timestamp,like_count"
        answer = self._get(remote_id, "comments", fields=f"{fields},replies{{{fields}}}", limit=50)
        comments: list[RemoteComment] = []
        for item in answer.get("data", []):
            comments.append(self._comment(item))
            for reply in (item.get("replies") or {}).get("data", []):
                comments.append(self._comment(reply, parent_id=item["id"]))
        if since is not None:
            comments = [c for c in comments if c.created_at is None or c.created_at > since]
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at))

    @staticmethod
    def _comment(item: dict[str, Any], parent_id: str = "") -> RemoteComment:
        return RemoteComment(
            remote_id=item["id"],
            text=item.get("text", ""),
            author_name=item.get("username", ""),
            created_at=parse_datetime(item.get("timestamp")),
            parent_id=parent_id,
            like_count=item.get("like_count"),
        )

    def check_reply(self, text: str) -> limits.LimitResult:
        # A reply is a comment: no image, the caption's length and hashtag rules.
        return limits.check_post(self.platform, text, images=(_NO_IMAGE,))

    def reply(
        self, comment_remote_id: str, text: str, *, ref: Mapping[str, str] | None = None
    ) -> str:
        # POST /{ig-comment-id}/replies: Instagram adds a reply to a reply to its top-level
        # comment itself, and refuses replies to hidden comments.
        self._ensure_reply_allowed(text)
        answer = self._post(comment_remote_id, "replies", message=text)
        if not answer.get("id"):
            raise AdapterError("instagram: reply not confirmed", raw=answer)
        return remote_id_of(answer["id"])

    def hide_comment(self, comment_remote_id: str, hidden: bool) -> None:
        answer = self._post(comment_remote_id, hide="true" if hidden else "false")
        if answer.get("success") is not True:
            raise AdapterError("instagram: hiding the comment was not confirmed", raw=answer)

    def delete(self, remote_id: str) -> None:
        raise NotSupported("Instagram's API cannot delete a post; delete it in the app.")

    def verify_credentials(self) -> AccountInfo:
        answer = self._get("me", fields="user_id,username")
        username = answer.get("username", "")
        return AccountInfo(
            remote_id=str(answer.get("user_id") or answer.get("id", "")),
            name=username,
            url=f"https://www.instagram.com/{username}/" if username else "",
            raw=answer,
        )
