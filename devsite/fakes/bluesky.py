"""Fake Bluesky PDS: sessions, blobs, post records with facets, post views and threads."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devsite.fakes.base import (
    DUPLICATE,
    EXPIRED_TOKEN,
    RATE_LIMIT,
    SERVER_ERROR,
    FakeError,
    FakePlatform,
    FakeRequest,
    FakeResponse,
)
from social import limits
from social.adapters import config

_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _new_tid() -> str:
    """A record key the server chooses: a TID from the clock and a random clock id."""
    value = (int(time.time() * 1_000_000) << 10) | secrets.randbelow(1024)
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[(value >> (5 * i)) & 0x1F] for i in reversed(range(13)))


def xrpc_error(status: int, error: str, message: str, **headers: str) -> FakeError:
    return FakeError(FakeResponse(status, {"error": error, "message": message}, headers))


def fake_cid(data: bytes) -> str:
    return "bafyrei" + hashlib.sha256(data).hexdigest()[:52]


@dataclass
class FakeRecord:
    uri: str
    cid: str
    value: dict[str, Any]
    author: dict[str, Any]
    indexed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    like_count: int = 0
    repost_count: int = 0
    quote_count: int = 0
    reply_parent: str = ""

    @property
    def rkey(self) -> str:
        return self.uri.rsplit("/", 1)[1]


class FakeBluesky(FakePlatform):
    platform = config.BLUESKY

    def __init__(
        self,
        *,
        handle: str = "kobenhavn.bsky.social",
        app_password: str = "abcd-efgh-ijkl-mnop",  # noqa: S107 (the fake's demo credential)
        did: str = "did:plc:fakekobenhavn000000000",
        display_name: str = "Københavns Kommune",
        rate_limit_seconds: int = 90,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.handle = handle
        self.app_password = app_password
        self.did = did
        self.display_name = display_name
        self.rate_limit_seconds = rate_limit_seconds
        self.access_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.create_session_calls = 0
        self.blobs: dict[str, dict[str, Any]] = {}
        self.records: dict[str, FakeRecord] = {}

    def credentials(self) -> dict[str, str]:
        """What a channel needs to talk to this fake, by the adapter's credential names."""
        return {"identifier": self.handle, "app_password": self.app_password}

    # --- Helpers for tests and the demo ----------------------------------------------------------
    def expire_access_tokens(self) -> None:
        with self.lock:
            self.expired_tokens |= self.access_tokens
            self.access_tokens.clear()

    def posts(self) -> list[FakeRecord]:
        with self.lock:
            return [r for r in self.records.values() if r.author["did"] == self.did]

    def published(self) -> list[dict[str, str]]:
        posts = sorted(self.posts(), key=lambda r: r.indexed_at)
        return [{"id": r.uri, "text": r.value.get("text", "")} for r in posts]

    def engage(self, remote_id: str, **figures: int) -> None:
        names = {"reactions": "like_count", "shares": "repost_count"}
        unknown = set(figures) - set(names)
        if unknown:
            raise ValueError(f"bluesky has no {sorted(unknown)}")
        self.set_engagement(remote_id, **{names[k]: v for k, v in figures.items()})

    def reply(self, remote_id: str, text: str, author: str = "") -> str:
        return self.add_reply(remote_id, text, handle=author or "borger.bsky.social")

    def set_engagement(self, uri: str, **values: int) -> None:
        with self.lock:
            record = self.records[uri]
            for name, value in values.items():
                setattr(record, name, value)

    def add_reply(self, uri: str, text: str, *, handle: str = "borger.bsky.social") -> str:
        with self.lock:
            author = {"did": f"did:plc:{secrets.token_hex(12)}", "handle": handle}
            rkey = f"3{secrets.token_hex(6)}"[:13]
            reply_uri = f"at://{author['did']}/{config.BLUESKY_POST_COLLECTION}/{rkey}"
            parent = self.records[uri]
            root = (parent.value.get("reply") or {}).get("root") or {
                "uri": parent.uri,
                "cid": parent.cid,
            }
            value = {
                "$type": config.BLUESKY_POST_COLLECTION,
                "text": text,
                "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "reply": {"root": dict(root), "parent": {"uri": parent.uri, "cid": parent.cid}},
            }
            self.records[reply_uri] = FakeRecord(
                reply_uri, fake_cid(text.encode()), value, author, reply_parent=uri
            )
            return reply_uri

    # --- Routing ---------------------------------------------------------------------------------
    def scripted_error(self, kind: str, request: FakeRequest) -> FakeResponse:
        if kind == EXPIRED_TOKEN:
            return FakeResponse(400, {"error": "ExpiredToken", "message": "Token has expired"})
        if kind == RATE_LIMIT:
            return FakeResponse(
                429,
                {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                {
                    "ratelimit-limit": "5000",
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(int(time.time()) + self.rate_limit_seconds),
                    "ratelimit-policy": "5000;w=3600",
                },
            )
        if kind == SERVER_ERROR:
            return FakeResponse(
                500, {"error": "InternalServerError", "message": "Internal Server Error"}
            )
        if kind == DUPLICATE:
            return FakeResponse(
                400, {"error": "InvalidRequest", "message": "Record already exists"}
            )
        return FakeResponse(400, {"error": "InvalidRequest", "message": "Input/record is invalid"})

    def route(self, request: FakeRequest) -> FakeResponse:
        if not request.path.startswith("/xrpc/"):
            raise xrpc_error(404, "NotFound", "Not Found")
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession" and request.method == "POST":
            return self._create_session(request)
        if nsid == "com.atproto.server.refreshSession" and request.method == "POST":
            token = request.bearer
            if token not in self.refresh_tokens:
                raise xrpc_error(400, "ExpiredToken", "Token has expired")
            self.refresh_tokens.discard(token)
            return FakeResponse(200, self._new_session())
        self._authenticate(request)
        handlers = {
            ("GET", "com.atproto.server.getSession"): lambda r: FakeResponse(
                200, {"did": self.did, "handle": self.handle, "active": True}
            ),
            ("POST", "com.atproto.repo.uploadBlob"): self._upload_blob,
            ("POST", "com.atproto.repo.createRecord"): self._create_record,
            ("GET", "com.atproto.repo.getRecord"): self._get_record,
            ("POST", "com.atproto.repo.deleteRecord"): self._delete_record,
            ("GET", "app.bsky.feed.getPosts"): self._get_posts,
            ("GET", "app.bsky.feed.getPostThread"): self._get_thread,
        }
        handler = handlers.get((request.method, nsid))
        if handler is None:
            raise xrpc_error(501, "MethodNotImplemented", f"Method Not Implemented: {nsid}")
        return handler(request)

    def _new_session(self) -> dict[str, Any]:
        access, refresh = f"acc-{secrets.token_hex(16)}", f"ref-{secrets.token_hex(16)}"
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {
            "did": self.did,
            "handle": self.handle,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _create_session(self, request: FakeRequest) -> FakeResponse:
        self.create_session_calls += 1
        body = request.json if isinstance(request.json, dict) else {}
        if (
            body.get("identifier") not in (self.handle, self.did)
            or body.get("password") != self.app_password
        ):
            raise xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return FakeResponse(200, self._new_session())

    def _authenticate(self, request: FakeRequest) -> None:
        token = request.bearer
        if not token:
            raise xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if token in self.expired_tokens:
            raise xrpc_error(400, "ExpiredToken", "Token has expired")
        if token not in self.access_tokens:
            raise xrpc_error(401, "InvalidToken", "Token could not be verified")

    def _upload_blob(self, request: FakeRequest) -> FakeResponse:
        if len(request.body) > config.BLUESKY_MAX_BLOB_BYTES:
            raise xrpc_error(
                400, "BlobTooLarge", f"This file is too large. Max {config.BLUESKY_MAX_BLOB_BYTES}"
            )
        cid = fake_cid(request.body)
        blob = {
            "$type": "blob",
            "ref": {"$link": cid},
            "mimeType": request.headers.get("content-type", "application/octet-stream"),
            "size": len(request.body),
        }
        self.blobs[cid] = blob
        return FakeResponse(200, {"blob": blob})

    def _invalid_record(self, message: str) -> FakeError:
        return xrpc_error(
            400, "InvalidRecord", f"Invalid {config.BLUESKY_POST_COLLECTION} record: {message}"
        )

    def _validate_post(self, record: dict[str, Any]) -> None:
        if record.get("$type") != config.BLUESKY_POST_COLLECTION:
            raise self._invalid_record("Record/$type must be app.bsky.feed.post")
        text = record.get("text")
        if not isinstance(text, str):
            raise self._invalid_record('Record must have the property "text"')
        if not record.get("createdAt"):
            raise self._invalid_record('Record must have the property "createdAt"')
        if limits.grapheme_count(text) > config.BLUESKY_MAX_GRAPHEMES:
            raise self._invalid_record(
                f"Record/text must not be longer than {config.BLUESKY_MAX_GRAPHEMES} graphemes"
            )
        size = len(text.encode("utf-8"))
        if size > config.BLUESKY_MAX_BYTES:
            raise self._invalid_record(
                f"Record/text must not be longer than {config.BLUESKY_MAX_BYTES} characters"
            )
        for index, facet in enumerate(record.get("facets") or []):
            start = facet.get("index", {}).get("byteStart")
            end = facet.get("index", {}).get("byteEnd")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
                raise self._invalid_record(f"Record/facets/{index}/index is out of range")
            try:
                text.encode("utf-8")[start:end].decode("utf-8")
            except UnicodeDecodeError:
                raise self._invalid_record(
                    f"Record/facets/{index}/index splits a character"
                ) from None
        if "reply" in record:
            self._validate_reply(record["reply"])
        embed = record.get("embed")
        if embed and embed.get("$type") == "app.bsky.embed.images":
            images = embed.get("images") or []
            if not images or len(images) > config.BLUESKY_MAX_IMAGES:
                raise self._invalid_record("Record/embed/images must have 1 to 4 elements")
            for index, image in enumerate(images):
                if not isinstance(image.get("alt"), str):
                    raise self._invalid_record(
                        f'Record/embed/images/{index} must have the property "alt"'
                    )
                ratio = image.get("aspectRatio")
                if ratio is not None and not (
                    isinstance(ratio, dict)
                    and all(
                        isinstance(ratio.get(side), int) and ratio[side] >= 1
                        for side in ("width", "height")
                    )
                ):
                    raise self._invalid_record(
                        f"Record/embed/images/{index}/aspectRatio must have a positive width "
                        "and height"
                    )
                link = ((image.get("image") or {}).get("ref") or {}).get("$link")
                if link not in self.blobs:
                    raise xrpc_error(400, "InvalidRequest", f"Could not find blob: {link}")

    def _validate_reply(self, reply: Any) -> None:
        """A reply names its thread's root and its parent by strong ref (uri and cid); the
        parent must exist with that cid."""
        if not isinstance(reply, dict):
            raise self._invalid_record("Record/reply must be an object")
        for side in ("root", "parent"):
            ref = reply.get(side)
            if not isinstance(ref, dict):
                raise self._invalid_record(f'Record/reply must have the property "{side}"')
            for name in ("uri", "cid"):
                if not isinstance(ref.get(name), str) or not ref[name]:
                    raise self._invalid_record(
                        f'Record/reply/{side} must have the property "{name}"'
                    )
            if not ref["uri"].startswith("at://"):
                raise self._invalid_record(f"Record/reply/{side}/uri must be a valid at-uri")
        parent = self.records.get(reply["parent"]["uri"])
        if parent is None or parent.cid != reply["parent"]["cid"]:
            raise xrpc_error(400, "InvalidRequest", "Could not find the parent post")

    def _create_record(self, request: FakeRequest) -> FakeResponse:
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("repo") not in (self.did, self.handle):
            raise xrpc_error(400, "InvalidRequest", "Invalid repo")
        if body.get("collection") != config.BLUESKY_POST_COLLECTION:
            raise xrpc_error(400, "InvalidRequest", "This fake stores posts only")
        record = body.get("record") or {}
        self._validate_post(record)
        rkey = body.get("rkey") or _new_tid()
        if not _TID.match(rkey):
            raise xrpc_error(400, "InvalidRequest", "Invalid record key: must be a TID")
        uri = f"at://{self.did}/{config.BLUESKY_POST_COLLECTION}/{rkey}"
        if uri in self.records:
            raise xrpc_error(400, "InvalidRequest", "Record already exists")
        cid = fake_cid(repr(record).encode())
        self.records[uri] = FakeRecord(
            uri,
            cid,
            record,
            {"did": self.did, "handle": self.handle, "displayName": self.display_name},
            reply_parent=((record.get("reply") or {}).get("parent") or {}).get("uri", ""),
        )
        return FakeResponse(
            200,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": fake_cid(cid.encode()), "rev": rkey},
                "validationStatus": "valid",
            },
        )

    def _get_record(self, request: FakeRequest) -> FakeResponse:
        uri = f"at://{self.did}/{request.param('collection', '')}/{request.param('rkey', '')}"
        record = self.records.get(uri)
        if record is None:
            raise xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return FakeResponse(200, {"uri": uri, "cid": record.cid, "value": record.value})

    def _delete_record(self, request: FakeRequest) -> FakeResponse:
        body = request.json if isinstance(request.json, dict) else {}
        uri = f"at://{self.did}/{body.get('collection')}/{body.get('rkey')}"
        self.records.pop(uri, None)
        return FakeResponse(200, {"commit": {"cid": fake_cid(uri.encode()), "rev": "fake"}})

    def _view(self, record: FakeRecord) -> dict[str, Any]:
        replies = sum(1 for r in self.records.values() if r.reply_parent == record.uri)
        return {
            "uri": record.uri,
            "cid": record.cid,
            "author": record.author,
            "record": record.value,
            "replyCount": replies,
            "repostCount": record.repost_count,
            "likeCount": record.like_count,
            "quoteCount": record.quote_count,
            "indexedAt": record.indexed_at.isoformat().replace("+00:00", "Z"),
        }

    def _get_posts(self, request: FakeRequest) -> FakeResponse:
        uris = request.query.get("uris", "").split(",")
        posts = [self._view(self.records[u]) for u in uris if u in self.records]
        return FakeResponse(200, {"posts": posts})

    def _thread_view(self, record: FakeRecord, depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._view(record),
        }
        if depth > 0:
            node["replies"] = [
                self._thread_view(r, depth - 1)
                for r in self.records.values()
                if r.reply_parent == record.uri
            ]
        return node

    def _get_thread(self, request: FakeRequest) -> FakeResponse:
        uri = request.param("uri", "")
        record = self.records.get(uri)
        if record is None:
            raise xrpc_error(400, "NotFound", f"Post not found: {uri}")
        depth = int(request.param("depth", "6"))
        return FakeResponse(200, {"thread": self._thread_view(record, depth)})
