"""Fake Mastodon instance: statuses with Idempotency-Key, media with descriptions, context."""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from devsite.fakes.base import (
    EXPIRED_TOKEN,
    RATE_LIMIT,
    SERVER_ERROR,
    FakeError,
    FakePlatform,
    FakeRequest,
    FakeResponse,
)
from devsite.fakes.oauth import OAuthRefusal, OAuthServer
from social import limits
from social.adapters import config

# Scopes an app may ask for (a subset of Mastodon's).
MASTODON_SCOPES = (
    "read",
    "write",
    "profile",
    "read:accounts",
    "read:statuses",
    "write:statuses",
    "write:media",
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def render_content(text: str) -> str:
    """Mastodon's HTML for a plain-text status: paragraphs, line breaks, linked URLs."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        out, position = [], 0
        for span in limits.find_urls(paragraph):
            out.append(html.escape(paragraph[position : span.start]))
            url = html.escape(span.url)
            scheme, rest = span.url.split("://", 1)
            out.append(
                f'<a href="{url}" target="_blank" rel="nofollow noopener">'
                f'<span class="invisible">{html.escape(scheme)}://</span>'
                f'<span class="">{html.escape(rest)}</span></a>'
            )
            position = span.end
        out.append(html.escape(paragraph[position:]))
        paragraphs.append("<p>" + "".join(out).replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


@dataclass
class FakeStatus:
    id: str
    text: str
    account: dict[str, Any]
    visibility: str = "public"
    language: str | None = None
    in_reply_to_id: str | None = None
    media: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    favourites_count: int = 0
    reblogs_count: int = 0
    replies_count: int = 0

    def view(self, domain: str) -> dict[str, Any]:
        url = f"https://{domain}/@{self.account['username']}/{self.id}"
        return {
            "id": self.id,
            "created_at": iso(self.created_at),
            "in_reply_to_id": self.in_reply_to_id,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": self.visibility,
            "language": self.language,
            "uri": f"https://{domain}/users/{self.account['username']}/statuses/{self.id}",
            "url": url,
            "replies_count": self.replies_count,
            "reblogs_count": self.reblogs_count,
            "favourites_count": self.favourites_count,
            "edited_at": None,
            "content": render_content(self.text),
            "reblog": None,
            "account": self.account,
            "media_attachments": self.media,
            "mentions": [],
            "tags": [
                {"name": tag, "url": f"https://{domain}/tags/{tag}"}
                for _s, _e, tag in limits.find_hashtags(self.text)
            ],
            "emojis": [],
            "card": None,
            "poll": None,
        }


class FakeMastodon(FakePlatform):
    platform = config.MASTODON

    def __init__(
        self,
        *,
        access_token: str = "mastodon-token",  # noqa: S107 (the fake's demo credential)
        domain: str = "social.example",
        username: str = "kobenhavn",
        display_name: str = "Københavns Kommune",
        max_characters: int = config.MASTODON_DEFAULT_MAX_CHARACTERS,
        media_processing_polls: int = 0,
        rate_limit_seconds: int = 300,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.access_token = access_token
        self.domain = domain
        self.max_characters = max_characters
        self.media_processing_polls = media_processing_polls
        self.rate_limit_seconds = rate_limit_seconds
        self.token_expired = False
        self.account = {
            "id": "109000000000000001",
            "username": username,
            "acct": username,
            "display_name": display_name,
            "url": f"https://{domain}/@{username}",
            "bot": False,
        }
        self.statuses: dict[str, FakeStatus] = {}
        self.media: dict[str, dict[str, Any]] = {}
        # (token, key) -> (status id, when first used); Mastodon forgets a key after an hour.
        self.idempotency: dict[tuple[str, str], tuple[str, float]] = {}
        # Apps register themselves (POST /api/v1/apps); Mastodon's tokens do not expire.
        self.oauth = OAuthServer(access_lifetime=None, issue_refresh_tokens=False)
        self.apps: list[dict[str, Any]] = []

    def credentials(self) -> dict[str, str]:
        """What a channel needs to talk to this fake, by the adapter's credential names."""
        return {"access_token": self.access_token}

    # --- Helpers for tests and the demo -----------------------------------------------------------
    def set_engagement(self, status_id: str, **values: int) -> None:
        with self.lock:
            status = self.statuses[status_id]
            for name, value in values.items():
                setattr(status, name, value)

    def add_reply(
        self, status_id: str, text: str, *, username: str = "borger", visibility: str = "public"
    ) -> str:
        with self.lock:
            account = {
                "id": self.new_id(),
                "username": username,
                "acct": f"{username}@other.example",
                "display_name": username.title(),
                "url": f"https://other.example/@{username}",
                "bot": False,
            }
            reply = FakeStatus(
                id=self.new_id(),
                text=text,
                account=account,
                visibility=visibility,
                in_reply_to_id=status_id,
            )
            self.statuses[reply.id] = reply
            self.statuses[status_id].replies_count += 1
            return reply.id

    def published(self) -> list[dict[str, str]]:
        own = sorted(self.own_statuses(), key=lambda s: int(s.id))
        return [{"id": s.id, "text": s.text} for s in own]

    def engage(self, remote_id: str, **figures: int) -> None:
        names = {"reactions": "favourites_count", "shares": "reblogs_count"}
        unknown = set(figures) - set(names)
        if unknown:
            raise ValueError(f"mastodon has no {sorted(unknown)}")
        self.set_engagement(remote_id, **{names[k]: v for k, v in figures.items()})

    def reply(self, remote_id: str, text: str, author: str = "") -> str:
        return self.add_reply(remote_id, text, username=author or "borger")

    def own_statuses(self) -> list[FakeStatus]:
        with self.lock:
            return [s for s in self.statuses.values() if s.account is self.account]

    # --- Routing ----------------------------------------------------------------------------------
    def scripted_error(self, kind: str, request: FakeRequest) -> FakeResponse:
        if kind == EXPIRED_TOKEN:
            return FakeResponse(401, {"error": "The access token is invalid"})
        if kind == RATE_LIMIT:
            reset = datetime.now(UTC) + timedelta(seconds=self.rate_limit_seconds)
            return FakeResponse(
                429,
                {"error": "Too many requests"},
                {
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace(
                        "+00:00", "Z"
                    ),
                },
            )
        if kind == SERVER_ERROR:
            return FakeResponse(503, {"error": "Service Unavailable"})
        return FakeResponse(422, {"error": "Validation failed: Text can't be blank"})

    def _authorized(self, token: str) -> bool:
        if token == self.access_token:
            return not self.token_expired
        return self.oauth.state(token) == "valid"

    def route(self, request: FakeRequest) -> FakeResponse:
        method, path = request.method, request.path
        if method == "GET" and path == "/api/v2/instance":
            return FakeResponse(200, self._instance())
        if method == "POST" and path == "/api/v1/apps":
            return self._register_app(request)
        if method == "GET" and path == "/oauth/authorize":
            return self.oauth.authorize(
                request.query,
                require_pkce=False,
                denied={
                    "error": "access_denied",
                    "error_description": "The resource owner or authorization server denied "
                    "the request.",
                },
            )
        if method == "POST" and path == "/oauth/token":
            return self._token(request)
        if not self._authorized(request.bearer):
            raise FakeError(FakeResponse(401, {"error": "The access token is invalid"}))
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return FakeResponse(200, self.account)
        if method == "POST" and path == "/api/v1/statuses":
            return self._create(request)
        if method == "POST" and path == "/api/v2/media":
            return self._upload(request)
        if method == "GET" and path.startswith("/api/v1/media/"):
            media = self.media.get(path.rsplit("/", 1)[1])
            if media is None:
                raise FakeError(FakeResponse(404, {"error": "Record not found"}))
            if media["_polls"] > 0:
                media["_polls"] -= 1
                return FakeResponse(206, self._media_view(media, processing=True))
            return FakeResponse(200, self._media_view(media))
        if method == "GET" and path == f"/api/v1/accounts/{self.account['id']}/statuses":
            limit = int(request.param("limit", "20"))
            own = sorted(self.own_statuses(), key=lambda s: int(s.id), reverse=True)
            return FakeResponse(200, [s.view(self.domain) for s in own[:limit]])
        if path.startswith("/api/v1/statuses/"):
            rest = path.removeprefix("/api/v1/statuses/").split("/")
            status = self.statuses.get(rest[0])
            if status is None:
                raise FakeError(FakeResponse(404, {"error": "Record not found"}))
            if len(rest) == 1 and method == "GET":
                return FakeResponse(200, status.view(self.domain))
            if len(rest) == 1 and method == "DELETE":
                if status.account is not self.account:
                    raise FakeError(FakeResponse(403, {"error": "This action is not allowed"}))
                del self.statuses[status.id]
                view = status.view(self.domain)
                view["text"] = status.text
                return FakeResponse(200, view)
            if rest[1:] == ["context"] and method == "GET":
                return FakeResponse(
                    200, {"ancestors": [], "descendants": self._descendants(status.id)}
                )
        raise FakeError(FakeResponse(404, {"error": "Record not found"}))

    # --- OAuth ------------------------------------------------------------------------------------
    def _register_app(self, request: FakeRequest) -> FakeResponse:
        name = (request.param("client_name") or "").strip()
        redirect = request.param("redirect_uris") or ""
        redirect_uris = redirect if isinstance(redirect, list) else str(redirect).split()
        scopes = (request.param("scopes") or "read").split()
        if not name:
            raise FakeError(
                FakeResponse(422, {"error": "Validation failed: Application name can't be blank"})
            )
        if not redirect_uris:
            raise FakeError(
                FakeResponse(422, {"error": "Validation failed: Redirect URI can't be blank"})
            )
        if not set(scopes) <= set(MASTODON_SCOPES):
            raise FakeError(FakeResponse(422, {"error": "Validation failed: Scopes are invalid"}))
        client = self.oauth.register(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), redirect_uris, scopes
        )
        app = {
            "id": self.new_id(),
            "name": name,
            "website": request.param("website") or None,
            "scopes": scopes,
            "redirect_uri": "\n".join(redirect_uris),
            "redirect_uris": redirect_uris,
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4"
            "UkkDTpaZwozy0TzdZ2M=",
        }
        self.apps.append(app)
        return FakeResponse(200, app)

    def _token(self, request: FakeRequest) -> FakeResponse:
        """POST /oauth/token: Doorkeeper's answers, client credentials in the body."""
        try:
            client = self.oauth.client(
                request.param("client_id") or "", request.param("client_secret") or ""
            )
            if request.param("grant_type") != "authorization_code":
                raise OAuthRefusal(
                    "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.",
                )
            try:
                grant = self.oauth.redeem(
                    request.param("code") or "",
                    client_id=client.client_id,
                    redirect_uri=request.param("redirect_uri") or "",
                    verifier=request.param("code_verifier"),
                )
            except OAuthRefusal as refusal:
                raise OAuthRefusal(
                    "invalid_grant",
                    "The provided authorization grant is invalid, expired, revoked, does not "
                    "match the redirection URI used in the authorization request, or was issued "
                    "to another client.",
                ) from refusal
        except OAuthRefusal as refusal:
            if refusal.error == "invalid_client":
                refusal.description = (
                    "Client authentication failed due to unknown client, no client "
                    "authentication included, or unsupported authentication method."
                )
            return FakeResponse(
                refusal.status, {"error": refusal.error, "error_description": refusal.description}
            )
        answer = self.oauth.issue(client.client_id, grant.scope)
        return FakeResponse(
            200,
            {
                "access_token": answer["access_token"],
                "token_type": "Bearer",
                "scope": grant.scope,
                "created_at": int(self.oauth.now()),
            },
        )

    def _instance(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "title": "Fake Mastodon",
            "version": "4.5.0",
            "configuration": {
                "urls": {"streaming": f"wss://{self.domain}"},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": config.MASTODON_DEFAULT_MAX_MEDIA,
                    "characters_reserved_per_url": config.MASTODON_DEFAULT_URL_LENGTH,
                },
                "media_attachments": {
                    "supported_mime_types": ["image/jpeg", "image/png", "image/webp"],
                    "description_limit": config.MASTODON_MAX_DESCRIPTION,
                    "image_size_limit": 16777216,
                },
            },
        }

    def _create(self, request: FakeRequest) -> FakeResponse:
        key = request.headers.get("idempotency-key")
        remembered = self.idempotency.get((request.bearer, key)) if key else None
        if remembered is not None:
            status_id, used_at = remembered
            existing = self.statuses.get(status_id)
            if existing is not None and self.now() - used_at < config.MASTODON_IDEMPOTENCY_SECONDS:
                return FakeResponse(200, existing.view(self.domain))
        text = request.param("status", "") or ""
        media_ids = request.param("media_ids") or []
        if isinstance(media_ids, str):
            media_ids = [media_ids]
        if not text.strip() and not media_ids:
            raise FakeError(FakeResponse(422, {"error": "Validation failed: Text can't be blank"}))
        if limits.mastodon_length(text) > self.max_characters:
            raise FakeError(
                FakeResponse(
                    422,
                    {
                        "error": "Validation failed: Text character limit of "
                        f"{self.max_characters} exceeded"
                    },
                )
            )
        if len(media_ids) > config.MASTODON_DEFAULT_MAX_MEDIA:
            raise FakeError(
                FakeResponse(422, {"error": "Validation failed: Media attachments too many"})
            )
        attachments = []
        for media_id in media_ids:
            media = self.media.get(str(media_id))
            if media is None:
                raise FakeError(FakeResponse(422, {"error": "Validation failed: Media not found"}))
            attachments.append(self._media_view(media))
        in_reply_to_id = request.param("in_reply_to_id")
        if in_reply_to_id and str(in_reply_to_id) not in self.statuses:
            raise FakeError(FakeResponse(404, {"error": "Record not found"}))
        status = FakeStatus(
            id=self.new_id(),
            text=text,
            account=self.account,
            visibility=request.param("visibility", "public") or "public",
            language=request.param("language"),
            media=attachments,
            created_at=datetime.fromtimestamp(self.now(), UTC),
            in_reply_to_id=str(in_reply_to_id) if in_reply_to_id else None,
        )
        self.statuses[status.id] = status
        if key:
            self.idempotency[(request.bearer, key)] = (status.id, self.now())
        return FakeResponse(200, status.view(self.domain))

    def _upload(self, request: FakeRequest) -> FakeResponse:
        upload = request.files.get("file")
        if upload is None:
            raise FakeError(FakeResponse(422, {"error": "Validation failed: File can't be blank"}))
        description = request.param("description", "") or ""
        if len(description) > config.MASTODON_MAX_DESCRIPTION:
            raise FakeError(
                FakeResponse(422, {"error": "Validation failed: Description is too long"})
            )
        media = {
            "id": self.new_id(),
            "description": description,
            "size": len(upload.data),
            "_polls": self.media_processing_polls,
        }
        self.media[media["id"]] = media
        if media["_polls"] > 0:
            return FakeResponse(202, self._media_view(media, processing=True))
        return FakeResponse(200, self._media_view(media))

    def _media_view(self, media: dict[str, Any], *, processing: bool = False) -> dict[str, Any]:
        url = None if processing else f"https://{self.domain}/media/{media['id']}.jpg"
        return {
            "id": media["id"],
            "type": "image",
            "url": url,
            "preview_url": url,
            "description": media["description"],
        }

    def _descendants(self, status_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        children = sorted(
            (s for s in self.statuses.values() if s.in_reply_to_id == status_id),
            key=lambda s: int(s.id),
        )
        for child in children:
            found.append(child.view(self.domain))
            found.extend(self._descendants(child.id))
        return found
