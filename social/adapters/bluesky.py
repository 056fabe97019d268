"""Bluesky adapter: AT Protocol XRPC over plain httpx, signed in with an app password."""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from PIL import Image, UnidentifiedImageError

from social import limits
from social.adapters import config
from social.adapters.base import (
    AccountInfo,
    AuthExpired,
    ChannelAdapter,
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

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_AUTH_ERRORS = frozenset(
    {"InvalidToken", "AuthenticationRequired", "AccountTakedown", "AuthFactorTokenRequired"}
)
_NOT_FOUND_ERRORS = frozenset({"RecordNotFound", "NotFound"})

# createSession is limited to 30 per 5 minutes and 300 a day per account, so sessions are shared
# by every adapter instance in the process.
_sessions: dict[tuple[str, str, str], dict[str, Any]] = {}
_sessions_lock = threading.Lock()


class _TokenExpired(AuthExpired):
    """The access token ran out: renew the session and try once more."""


def tid_for(moment: datetime, idempotency_key: str) -> str:
    """A record key in TID form: 53 bits of microseconds, 10 bits of clock id from the key.

    The same key and moment always give the same TID, so a retry writes to, or finds, the
    same record instead of creating a second one.
    """
    micros = int(moment.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock_id = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:2]) & 0x3FF
    value = (micros << 10) | clock_id
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))


def retry_after_from_reset(headers: httpx.Headers, now: float | None = None) -> int:
    """Seconds until `ratelimit-reset` (epoch seconds), else Retry-After, else the default."""
    reset = headers.get("ratelimit-reset", "")
    if reset.isdigit():
        return max(1, int(reset) - int(now if now is not None else time.time()))
    retry_after = headers.get("retry-after", "")
    if retry_after.isdigit():
        return int(retry_after)
    return config.DEFAULT_RETRY_AFTER_SECONDS


def link_facets(text: str) -> list[dict[str, Any]]:
    """Rich-text facets for links and hashtags, with the UTF-8 byte offsets Bluesky requires."""

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    facets = []
    # Bare domains with a real TLD (kk.dk, aarhus.city) are links in the Bluesky app too: the
    # facet points at their https address.
    for span in limits.find_urls(text, every_bare_domain=True):
        uri = span.url if "://" in span.url else f"https://{span.url}"
        facets.append(
            {
                "index": {"byteStart": byte_offset(span.start), "byteEnd": byte_offset(span.end)},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
            }
        )
    for start, end, tag in limits.find_hashtags(text):
        facets.append(
            {
                "index": {"byteStart": byte_offset(start), "byteEnd": byte_offset(end)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return sorted(facets, key=lambda facet: facet["index"]["byteStart"])


def aspect_ratio(data: bytes) -> dict[str, Any]:
    """`aspectRatio` for an image embed, so the app lays it out before loading it; nothing for
    bytes Pillow cannot read (the platform then decides)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return {}
    if width < 1 or height < 1:
        return {}
    return {"aspectRatio": {"width": width, "height": height}}


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _reply_ref(view: dict[str, Any], record: dict[str, Any]) -> dict[str, str]:
    """The strong refs a reply to this post needs: its own cid, and its thread's root (the
    root named in its record, or the post itself when it starts the thread)."""
    root = ((record.get("reply") or {}).get("root")) or {}
    if not isinstance(root, dict) or not root.get("uri") or not root.get("cid"):
        root = {"uri": view["uri"], "cid": view["cid"]}
    return {"cid": view["cid"], "root_uri": root["uri"], "root_cid": root["cid"]}


class BlueskyAdapter(ChannelAdapter):
    platform = config.BLUESKY
    # The record key is chosen client-side and kept in `progress`: a repeat finds the record.
    idempotent_publish = True

    def __init__(self, *, identifier: str, app_password: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.identifier = identifier
        self.app_password = app_password

    # --- Session ---------------------------------------------------------------------------------
    @property
    def _session_key(self) -> tuple[str, str, str]:
        # The password is part of the key so a changed password is never masked by a session
        # that an earlier, valid one opened.
        password = hashlib.sha256(self.app_password.encode()).hexdigest()
        return (self.base_url, self.identifier, password)

    def _session(self, *, renew: bool = False) -> dict[str, Any]:
        with _sessions_lock:
            session = _sessions.get(self._session_key)
            if session is not None and not renew:
                return session
            if session is not None:
                try:
                    answer = self._send(
                        "POST",
                        "/xrpc/com.atproto.server.refreshSession",
                        headers={"Authorization": f"Bearer {session['refreshJwt']}"},
                    )
                    session = json_body(answer)
                except AuthExpired:
                    session = None
            if session is None:
                answer = self._send(
                    "POST",
                    "/xrpc/com.atproto.server.createSession",
                    json={"identifier": self.identifier, "password": self.app_password},
                )
                session = json_body(answer)
            _sessions[self._session_key] = session
            return session

    @classmethod
    def forget_sessions(cls) -> None:
        with _sessions_lock:
            _sessions.clear()

    def _xrpc(self, method: str, nsid: str, *, write: bool = False, **kwargs: Any) -> Any:
        extra_headers = kwargs.pop("headers", {})
        for attempt in (1, 2):
            session = self._session(renew=attempt == 2)
            headers = {**extra_headers, "Authorization": f"Bearer {session['accessJwt']}"}
            try:
                response = self._send(
                    method, f"/xrpc/{nsid}", write=write, headers=headers, **kwargs
                )
            except _TokenExpired:
                if attempt == 2:
                    raise
                continue
            return json_body(response) if response.content else {}
        raise AssertionError("unreachable")

    def _raise_for_error(self, response: httpx.Response, *, write: bool) -> None:
        self._raise_for_status_family(response, write=write)
        status = response.status_code
        body = error_body(response)
        error = body.get("error", "") if isinstance(body, dict) else ""
        detail = body.get("message", "") if isinstance(body, dict) else str(body)
        message = f"bluesky: {status} {error} {detail}".strip()
        if status == 429 or error == "RateLimitExceeded":
            raise RateLimited(
                message,
                retry_after_seconds=retry_after_of(response.headers)
                or retry_after_from_reset(response.headers),
                status=status,
                raw=body,
            )
        if error == "ExpiredToken":
            raise _TokenExpired(message, status=status, raw=body)
        if status == 401 or error in _AUTH_ERRORS:
            raise AuthExpired(message, status=status, raw=body)
        if error in _NOT_FOUND_ERRORS or status == 404:
            raise NotFound(message, status=status, raw=body)
        raise Rejected(message, status=status, raw=body)

    def _post_url(self, session: dict[str, Any], uri: str) -> str:
        return (
            f"https://bsky.app/profile/{session.get('handle') or session['did']}/post/{_rkey(uri)}"
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
        if progress.get("rkey"):
            found = self.find_published(post, idempotency_key, progress=progress)
            if found is not None:
                return found
        else:
            created_at = (post.created_at or datetime.now(UTC)).astimezone(UTC)
            self._record(
                progress,
                on_progress,
                rkey=tid_for(created_at, idempotency_key),
                created_at=created_at.isoformat().replace("+00:00", "Z"),
            )
        session = self._session()
        blobs: list[dict[str, Any]] = list(progress.get("blobs", []))
        for image in post.images[len(blobs) :]:
            answer = self._xrpc(
                "POST",
                "com.atproto.repo.uploadBlob",
                content=image.data,
                headers={"Content-Type": image.mime_type},
            )
            blobs.append(answer["blob"])
            self._record(progress, on_progress, blobs=list(blobs))

        record: dict[str, Any] = {
            "$type": config.BLUESKY_POST_COLLECTION,
            "text": post.text,
            "createdAt": progress["created_at"],
        }
        facets = link_facets(post.text)
        if facets:
            record["facets"] = facets
        if post.language:
            record["langs"] = [post.language]
        if blobs:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": image.alt_text, "image": blob, **aspect_ratio(image.data)}
                    for image, blob in zip(post.images, blobs, strict=True)
                ],
            }
        elif post.link:
            record["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": post.link,
                    "title": post.link_title,
                    "description": post.link_description,
                },
            }
        answer = self._xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            write=True,
            json={
                "repo": session["did"],
                "collection": config.BLUESKY_POST_COLLECTION,
                "rkey": progress["rkey"],
                "record": record,
            },
        )
        return PublishResult(answer["uri"], self._post_url(session, answer["uri"]), answer)

    def find_published(
        self, post: OutgoingPost, idempotency_key: str, *, progress: Progress | None = None
    ) -> PublishResult | None:
        rkey = (progress or {}).get("rkey")
        if not rkey:
            # No record key was chosen, so createRecord was never sent.
            return None
        session = self._session()
        try:
            answer = self._xrpc(
                "GET",
                "com.atproto.repo.getRecord",
                params={
                    "repo": session["did"],
                    "collection": config.BLUESKY_POST_COLLECTION,
                    "rkey": rkey,
                },
            )
        except NotFound:
            return None
        return PublishResult(answer["uri"], self._post_url(session, answer["uri"]), answer)

    # --- Reading back ----------------------------------------------------------------------------
    def fetch_metrics(self, remote_id: str) -> Metrics:
        answer = self._xrpc("GET", "app.bsky.feed.getPosts", params={"uris": remote_id})
        posts = answer.get("posts") or []
        if not posts:
            raise NotFound(f"bluesky: post {remote_id} not found", raw=answer)
        view = posts[0]
        shares = [view.get(k) for k in ("repostCount", "quoteCount") if view.get(k) is not None]
        return Metrics(
            # Bluesky counts no views or reach.
            reach=None,
            views=None,
            reactions=view.get("likeCount"),
            comments=view.get("replyCount"),
            shares=sum(shares) if shares else None,
            raw={k: view.get(k) for k in ("likeCount", "repostCount", "replyCount", "quoteCount")},
        )

    def fetch_comments(self, remote_id: str, since: datetime | None = None) -> list[RemoteComment]:
        answer = self._xrpc(
            "GET", "app.bsky.feed.getPostThread", params={"uri": remote_id, "depth": 10}
        )
        comments: list[RemoteComment] = []

        def walk(node: dict[str, Any], parent_uri: str) -> None:
            for reply in node.get("replies") or []:
                view = reply.get("post")
                if not view:
                    # Blocked or deleted replies come back as stubs without a post.
                    continue
                record = view.get("record") or {}
                author = view.get("author") or {}
                created_at = parse_datetime(record.get("createdAt"))
                if since is None or created_at is None or created_at > since:
                    handle = author.get("handle", "")
                    comments.append(
                        RemoteComment(
                            remote_id=view["uri"],
                            text=record.get("text", ""),
                            author_name=author.get("displayName") or handle,
                            author_id=author.get("did", ""),
                            created_at=created_at,
                            parent_id=parent_uri if parent_uri != remote_id else "",
                            url=f"https://bsky.app/profile/{handle}/post/{_rkey(view['uri'])}",
                            like_count=view.get("likeCount"),
                            reply_ref=_reply_ref(view, record),
                        )
                    )
                walk(reply, view["uri"])

        walk(answer.get("thread") or {}, remote_id)
        return sorted(comments, key=lambda c: (c.created_at is None, c.created_at))

    def reply(
        self, comment_remote_id: str, text: str, *, ref: Mapping[str, str] | None = None
    ) -> str:
        """A post whose `reply` holds strong refs (uri and cid) to the thread's root and to
        the comment answered; what was not stored when the comment was read is looked up."""
        self._ensure_reply_allowed(text)
        ref = dict(ref or {})
        if not (ref.get("cid") and ref.get("root_uri") and ref.get("root_cid")):
            answer = self._xrpc("GET", "app.bsky.feed.getPosts", params={"uris": comment_remote_id})
            posts = answer.get("posts") or []
            if not posts:
                raise NotFound(f"bluesky: post {comment_remote_id} not found", raw=answer)
            ref = _reply_ref(posts[0], posts[0].get("record") or {})
        parent = {"uri": comment_remote_id, "cid": ref["cid"]}
        record: dict[str, Any] = {
            "$type": config.BLUESKY_POST_COLLECTION,
            "text": text,
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "reply": {"root": {"uri": ref["root_uri"], "cid": ref["root_cid"]}, "parent": parent},
        }
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        session = self._session()
        answer = self._xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            write=True,
            json={
                "repo": session["did"],
                "collection": config.BLUESKY_POST_COLLECTION,
                "record": record,
            },
        )
        return remote_id_of(answer["uri"])

    def delete(self, remote_id: str) -> None:
        session = self._session()
        self._xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            write=True,
            json={
                "repo": session["did"],
                "collection": config.BLUESKY_POST_COLLECTION,
                "rkey": _rkey(remote_id),
            },
        )

    def verify_credentials(self) -> AccountInfo:
        answer = self._xrpc("GET", "com.atproto.server.getSession")
        handle = answer.get("handle", "")
        return AccountInfo(
            remote_id=answer["did"],
            name=handle,
            url=f"https://bsky.app/profile/{handle}",
            raw=answer,
        )
