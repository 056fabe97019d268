"""The OAuth 2.0 authorization server the platform fakes share.

It keeps what a real one keeps: registered clients and their redirect addresses, single-use
authorization codes bound to a client, a redirect address and (with PKCE) a code challenge,
access tokens that expire, and refresh tokens that are rotated on use. Each fake renders the
refusals in its own platform's error format; this class only decides.

Time is the wall clock plus `offset`, so a test can `advance()` past a token's lifetime instead
of waiting two hours.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from devsite.fakes.base import FakeResponse

CODE_LIFETIME_SECONDS = 30
ALLOW = "allow"
DENY = "deny"


class OAuthRefusal(Exception):
    """A request the authorization server refuses, in RFC 6749 terms (`error`, description)."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


@dataclass
class Client:
    client_id: str
    client_secret: str
    # Empty: any address is accepted (the platform's app settings are not modelled).
    redirect_uris: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()


@dataclass
class Code:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str
    challenge_method: str
    expires_at: float
    used: bool = False


@dataclass
class Token:
    client_id: str
    scope: str
    issued_at: float
    expires_at: float | None
    kind: str = "user"
    revoked: bool = False


@dataclass
class OAuthServer:
    clients: dict[str, Client] = field(default_factory=dict)
    # Seconds an access token lives; None for tokens that never expire (Mastodon).
    access_lifetime: int | None = 7200
    issue_refresh_tokens: bool = True
    consent: str = ALLOW
    offset: float = 0.0
    codes: dict[str, Code] = field(default_factory=dict)
    access_tokens: dict[str, Token] = field(default_factory=dict)
    refresh_tokens: dict[str, Token] = field(default_factory=dict)
    # Refresh tokens already exchanged: using one again is refused.
    spent_refresh_tokens: set[str] = field(default_factory=set)
    refresh_requests: int = 0

    # --- Time ------------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the server's clock forward (tokens and codes age)."""
        self.offset += seconds

    # --- Clients ---------------------------------------------------------------------------------
    def register(self, client_id: str, client_secret: str, redirect_uris=(), scopes=()) -> Client:
        client = Client(client_id, client_secret, tuple(redirect_uris), tuple(scopes))
        self.clients[client_id] = client
        return client

    def client(self, client_id: str, client_secret: str | None = None) -> Client:
        """The registered client; with a secret, only when the secret matches."""
        client = self.clients.get(client_id or "")
        if client is None:
            raise OAuthRefusal("invalid_client", "Unknown client.", 401)
        if client_secret is not None and not secrets.compare_digest(
            client.client_secret, client_secret
        ):
            raise OAuthRefusal("invalid_client", "Client authentication failed.", 401)
        return client

    # --- Authorization endpoint ------------------------------------------------------------------
    def authorize(
        self, params: dict[str, str], *, require_pkce: bool, denied: dict[str, str]
    ) -> FakeResponse:
        """Check the request, "ask the user" (`consent`) and send the browser back.

        A bad client or redirect address gets an error page, never a redirect, as the real
        dialogs do; everything else is answered at the redirect address.
        """
        client = self.clients.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if client is None:
            return _page(400, "Invalid client_id.")
        if not redirect_uri or (client.redirect_uris and redirect_uri not in client.redirect_uris):
            return _page(400, "The redirect_uri does not match a registered address.")
        state = params.get("state", "")
        if params.get("response_type", "code") != "code":
            return _back(redirect_uri, error="unsupported_response_type", state=state)
        challenge = params.get("code_challenge", "")
        method = params.get("code_challenge_method", "plain" if challenge else "")
        if require_pkce and not challenge:
            return _back(
                redirect_uri,
                error="invalid_request",
                error_description="Missing required parameter [code_challenge].",
                state=state,
            )
        if challenge and method not in ("S256", "plain"):
            return _back(redirect_uri, error="invalid_request", state=state)
        scope = params.get("scope", "")
        if client.scopes:
            requested = set(scope.replace(",", " ").split())
            if not requested <= set(client.scopes):
                return _back(redirect_uri, error="invalid_scope", state=state)
        if self.consent != ALLOW:
            return _back(redirect_uri, **denied, state=state)
        code = secrets.token_urlsafe(24)
        self.codes[code] = Code(
            client.client_id,
            redirect_uri,
            scope,
            challenge,
            method,
            self.now() + CODE_LIFETIME_SECONDS,
        )
        return _back(redirect_uri, code=code, state=state)

    # --- Token endpoint --------------------------------------------------------------------------
    def redeem(
        self, code: str, *, client_id: str, redirect_uri: str, verifier: str | None = None
    ) -> Code:
        """Spend an authorization code; refused when reused, late, or not bound to these."""
        grant = self.codes.get(code or "")
        if grant is None or grant.used or grant.expires_at < self.now():
            raise OAuthRefusal("invalid_grant", "The authorization code is invalid or used.")
        # A code is single use even when the exchange fails afterwards.
        grant.used = True
        if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
            raise OAuthRefusal("invalid_grant", "The code was issued to another client or URI.")
        if grant.challenge:
            if not verifier:
                raise OAuthRefusal("invalid_request", "Missing code_verifier.")
            if grant.challenge_method == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            else:
                expected = verifier
            if not secrets.compare_digest(expected, grant.challenge):
                raise OAuthRefusal("invalid_grant", "The code_verifier does not match.")
        return grant

    def issue(self, client_id: str, scope: str, *, kind: str = "user", lifetime=...) -> dict:
        """A new access token (and refresh token, where the platform gives them)."""
        lifetime = self.access_lifetime if lifetime is ... else lifetime
        now = self.now()
        access = secrets.token_urlsafe(32)
        self.access_tokens[access] = Token(
            client_id, scope, now, now + lifetime if lifetime else None, kind
        )
        answer: dict = {"access_token": access, "token_type": "bearer", "scope": scope}
        if lifetime:
            answer["expires_in"] = int(lifetime)
        if self.issue_refresh_tokens and kind == "user":
            refresh = secrets.token_urlsafe(32)
            self.refresh_tokens[refresh] = Token(client_id, scope, now, None, "refresh")
            answer["refresh_token"] = refresh
        return answer

    def refresh(self, refresh_token: str, *, client_id: str) -> dict:
        """Rotate: the refresh token is spent and a new pair is issued."""
        self.refresh_requests += 1
        grant = self.refresh_tokens.get(refresh_token or "")
        if grant is None or grant.revoked or grant.client_id != client_id:
            raise OAuthRefusal("invalid_grant", "The refresh token is invalid.")
        del self.refresh_tokens[refresh_token]
        self.spent_refresh_tokens.add(refresh_token)
        return self.issue(client_id, grant.scope)

    def reissue(self, access_token: str, *, min_age: float = 0) -> dict:
        """Instagram's refresh: a valid, old enough long-lived token buys a new 60-day one."""
        token = self.access_tokens.get(access_token or "")
        if token is None or self.state(access_token) != "valid":
            raise OAuthRefusal("invalid_token", "The access token is invalid or expired.")
        if self.now() - token.issued_at < min_age:
            raise OAuthRefusal("invalid_request", "The access token is too new to refresh.")
        lifetime = token.expires_at - token.issued_at if token.expires_at else None
        return self.issue(token.client_id, token.scope, kind=token.kind, lifetime=lifetime)

    # --- Resource servers ------------------------------------------------------------------------
    def state(self, access_token: str) -> str:
        """ "valid", "expired" or "unknown" for a bearer token."""
        token = self.access_tokens.get(access_token or "")
        if token is None or token.revoked:
            return "unknown"
        if token.expires_at is not None and token.expires_at <= self.now():
            return "expired"
        return "valid"

    def revoke_all(self) -> None:
        """What a password change or the removal of the app does to every grant."""
        for token in (*self.access_tokens.values(), *self.refresh_tokens.values()):
            token.revoked = True


def _back(redirect_uri: str, **params: str) -> FakeResponse:
    """Redirect the browser to the client with `params` added to the query string."""
    parts = urlsplit(redirect_uri)
    extra = urlencode({k: v for k, v in params.items() if v != ""})
    query = f"{parts.query}&{extra}" if parts.query else extra
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    return FakeResponse(302, headers={"Location": location}, raw=b"")


def _page(status: int, message: str) -> FakeResponse:
    body = f"<!doctype html><title>Error</title><p>{message}</p>".encode()
    return FakeResponse(status, headers={"Content-Type": "text/html; charset=utf-8"}, raw=body)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(client_id, client_secret) from an HTTP Basic Authorization header."""
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None
