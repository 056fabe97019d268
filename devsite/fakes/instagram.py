"""Fake Instagram professional account: containers, status polling, media_publish, insights."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from devsite.fakes.base import FakeError, FakeRequest, FakeResponse
from devsite.fakes.graph import GraphFake, graph_error, graph_time
from devsite.fakes.oauth import OAuthRefusal
from social import limits
from social.adapters import config

SHORT_LIVED_TOKEN_SECONDS = 3600
LONG_LIVED_TOKEN_SECONDS = 60 * 24 * 3600
# A long-lived token can be refreshed once it is a day old.
REFRESH_MIN_AGE_SECONDS = 24 * 3600


@dataclass
class FakeContainer:
    id: str
    image_url: str
    caption: str
    alt_text: str
    polls_until_finished: int
    status: str = "IN_PROGRESS"
    media_id: str = ""


@dataclass
class FakeMedia:
    id: str
    caption: str
    container_id: str
    alt_text: str = ""
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    like_count: int = 0
    # Insights not yet computed stay None and are left out of the answer, as the API does.
    insights: dict[str, int | None] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/p/{self.id}/"


class FakeInstagram(GraphFake):
    platform = config.INSTAGRAM
    controllable = ("publishing_limit",)

    def __init__(
        self,
        *,
        ig_user_id: str = "17841400000000001",
        username: str = "kobenhavnskommune",
        access_token: str = "ig-token",  # noqa: S107 (the fake's demo credential)
        app_secret: str = "",
        polls_until_finished: int = 1,
        app_id: str = "ig-app-id",
        login_secret: str = "ig-app-secret",  # noqa: S107 (the fake's demo credential)
        **kwargs: Any,
    ):
        super().__init__(access_token=access_token, app_secret=app_secret, **kwargs)
        # Instagram Login's app; the proof on API calls is only checked when app_secret is set.
        self.app_id = app_id
        self.login_secret = login_secret
        self.oauth.register(app_id, login_secret)
        self.ig_user_id = ig_user_id
        self.username = username
        self.polls_until_finished = polls_until_finished
        # Set by tests: fetch each image_url like Instagram does, and refuse what is not public.
        self.fetch_images = False
        self.fetched: dict[str, bytes] = {}
        # Instagram allows this many API posts per account in any 24 hours.
        self.publishing_limit = config.INSTAGRAM_PUBLISHING_LIMIT_PER_DAY
        self.containers: dict[str, FakeContainer] = {}
        self.media: dict[str, FakeMedia] = {}

    def credentials(self) -> dict[str, str]:
        """What a channel needs to talk to this fake, by the adapter's credential names."""
        return {
            "ig_user_id": self.ig_user_id,
            "access_token": self.access_token,
            "app_secret": self.app_secret,
        }

    def oauth_client(self) -> dict[str, str]:
        return {"client_id": self.app_id, "client_secret": self.login_secret}

    def set_insights(self, media_id: str, **values: int | None) -> None:
        with self.lock:
            self.media[media_id].insights.update(values)

    def published(self) -> list[dict[str, str]]:
        media = sorted(self.media.values(), key=lambda m: m.timestamp)
        return [{"id": m.id, "text": m.caption} for m in media]

    def engage(self, remote_id: str, **figures: int) -> None:
        unknown = set(figures) - {"reach", "views", "reactions", "shares"}
        if unknown:
            raise ValueError(f"instagram has no {sorted(unknown)}")
        media = self.media[remote_id]
        if "reactions" in figures:
            media.like_count = figures["reactions"]
            figures["likes"] = figures.pop("reactions")
        self.set_insights(remote_id, **figures)

    def reply(self, remote_id: str, text: str, author: str = "") -> str:
        return self.add_comment(remote_id, text, username=author or "borger_kbh")

    def add_comment(
        self, media_id: str, text: str, *, username: str = "borger_kbh", parent_id: str = ""
    ) -> str:
        with self.lock:
            comment_id = self.new_id()
            self.media[media_id].comments.append(
                {
                    "id": comment_id,
                    "text": text,
                    "username": username,
                    "timestamp": datetime.now(UTC),
                    "like_count": 0,
                    "parent": parent_id,
                    "hidden": False,
                }
            )
            return comment_id

    def comment(self, comment_id: str) -> tuple[FakeMedia, dict[str, Any]] | None:
        """The media holding a comment, and the comment; None for an unknown id."""
        with self.lock:
            for media in self.media.values():
                for comment in media.comments:
                    if comment["id"] == comment_id:
                        return media, comment
        return None

    def route(self, request: FakeRequest) -> FakeResponse:
        method = request.method
        if method == "GET" and request.path == "/oauth/authorize":
            # www.instagram.com serves the consent page; the fake serves it beside the API.
            return self.oauth.authorize(
                request.query,
                require_pkce=False,
                denied={
                    "error": "access_denied",
                    "error_reason": "user_denied",
                    "error_description": "The user denied your request.",
                },
            )
        if method == "POST" and request.path == "/oauth/access_token":
            return self._code_exchange(request)
        if method == "GET" and request.path == "/access_token":
            return self._long_lived(request)
        if method == "GET" and request.path == "/refresh_access_token":
            return self._refresh(request)
        path = self.segments(request)
        if path == ["me"] and method == "GET":
            return FakeResponse(
                200, {"user_id": self.ig_user_id, "username": self.username, "id": self.ig_user_id}
            )
        if len(path) == 2 and path[0] == self.ig_user_id:
            if path[1] == "media" and method == "POST":
                return self._create_container(request)
            if path[1] == "media_publish" and method == "POST":
                return self._publish(request)
            if path[1] == "media" and method == "GET":
                return self._list_media(request)
        if path and path[0] in self.containers and len(path) == 1 and method == "GET":
            container = self.containers[path[0]]
            if container.status == "IN_PROGRESS":
                container.polls_until_finished -= 1
                if container.polls_until_finished < 0:
                    container.status = "FINISHED"
            return FakeResponse(200, {"status_code": container.status, "id": container.id})
        found = self.comment(path[0]) if path else None
        if found is not None and method == "POST":
            if path[1:] == ["replies"]:
                return self._reply(*found, request)
            if len(path) == 1:
                return self._hide(found[1], request)
        media = self.media.get(path[0]) if path else None
        if media is None:
            raise self.missing_object(path[0] if path else "")
        if len(path) == 1 and method == "GET":
            return FakeResponse(200, self._media_fields(media, request))
        if len(path) == 1 and method == "DELETE":
            raise FakeError(
                graph_error(
                    "(#3) Application does not have the capability to make this API call.", 3
                )
            )
        if path[1:] == ["insights"] and method == "GET":
            return self._insights(media, request)
        if path[1:] == ["comments"] and method == "GET":
            return self._comments(media)
        raise self.missing_object("/".join(path))

    # --- Instagram Login --------------------------------------------------------------------------
    def _code_exchange(self, request: FakeRequest) -> FakeResponse:
        """api.instagram.com/oauth/access_token: the code for a short-lived token."""
        form = request.form
        try:
            client = self.oauth.client(form.get("client_id", ""), form.get("client_secret", ""))
            if form.get("grant_type") != "authorization_code":
                raise OAuthRefusal("invalid_request", "Invalid grant_type")
            grant = self.oauth.redeem(
                form.get("code", ""),
                client_id=client.client_id,
                redirect_uri=form.get("redirect_uri", ""),
            )
        except OAuthRefusal as refusal:
            message = {
                "invalid_client": "Invalid platform app",
                "invalid_grant": "Invalid authorization code",
            }.get(refusal.error, refusal.description)
            return FakeResponse(
                400, {"error_type": "OAuthException", "code": 400, "error_message": message}
            )
        answer = self.oauth.issue(client.client_id, grant.scope, lifetime=SHORT_LIVED_TOKEN_SECONDS)
        return FakeResponse(
            200,
            {
                "data": [
                    {
                        "access_token": answer["access_token"],
                        "user_id": self.ig_user_id,
                        "permissions": grant.scope,
                    }
                ]
            },
        )

    def _long_lived(self, request: FakeRequest) -> FakeResponse:
        """graph.instagram.com/access_token?grant_type=ig_exchange_token."""
        if request.query.get("grant_type") != "ig_exchange_token":
            raise FakeError(graph_error("Unsupported grant_type", 100))
        short = request.query.get("access_token", "")
        self.check_token(short)
        client = self.oauth.clients[self.oauth.access_tokens[short].client_id]
        if request.query.get("client_secret") != client.client_secret:
            raise FakeError(graph_error("Error validating client secret.", 1))
        answer = self.oauth.issue(
            client.client_id,
            self.oauth.access_tokens[short].scope,
            lifetime=LONG_LIVED_TOKEN_SECONDS,
        )
        return FakeResponse(
            200,
            {
                "access_token": answer["access_token"],
                "token_type": "bearer",
                "expires_in": answer["expires_in"],
            },
        )

    def _refresh(self, request: FakeRequest) -> FakeResponse:
        """graph.instagram.com/refresh_access_token: a valid token a day old or more."""
        if request.query.get("grant_type") != "ig_refresh_token":
            raise FakeError(graph_error("Unsupported grant_type", 100))
        token = request.query.get("access_token", "")
        self.check_token(token)
        self.oauth.refresh_requests += 1
        try:
            answer = self.oauth.reissue(token, min_age=REFRESH_MIN_AGE_SECONDS)
        except OAuthRefusal:
            raise FakeError(
                graph_error("The access token can be refreshed when it is 24 hours old.", 190)
            ) from None
        return FakeResponse(
            200,
            {
                "access_token": answer["access_token"],
                "token_type": "bearer",
                "expires_in": answer["expires_in"],
            },
        )

    def _create_container(self, request: FakeRequest) -> FakeResponse:
        image_url = request.param("image_url", "")
        if not image_url:
            raise FakeError(
                graph_error("(#100) The parameter image_url is required", 100, subcode=2207052)
            )
        fetched = self._fetch(image_url) if self.fetch_images else None
        caption = request.param("caption", "") or ""
        if len(caption) > config.INSTAGRAM_MAX_CAPTION:
            raise FakeError(graph_error("(#100) The caption is too long.", 100, subcode=2207008))
        if len(limits.find_hashtags(caption)) > config.INSTAGRAM_MAX_HASHTAGS:
            raise FakeError(
                graph_error("(#100) The caption has too many hashtags.", 100, subcode=2207008)
            )
        container = FakeContainer(
            id=self.new_id(),
            image_url=image_url,
            caption=caption,
            alt_text=request.param("alt_text", "") or "",
            polls_until_finished=self.polls_until_finished,
        )
        self.containers[container.id] = container
        if fetched is not None:
            self.fetched[container.id] = fetched
        return FakeResponse(200, {"id": container.id})

    def _fetch(self, image_url: str) -> bytes:
        """Fetch the image as Instagram's servers do: anonymously, from the public address."""
        failed = FakeError(
            graph_error(
                "Media download has failed. The media URI doesn't meet our requirements.",
                9004,
                subcode=2207052,
            )
        )
        try:
            answer = httpx.get(image_url, timeout=5.0, follow_redirects=True)
        except httpx.HTTPError:
            raise failed from None
        if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith(
            "image/"
        ):
            raise failed
        return answer.content

    def _publish(self, request: FakeRequest) -> FakeResponse:
        container = self.containers.get(request.param("creation_id", ""))
        if container is None:
            raise self.missing_object(request.param("creation_id", ""))
        if container.status in ("IN_PROGRESS", "ERROR", "EXPIRED"):
            raise FakeError(
                graph_error(
                    "Media ID is not available", 9007, subcode=2207027, error_type="OAuthException"
                )
            )
        if container.status == "PUBLISHED":
            raise FakeError(
                graph_error("(#100) The media has already been published.", 100, subcode=2207001)
            )
        day_ago = datetime.fromtimestamp(self.now() - 24 * 3600, UTC)
        if sum(m.timestamp > day_ago for m in self.media.values()) >= self.publishing_limit:
            raise FakeError(
                graph_error(
                    "Application request limit reached",
                    9,
                    subcode=2207042,
                    error_type="OAuthException",
                )
            )
        media = FakeMedia(
            id=self.new_id(),
            caption=container.caption,
            container_id=container.id,
            alt_text=container.alt_text,
            timestamp=datetime.fromtimestamp(self.now(), UTC),
        )
        self.media[media.id] = media
        container.status = "PUBLISHED"
        container.media_id = media.id
        return FakeResponse(200, {"id": media.id})

    def _media_fields(self, media: FakeMedia, request: FakeRequest) -> dict[str, Any]:
        every = {
            "id": media.id,
            "caption": media.caption,
            "permalink": media.permalink,
            "timestamp": graph_time(media.timestamp),
            "like_count": media.like_count,
            "comments_count": len(media.comments),
            "media_type": "IMAGE",
        }
        wanted = (request.param("fields", "id") or "id").split(",")
        return {name: every[name] for name in ["id", *wanted] if name in every}

    def _list_media(self, request: FakeRequest) -> FakeResponse:
        limit = int(request.param("limit", "25"))
        newest = sorted(self.media.values(), key=lambda m: m.timestamp, reverse=True)[:limit]
        return FakeResponse(
            200, {"data": [self._media_fields(m, request) for m in newest], "paging": {}}
        )

    def _insights(self, media: FakeMedia, request: FakeRequest) -> FakeResponse:
        names = [n for n in (request.param("metric", "") or "").split(",") if n]
        unknown = [n for n in names if n not in config.INSTAGRAM_INSIGHT_METRICS]
        if unknown:
            raise FakeError(
                graph_error(
                    f"(#100) metric[0] must be one of the following values: "
                    f"{', '.join(config.INSTAGRAM_INSIGHT_METRICS)}",
                    100,
                )
            )
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": media.insights[name]}],
                "id": f"{media.id}/insights/{name}/lifetime",
            }
            for name in names
            if media.insights.get(name) is not None
        ]
        return FakeResponse(200, {"data": data})

    def _reply(
        self, media: FakeMedia, comment: dict[str, Any], request: FakeRequest
    ) -> FakeResponse:
        """POST /{ig-comment-id}/replies: the account answers; a reply to a reply goes to the
        top-level comment, and hidden comments take no replies."""
        message = (request.param("message") or "").strip()
        if not message:
            raise FakeError(graph_error("(#100) The parameter message is required", 100))
        if len(message) > config.INSTAGRAM_MAX_CAPTION:
            raise FakeError(graph_error("(#100) The comment is too long.", 100, subcode=2207008))
        if comment["hidden"]:
            raise FakeError(
                graph_error("(#100) Cannot reply to a hidden comment.", 100, subcode=2207046)
            )
        top = comment["parent"] or comment["id"]
        reply_id = self.add_comment(media.id, message, username=self.username, parent_id=top)
        return FakeResponse(200, {"id": reply_id})

    def _hide(self, comment: dict[str, Any], request: FakeRequest) -> FakeResponse:
        """POST /{ig-comment-id}?hide=true|false."""
        value = request.param("hide")
        if value not in ("true", "false"):
            raise FakeError(graph_error("(#100) Param hide must be a boolean", 100))
        if comment["username"] == self.username:
            raise FakeError(graph_error("(#100) The account's own comments cannot be hidden.", 100))
        comment["hidden"] = value == "true"
        return FakeResponse(200, {"success": True})

    def _comments(self, media: FakeMedia) -> FakeResponse:
        def shape(c: dict[str, Any]) -> dict[str, Any]:
            return {
                "id": c["id"],
                "text": c["text"],
                "username": c["username"],
                "timestamp": graph_time(c["timestamp"]),
                "like_count": c["like_count"],
                "hidden": c["hidden"],
            }

        data = []
        for c in media.comments:
            if c["parent"]:
                continue
            item = shape(c)
            replies = [shape(r) for r in media.comments if r["parent"] == c["id"]]
            if replies:
                item["replies"] = {"data": replies}
            data.append(item)
        return FakeResponse(200, {"data": data})
