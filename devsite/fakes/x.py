"""Fake X API v2: posts, media upload with alt text, public metrics, replies, delete."""

from __future__ import annotations

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
from devsite.fakes.oauth import OAuthRefusal, OAuthServer, basic_credentials
from social import limits
from social.adapters import config

# X's OAuth 2.0 access tokens live two hours.
ACCESS_TOKEN_SECONDS = 7200


def problem(status: int, title: str, detail: str, type_: str = "about:blank") -> FakeResponse:
    return FakeResponse(status, {"title": title, "detail": detail, "type": type_, "status": status})


def _tco(text: str) -> str:
    """X stores links wrapped in t.co, so a post read back differs from the text sent."""
    for index, span in enumerate(reversed(limits.find_urls(text, bare_domains=True))):
        text = text[: span.start] + f"https://t.co/fake{index:06d}" + text[span.end :]
    return text


def shown_text(text: str, tweet_id: str, media_ids: list[str]) -> str:
    """The text as X answers it: links in t.co, & < > escaped as HTML entities, and for a post
    with media the media's own t.co link at the end."""
    shown = _tco(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if media_ids:
        shown = f"{shown} https://t.co/media{tweet_id}".strip()
    return shown


@dataclass
class FakeTweet:
    id: str
    text: str
    author_id: str
    conversation_id: str = ""
    in_reply_to: str = ""
    media_ids: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    metrics: dict[str, int] = field(
        default_factory=lambda: {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": 0,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 0,
        }
    )

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": shown_text(self.text, self.id, self.media_ids),
            "edit_history_tweet_ids": [self.id],
            "author_id": self.author_id,
            "conversation_id": self.conversation_id or self.id,
            "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }


class FakeX(FakePlatform):
    platform = config.X
    controllable = ("credits",)

    def __init__(
        self,
        *,
        access_token: str = "x-user-token",  # noqa: S107 (the fake's demo credential)
        user_id: str = "1500000000000000001",
        username: str = "kobenhavn",
        name: str = "Københavns Kommune",
        rate_limit_seconds: int = 120,
        client_id: str = "x-client-id",
        client_secret: str = "x-client-secret",  # noqa: S107 (the fake's demo credential)
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        # Pay-per-use credits left for posts (None: unlimited); at 0 X answers 402.
        self.credits: int | None = None
        self.access_token = access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.oauth = OAuthServer(access_lifetime=ACCESS_TOKEN_SECONDS)
        self.oauth.register(client_id, client_secret)
        self.user_id = user_id
        self.username = username
        self.name = name
        self.rate_limit_seconds = rate_limit_seconds
        self.token_expired = False
        self.tweets: dict[str, FakeTweet] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.users = {user_id: {"id": user_id, "name": name, "username": username}}

    def credentials(self) -> dict[str, str]:
        """What a channel needs to talk to this fake, by the adapter's credential names."""
        return {"access_token": self.access_token, "user_id": self.user_id}

    def oauth_client(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}

    def set_metrics(self, tweet_id: str, **values: int) -> None:
        with self.lock:
            self.tweets[tweet_id].metrics.update(values)

    def published(self) -> list[dict[str, str]]:
        own = sorted(
            (t for t in self.tweets.values() if t.author_id == self.user_id),
            key=lambda t: int(t.id),
        )
        return [{"id": t.id, "text": t.text} for t in own]

    def engage(self, remote_id: str, **figures: int) -> None:
        names = {"views": "impression_count", "reactions": "like_count", "shares": "retweet_count"}
        unknown = set(figures) - set(names)
        if unknown:
            raise ValueError(f"x has no {sorted(unknown)}")
        self.set_metrics(remote_id, **{names[k]: v for k, v in figures.items()})

    def reply(self, remote_id: str, text: str, author: str = "") -> str:
        return self.add_reply(remote_id, text, username=author or "borger")

    def add_reply(self, tweet_id: str, text: str, *, username: str = "borger") -> str:
        with self.lock:
            user_id = self.new_id()
            self.users[user_id] = {"id": user_id, "name": username.title(), "username": username}
            reply = FakeTweet(
                id=self.new_id(),
                text=text,
                author_id=user_id,
                conversation_id=self.tweets[tweet_id].conversation_id or tweet_id,
                in_reply_to=tweet_id,
            )
            self.tweets[reply.id] = reply
            self.tweets[tweet_id].metrics["reply_count"] += 1
            return reply.id

    def _unauthorized(self) -> FakeResponse:
        return problem(401, "Unauthorized", "Unauthorized")

    def scripted_error(self, kind: str, request: FakeRequest) -> FakeResponse:
        if kind == EXPIRED_TOKEN:
            return self._unauthorized()
        if kind == RATE_LIMIT:
            response = problem(429, "Too Many Requests", "Too Many Requests")
            response.headers = {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(time.time()) + self.rate_limit_seconds),
            }
            return response
        if kind == DUPLICATE:
            return self._duplicate()
        if kind == SERVER_ERROR:
            return problem(503, "Service Unavailable", "Service Unavailable")
        return self._invalid("One or more parameters to your request was invalid.")

    def _duplicate(self) -> FakeResponse:
        return problem(
            403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
        )

    def _invalid(self, message: str) -> FakeResponse:
        return FakeResponse(
            400,
            {
                "errors": [{"message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    def _authorized(self, token: str) -> bool:
        if token == self.access_token:
            return not self.token_expired
        return self.oauth.state(token) == "valid"

    def route(self, request: FakeRequest) -> FakeResponse:
        method, path = request.method, request.path
        if method == "GET" and path == "/i/oauth2/authorize":
            # x.com serves the consent dialog; the fake serves it beside the API.
            return self.oauth.authorize(
                request.query,
                require_pkce=True,
                denied={"error": "access_denied"},
            )
        if method == "POST" and path == "/2/oauth2/token":
            return self._token(request)
        if not self._authorized(request.bearer):
            raise FakeError(self._unauthorized())
        if method == "POST" and path == "/2/tweets":
            if self.credits is not None and self.credits <= 0:
                raise FakeError(
                    problem(
                        402,
                        "CreditsDepleted",
                        "Your enrolled account does not have any credits to fulfill this request.",
                        "https://api.x.com/2/problems/credits",
                    )
                )
            if self.credits is not None:
                self.credits -= 1
            return self._create(request)
        if method == "POST" and path == "/2/media/upload":
            return self._upload(request)
        if method == "POST" and path == "/2/media/metadata":
            return self._metadata(request)
        if method == "GET" and path == "/2/users/me":
            return FakeResponse(200, {"data": self.users[self.user_id]})
        if method == "GET" and path == f"/2/users/{self.user_id}/tweets":
            return self._timeline(request)
        if method == "GET" and path == "/2/tweets":
            return self._lookup(request)
        if method == "GET" and path == "/2/tweets/search/recent":
            return self._search(request)
        if method == "DELETE" and path.startswith("/2/tweets/"):
            tweet = self.tweets.pop(path.rsplit("/", 1)[1], None)
            return FakeResponse(200, {"data": {"deleted": tweet is not None}})
        raise FakeError(problem(404, "Not Found Error", f"Unknown path {path}"))

    # --- OAuth 2.0 --------------------------------------------------------------------------------
    def _token(self, request: FakeRequest) -> FakeResponse:
        """POST /2/oauth2/token: a confidential client authenticates with HTTP Basic."""
        basic = basic_credentials(request.headers.get("authorization", ""))
        try:
            if basic is None:
                raise OAuthRefusal("unauthorized_client", "Missing valid authorization header", 401)
            client = self.oauth.client(*basic)
            grant_type = request.form.get("grant_type", "")
            if grant_type == "authorization_code":
                try:
                    grant = self.oauth.redeem(
                        request.form.get("code", ""),
                        client_id=client.client_id,
                        redirect_uri=request.form.get("redirect_uri", ""),
                        verifier=request.form.get("code_verifier"),
                    )
                except OAuthRefusal as refusal:
                    # X names every bad code the same way, whatever the cause.
                    raise OAuthRefusal(
                        "invalid_request", "Value passed for the authorization code was invalid."
                    ) from refusal
                return FakeResponse(200, self.oauth.issue(client.client_id, grant.scope))
            if grant_type == "refresh_token":
                try:
                    answer = self.oauth.refresh(
                        request.form.get("refresh_token", ""), client_id=client.client_id
                    )
                except OAuthRefusal as refusal:
                    raise OAuthRefusal(
                        "invalid_request", "Value passed for the token was invalid."
                    ) from refusal
                return FakeResponse(200, answer)
            raise OAuthRefusal("invalid_request", "Unsupported grant_type.")
        except OAuthRefusal as refusal:
            return FakeResponse(
                refusal.status,
                {"error": refusal.error, "error_description": refusal.description},
            )

    def _create(self, request: FakeRequest) -> FakeResponse:
        body = request.json if isinstance(request.json, dict) else {}
        text = body.get("text", "")
        media_ids = (body.get("media") or {}).get("media_ids", [])
        if not text and not media_ids:
            raise FakeError(self._invalid("$.text: is missing but it is required"))
        if limits.x_weighted_length(text) > config.X_TEXT_CONFIG["max_weighted_length"]:
            raise FakeError(self._invalid("$.text: text is too long"))
        if len(media_ids) > config.X_MAX_IMAGES or any(m not in self.media for m in media_ids):
            raise FakeError(self._invalid("$.media.media_ids: invalid media ids"))
        if text and any(
            t.text == text and t.author_id == self.user_id for t in self.tweets.values()
        ):
            raise FakeError(self._duplicate())
        reply = body.get("reply")
        answered = None
        if reply is not None:
            answered_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if not isinstance(answered_id, str) or not answered_id.isdigit():
                raise FakeError(self._invalid("$.reply.in_reply_to_tweet_id: must be a post id"))
            answered = self.tweets.get(answered_id)
            if answered is None:
                raise FakeError(
                    problem(
                        403,
                        "Forbidden",
                        "You attempted to reply to a Tweet that is deleted or not visible to you.",
                    )
                )
        tweet = FakeTweet(id=self.new_id(), text=text, author_id=self.user_id, media_ids=media_ids)
        if answered is not None:
            tweet.in_reply_to = answered.id
            tweet.conversation_id = answered.conversation_id or answered.id
            answered.metrics["reply_count"] += 1
        self.tweets[tweet.id] = tweet
        return FakeResponse(
            201,
            {
                "data": {
                    "id": tweet.id,
                    "text": shown_text(text, tweet.id, media_ids),
                    "edit_history_tweet_ids": [tweet.id],
                }
            },
        )

    def _upload(self, request: FakeRequest) -> FakeResponse:
        media = request.files.get("media")
        if media is None:
            raise FakeError(self._invalid("media is required"))
        media_id = self.new_id()
        self.media[media_id] = {"size": len(media.data), "alt_text": ""}
        return FakeResponse(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(media.data),
                    "expires_after_secs": 86400,
                    "image": {"image_type": media.content_type, "w": 1200, "h": 630},
                }
            },
        )

    def _metadata(self, request: FakeRequest) -> FakeResponse:
        body = request.json if isinstance(request.json, dict) else {}
        media_id = body.get("id", "")
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text", "")
        if media_id not in self.media:
            raise FakeError(self._invalid("$.id: unknown media"))
        if len(alt) > config.X_MAX_ALT_TEXT:
            raise FakeError(self._invalid("$.metadata.alt_text.text: too long"))
        self.media[media_id]["alt_text"] = alt
        return FakeResponse(
            200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}
        )

    def _timeline(self, request: FakeRequest) -> FakeResponse:
        limit = int(request.param("max_results", "10"))
        own = [t for t in self.tweets.values() if t.author_id == self.user_id]
        own.sort(key=lambda t: int(t.id), reverse=True)
        data = [t.view() for t in own[:limit]]
        meta: dict[str, Any] = {"result_count": len(data)}
        if data:
            meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
        return FakeResponse(200, {"data": data, "meta": meta} if data else {"meta": meta})

    def _lookup(self, request: FakeRequest) -> FakeResponse:
        ids = [i for i in (request.param("ids", "") or "").split(",") if i]
        data, errors = [], []
        for tweet_id in ids:
            tweet = self.tweets.get(tweet_id)
            if tweet is None:
                errors.append(
                    {
                        "value": tweet_id,
                        "detail": f"Could not find tweet with ids: [{tweet_id}].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "ids",
                        "resource_id": tweet_id,
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                )
                continue
            view = tweet.view()
            if "public_metrics" in (request.param("tweet.fields", "") or ""):
                view["public_metrics"] = dict(tweet.metrics)
            data.append(view)
        answer: dict[str, Any] = {}
        if data:
            answer["data"] = data
        if errors:
            answer["errors"] = errors
        return FakeResponse(200, answer)

    def _search(self, request: FakeRequest) -> FakeResponse:
        query = request.param("query", "") or ""
        conversation = query.removeprefix("conversation_id:")
        replies = [
            t
            for t in self.tweets.values()
            if t.conversation_id == conversation and t.id != conversation
        ]
        start_time = request.param("start_time")
        if start_time:
            since = datetime.fromisoformat(start_time.replace("Z", "+00:00"))
            replies = [t for t in replies if t.created_at > since]
        data = []
        for tweet in sorted(replies, key=lambda t: int(t.id), reverse=True):
            view = tweet.view()
            view["referenced_tweets"] = [{"type": "replied_to", "id": tweet.in_reply_to}]
            view["in_reply_to_user_id"] = self.tweets.get(tweet.in_reply_to, tweet).author_id
            data.append(view)
        if not data:
            return FakeResponse(200, {"meta": {"result_count": 0}})
        users = [self.users[t["author_id"]] for t in data]
        return FakeResponse(
            200,
            {"data": data, "includes": {"users": users}, "meta": {"result_count": len(data)}},
        )
