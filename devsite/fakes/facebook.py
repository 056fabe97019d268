"""Fake Facebook Page on the Graph API: feed and photo posts, published_posts, counts,
insights, comments, delete."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from devsite.fakes.base import FakeError, FakeRequest, FakeResponse
from devsite.fakes.graph import GraphFake, graph_error, graph_time
from devsite.fakes.oauth import OAuthRefusal
from social.adapters import config

# Graph API gives insights only to pages with at least this many likes.
SHORT_LIVED_USER_TOKEN_SECONDS = 3600
LONG_LIVED_USER_TOKEN_SECONDS = 60 * 24 * 3600
PAGE_TASKS = ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]

INSIGHTS_MIN_FANS = 100


@dataclass
class FakeFacebookPost:
    id: str
    message: str
    link: str = ""
    created_time: datetime = field(default_factory=lambda: datetime.now(UTC))
    photos: list[dict[str, Any]] = field(default_factory=list)
    shares: int = 0
    reactions: int = 0
    views: int = 0
    reach: int = 0
    comments: list[dict[str, Any]] = field(default_factory=list)


class FakeFacebook(GraphFake):
    platform = config.FACEBOOK
    controllable = ("blocked",)
    token_kind = "page"  # noqa: S105 (a kind of token, not one)

    def __init__(
        self,
        *,
        page_id: str = "100200300",
        page_name: str = "Københavns Kommune",
        access_token: str = "fb-page-token",  # noqa: S107 (the fake's demo credential)
        app_secret: str = "fb-app-secret",  # noqa: S107 (the fake's demo credential)
        fan_count: int = 15000,
        app_id: str = "fb-app-id",
        other_pages: tuple[tuple[str, str], ...] = (),
        **kwargs: Any,
    ):
        super().__init__(access_token=access_token, app_secret=app_secret, app_id=app_id, **kwargs)
        # Set by tests: the page is temporarily blocked from posting (error 368).
        self.blocked = False
        # The webhook fields the app is subscribed to for the page (subscribed_apps); tests may
        # set `metadata_permission` False to answer as Meta does without pages_manage_metadata.
        self.subscribed_fields: list[str] = []
        self.metadata_permission = True
        self.page_id = page_id
        self.page_name = page_name
        # Further pages the logged-in person manages (listed by /me/accounts only).
        self.pages = {page_id: page_name, **dict(other_pages)}
        # Page token -> the page it speaks for.
        self.page_tokens: dict[str, str] = {access_token: page_id}
        self.fan_count = fan_count
        self.posts: dict[str, FakeFacebookPost] = {}
        self.photos: dict[str, dict[str, Any]] = {}

    def credentials(self) -> dict[str, str]:
        """What a channel needs to talk to this fake, by the adapter's credential names."""
        return {
            "page_id": self.page_id,
            "access_token": self.access_token,
            "app_secret": self.app_secret,
        }

    # --- Helpers for tests and the demo -----------------------------------------------------------
    def set_engagement(self, post_id: str, **values: int) -> None:
        with self.lock:
            post = self.posts[post_id]
            for name, value in values.items():
                setattr(post, name, value)

    def published(self) -> list[dict[str, str]]:
        posts = sorted(self.posts.values(), key=lambda p: p.created_time)
        return [{"id": p.id, "text": p.message} for p in posts]

    def engage(self, remote_id: str, **figures: int) -> None:
        unknown = set(figures) - {"reach", "views", "reactions", "shares"}
        if unknown:
            raise ValueError(f"facebook has no {sorted(unknown)}")
        self.set_engagement(remote_id, **figures)

    def reply(self, remote_id: str, text: str, author: str = "") -> str:
        return self.add_comment(remote_id, text, author=author or "Karen Jensen")

    def add_comment(
        self, post_id: str, message: str, *, author: str = "Karen Jensen", parent_id: str = ""
    ) -> str:
        with self.lock:
            post = self.posts[post_id]
            comment_id = f"{post_id.split('_')[1]}_{self.new_id()}"
            post.comments.append(
                {
                    "id": comment_id,
                    "message": message,
                    "from": {"id": self.new_id(), "name": author},
                    "created_time": datetime.now(UTC),
                    "parent": parent_id,
                    "like_count": 0,
                    "is_hidden": False,
                }
            )
            return comment_id

    # --- Routing ----------------------------------------------------------------------------------
    def route(self, request: FakeRequest) -> FakeResponse:
        method = request.method
        version = self.graph_version(request)
        if version and method == "GET" and request.path == f"/{version}/dialog/oauth":
            # www.facebook.com serves the Login dialog; the fake serves it beside the API.
            return self.oauth.authorize(
                request.query,
                require_pkce=False,
                denied={
                    "error": "access_denied",
                    "error_code": "200",
                    "error_description": "Permissions error",
                    "error_reason": "user_denied",
                },
            )
        if version and method == "GET" and request.path == f"/{version}/oauth/access_token":
            return self._access_token(request)
        if version and method == "GET" and request.path == f"/{version}/me/accounts":
            self.segments(request, kind="user")
            return self._accounts(request)
        path = self.segments(request)
        if path == ["me"] and method == "GET":
            page_id = self.page_tokens.get(
                request.param("access_token") or request.bearer, self.page_id
            )
            return FakeResponse(
                200,
                {
                    "id": page_id,
                    "name": self.pages.get(page_id, ""),
                    "link": f"https://www.facebook.com/{page_id}",
                },
            )
        if len(path) == 2 and path[0] == self.page_id:
            if path[1] in ("feed", "photos") and method == "POST" and self.blocked:
                raise FakeError(
                    graph_error(
                        "It looks like you were misusing this feature by going too fast. "
                        "You've been temporarily blocked from using it.",
                        368,
                        subcode=1390008,
                    )
                )
            if path[1] == "feed" and method == "POST":
                return self._create_feed_post(request)
            if path[1] == "photos" and method == "POST":
                return self._create_photo(request)
            if path[1] == "published_posts" and method == "GET":
                return self._published_posts(request)
            if path[1] == "subscribed_apps":
                return self._subscribed_apps(request)
        if len(path) == 2 and path[1] == "comments" and method == "POST":
            return self._reply_to_comment(path[0], request)
        if len(path) == 1 and method == "POST" and self.comment(path[0]) is not None:
            return self._hide_comment(self.comment(path[0]), request)
        post = self.posts.get(path[0]) if path else None
        if post is None:
            raise self.missing_object(path[0] if path else "")
        if len(path) == 1 and method == "GET":
            return FakeResponse(200, self._post_fields(post))
        if len(path) == 1 and method == "DELETE":
            del self.posts[post.id]
            return FakeResponse(200, {"success": True})
        if path[1:] == ["comments"] and method == "GET":
            return self._comments(post, request)
        if path[1:] == ["insights"] and method == "GET":
            return self._insights(post, request)
        raise self.missing_object("/".join(path))

    def _reply_to_comment(self, comment_id: str, request: FakeRequest) -> FakeResponse:
        """The page answers a comment: a reply under it, written as the page."""
        message = (request.param("message") or "").strip()
        with self.lock:
            for post in self.posts.values():
                if any(comment["id"] == comment_id for comment in post.comments):
                    break
            else:
                raise self.missing_object(comment_id)
        if not message:
            raise FakeError(graph_error("(#100) The parameter message is required", 100))
        reply_id = self.add_comment(post.id, message, author=self.page_name, parent_id=comment_id)
        return FakeResponse(200, {"id": reply_id})

    def comment(self, comment_id: str) -> dict[str, Any] | None:
        with self.lock:
            for post in self.posts.values():
                for comment in post.comments:
                    if comment["id"] == comment_id:
                        return comment
        return None

    def _hide_comment(self, comment: dict[str, Any], request: FakeRequest) -> FakeResponse:
        """POST /{comment-id}?is_hidden=true|false: the page hides a comment from everyone but
        its author and the page's people; the page's own comments cannot be hidden."""
        value = request.param("is_hidden")
        if value not in ("true", "false"):
            raise FakeError(graph_error("(#100) Param is_hidden must be a boolean", 100))
        if comment["from"].get("name") == self.page_name:
            raise FakeError(graph_error("(#100) Cannot hide a comment made by the page", 100))
        comment["is_hidden"] = value == "true"
        return FakeResponse(200, {"success": True})

    def _subscribed_apps(self, request: FakeRequest) -> FakeResponse:
        """Webhook subscription of the app for this page (POST adds fields, GET lists them)."""
        if request.method == "GET":
            return FakeResponse(
                200, {"data": [{"id": self.app_id, "subscribed_fields": self.subscribed_fields}]}
            )
        if request.method != "POST":
            raise self.missing_object("subscribed_apps")
        fields = [f for f in (request.param("subscribed_fields") or "").split(",") if f]
        if not fields:
            raise FakeError(graph_error("(#100) The parameter subscribed_fields is required.", 100))
        if not self.metadata_permission:
            raise FakeError(
                graph_error(
                    "(#200) To subscribe to the feed field, one of these permissions is needed: "
                    "pages_manage_metadata",
                    200,
                )
            )
        self.subscribed_fields = sorted(set(self.subscribed_fields) | set(fields))
        return FakeResponse(200, {"success": True})

    # --- Facebook Login ---------------------------------------------------------------------------
    def _access_token(self, request: FakeRequest) -> FakeResponse:
        """The code exchange, and fb_exchange_token for a long-lived user token."""
        try:
            client = self.oauth.client(request.query.get("client_id", ""))
        except OAuthRefusal:
            raise FakeError(
                graph_error("Error validating application. Invalid application ID.", 101)
            ) from None
        if request.query.get("client_secret") != client.client_secret:
            raise FakeError(graph_error("Error validating client secret.", 1))
        if request.query.get("grant_type") == "fb_exchange_token":
            short = request.query.get("fb_exchange_token", "")
            self.check_token(short, "user")
            answer = self.oauth.issue(
                client.client_id,
                self.oauth.access_tokens[short].scope,
                lifetime=LONG_LIVED_USER_TOKEN_SECONDS,
            )
            return FakeResponse(200, _token_answer(answer))
        try:
            grant = self.oauth.redeem(
                request.query.get("code", ""),
                client_id=client.client_id,
                redirect_uri=request.query.get("redirect_uri", ""),
            )
        except OAuthRefusal as refusal:
            if "URI" in refusal.description:
                raise FakeError(
                    graph_error(
                        "Error validating verification code. Please make sure your redirect_uri "
                        "is identical to the one you used in the OAuth dialog request",
                        100,
                        subcode=36008,
                    )
                ) from None
            raise FakeError(
                graph_error("This authorization code has been used.", 100, subcode=36009)
            ) from None
        answer = self.oauth.issue(
            client.client_id, grant.scope, lifetime=SHORT_LIVED_USER_TOKEN_SECONDS
        )
        return FakeResponse(200, _token_answer(answer))

    def _accounts(self, request: FakeRequest) -> FakeResponse:
        """The pages the user manages, each with a page token.

        A page token got with a long-lived user token never expires; with a short-lived one it
        dies with the user token.
        """
        user = self.oauth.access_tokens[request.param("access_token") or request.bearer]
        long_lived = (user.expires_at or 0) - user.issued_at > 86400
        data = []
        for page_id, name in self.pages.items():
            remaining = None if long_lived else max(1, int(user.expires_at - self.oauth.now()))
            token = self.oauth.issue(user.client_id, "", kind="page", lifetime=remaining)[
                "access_token"
            ]
            self.page_tokens[token] = page_id
            data.append(
                {
                    "access_token": token,
                    "category": "Government organization",
                    "category_list": [{"id": "2235", "name": "Government organization"}],
                    "name": name,
                    "id": page_id,
                    "tasks": PAGE_TASKS,
                }
            )
        return FakeResponse(
            200, {"data": data, "paging": {"cursors": {"before": "QVFIUm", "after": "QVFIUn"}}}
        )

    def _check_message(self, message: str) -> None:
        if len(message) > config.FACEBOOK_MAX_MESSAGE:
            raise FakeError(graph_error("(#100) The message is too long.", 100))
        latest = max(self.posts.values(), key=lambda p: p.created_time, default=None)
        if message and latest is not None and latest.message == message:
            raise FakeError(graph_error("(#506) Duplicate status message", 506))

    def _new_post(self, message: str, **values: Any) -> FakeFacebookPost:
        post = FakeFacebookPost(id=f"{self.page_id}_{self.new_id()}", message=message, **values)
        self.posts[post.id] = post
        return post

    def _create_feed_post(self, request: FakeRequest) -> FakeResponse:
        message = request.param("message", "") or ""
        link = request.param("link", "") or ""
        attached = []
        index = 0
        while (value := request.param(f"attached_media[{index}]")) is not None:
            try:
                photo_id = str(json.loads(value)["media_fbid"])
            except (ValueError, KeyError, TypeError):
                raise FakeError(graph_error("(#100) Invalid attached_media", 100)) from None
            if photo_id not in self.photos:
                raise FakeError(graph_error(f"(#100) Invalid media_fbid {photo_id}", 100))
            attached.append(self.photos[photo_id])
            index += 1
        if not message and not link and not attached:
            raise FakeError(graph_error("(#100) Either message or link must be provided.", 100))
        self._check_message(message)
        post = self._new_post(message, link=link, photos=attached)
        return FakeResponse(200, {"id": post.id})

    def _create_photo(self, request: FakeRequest) -> FakeResponse:
        url = request.param("url", "")
        source = request.files.get("source")
        if not url and source is None:
            raise FakeError(graph_error("(#324) Requires upload file", 324))
        if source is not None and len(source.data) > config.FACEBOOK_MAX_IMAGE_BYTES:
            raise FakeError(graph_error("(#1) The image is too large.", 1))
        photo = {
            "id": self.new_id(),
            "url": url,
            "size": len(source.data) if source else 0,
            "alt_text_custom": request.param("alt_text_custom", ""),
        }
        self.photos[photo["id"]] = photo
        if request.param("published", "true") == "false":
            return FakeResponse(200, {"id": photo["id"]})
        caption = request.param("caption", "") or ""
        self._check_message(caption)
        post = self._new_post(caption, photos=[photo])
        return FakeResponse(200, {"id": photo["id"], "post_id": post.id})

    def _published_posts(self, request: FakeRequest) -> FakeResponse:
        limit = int(request.param("limit", "25"))
        newest = sorted(self.posts.values(), key=lambda p: p.created_time, reverse=True)
        data = [
            {
                "id": post.id,
                "message": post.message,
                "created_time": graph_time(post.created_time),
                "permalink_url": f"https://www.facebook.com/{post.id}",
            }
            for post in newest[:limit]
        ]
        return FakeResponse(200, {"data": data, "paging": {}})

    def _post_fields(self, post: FakeFacebookPost) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "id": post.id,
            "comments": {
                "data": [],
                "summary": {
                    "order": "ranked",
                    "total_count": len(post.comments),
                    "can_comment": True,
                },
            },
            "reactions": {
                "data": [],
                "summary": {"total_count": post.reactions, "viewer_reaction": "NONE"},
            },
        }
        # Like the real API, `shares` is left out while nobody has shared the post.
        if post.shares:
            answer["shares"] = {"count": post.shares}
        return answer

    def _comments(self, post: FakeFacebookPost, request: FakeRequest) -> FakeResponse:
        comments = post.comments
        if request.param("filter", "toplevel") == "toplevel":
            comments = [c for c in comments if not c["parent"]]
        since = request.param("since")
        if since:
            moment = datetime.fromtimestamp(int(since), UTC)
            comments = [c for c in comments if c["created_time"] > moment]
        start = int(request.param("after") or 0)
        limit = int(request.param("limit", "25"))
        page = comments[start : start + limit]
        data = []
        for comment in page:
            item = {
                "id": comment["id"],
                "message": comment["message"],
                "from": comment["from"],
                "created_time": graph_time(comment["created_time"]),
                "like_count": comment["like_count"],
                "is_hidden": comment["is_hidden"],
                "permalink_url": f"https://www.facebook.com/{comment['id']}",
            }
            if comment["parent"]:
                item["parent"] = {"id": comment["parent"]}
            data.append(item)
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + limit)}}
        if start + limit < len(comments):
            paging["next"] = f"{self.base_url}{request.path}?after={start + limit}"
        return FakeResponse(
            200, {"data": data, "paging": paging, "summary": {"total_count": len(comments)}}
        )

    def _insights(self, post: FakeFacebookPost, request: FakeRequest) -> FakeResponse:
        names = [n for n in (request.param("metric", "") or "").split(",") if n]
        for name in names:
            if name in config.FACEBOOK_REMOVED_METRICS:
                raise FakeError(
                    graph_error(f"(#3001) The metric {name} has been deprecated.", 3001)
                )
        if self.fan_count < INSIGHTS_MIN_FANS:
            return FakeResponse(200, {"data": [], "paging": {}})
        values = {
            config.FACEBOOK_INSIGHT_METRICS["views"]: post.views,
            config.FACEBOOK_INSIGHT_METRICS["reach"]: post.reach,
        }
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": values[name]}],
                "id": f"{post.id}/insights/{name}/lifetime",
            }
            for name in names
            if name in values
        ]
        return FakeResponse(200, {"data": data, "paging": {}})


def _token_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """The Graph API's token answer: no scope, no refresh token."""
    shape = {"access_token": answer["access_token"], "token_type": "bearer"}
    if "expires_in" in answer:
        shape["expires_in"] = answer["expires_in"]
    return shape
