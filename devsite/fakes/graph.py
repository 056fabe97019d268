"""What the Facebook and Instagram fakes share: Graph API versions, tokens, proofs and errors."""

from __future__ import annotations

import json
import secrets
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
from devsite.fakes.oauth import OAuthServer
from social.adapters import config
from social.adapters.graph import appsecret_proof


def graph_error(
    message: str,
    code: int,
    *,
    subcode: int | None = None,
    status: int = 400,
    error_type: str = "OAuthException",
    headers: dict[str, str] | None = None,
    is_transient: bool = False,
) -> FakeResponse:
    error: dict[str, Any] = {
        "message": message,
        "type": error_type,
        "code": code,
        "fbtrace_id": secrets.token_urlsafe(9),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient:
        error["is_transient"] = True
    return FakeResponse(status, {"error": error}, headers or {})


def graph_time(moment: datetime | None = None) -> str:
    """Graph API's timestamp format: 2026-11-22T03:40:19+0000."""
    return (moment or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S+0000")


class GraphFake(FakePlatform):
    """Versioned paths, access_token with appsecret_proof, Graph error answers."""

    # Which issued tokens the object endpoints accept: a page's or a user's.
    token_kind = "user"  # noqa: S105 (a kind of token, not one)

    def __init__(
        self,
        *,
        access_token: str,
        app_secret: str = "",
        app_id: str = "",
        rate_limit_minutes: int = 5,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.access_token = access_token
        self.app_secret = app_secret
        self.app_id = app_id
        self.rate_limit_minutes = rate_limit_minutes
        self.token_expired = False
        # Login issues no refresh tokens on the Graph API: long-lived tokens are exchanged.
        self.oauth = OAuthServer(issue_refresh_tokens=False)
        if app_id:
            self.oauth.register(app_id, app_secret)

    def oauth_client(self) -> dict[str, str]:
        return {"client_id": self.app_id, "client_secret": self.app_secret} if self.app_id else {}

    def graph_version(self, request: FakeRequest) -> str:
        parts = [p for p in request.path.split("/") if p]
        return parts[0] if parts and parts[0] in config.GRAPH_API_SUPPORTED_VERSIONS else ""

    def check_token(self, token: str, kind: str | None = None) -> None:
        """Raise the Graph answer for a missing, unknown, wrong-kind or expired token."""
        if not token:
            raise FakeError(graph_error("An active access token must be used.", 2500))
        if token == self.access_token:
            if self.token_expired:
                raise FakeError(self._expired())
            return
        state = self.oauth.state(token)
        issued = self.oauth.access_tokens.get(token)
        if state == "unknown" or issued is None or issued.kind != (kind or self.token_kind):
            raise FakeError(
                graph_error("Invalid OAuth access token - Cannot parse access token", 190)
            )
        if state == "expired":
            raise FakeError(self._expired())

    def segments(self, request: FakeRequest, *, kind: str | None = None) -> list[str]:
        """The path after the version, after checking version, token and proof."""
        parts = [p for p in request.path.split("/") if p]
        if not parts or parts[0] not in config.GRAPH_API_SUPPORTED_VERSIONS:
            raise FakeError(
                graph_error(
                    f"Unknown path components: {request.path}", 2500, error_type="OAuthException"
                )
            )
        token = request.param("access_token") or request.bearer
        self.check_token(token, kind)
        if self.app_secret:
            proof = request.param("appsecret_proof")
            if not proof:
                raise FakeError(
                    graph_error(
                        "API calls from the server require an appsecret_proof argument",
                        100,
                        error_type="GraphMethodException",
                    )
                )
            if proof != appsecret_proof(token, self.app_secret):
                raise FakeError(
                    graph_error(
                        "Invalid appsecret_proof provided in the API argument",
                        100,
                        error_type="GraphMethodException",
                    )
                )
        return parts[1:]

    def _expired(self) -> FakeResponse:
        return graph_error(
            "Error validating access token: Session has expired on Sunday, 22-Nov-26 02:00:00 "
            "PST. The current time is Sunday, 22-Nov-26 03:00:00 PST.",
            190,
            subcode=463,
        )

    def missing_object(self, object_id: str) -> FakeError:
        return FakeError(
            graph_error(
                f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation.",
                100,
                subcode=33,
                error_type="GraphMethodException",
            )
        )

    def scripted_error(self, kind: str, request: FakeRequest) -> FakeResponse:
        if kind == EXPIRED_TOKEN:
            return self._expired()
        if kind == RATE_LIMIT:
            usage = {
                "100200300": [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 30,
                        "total_time": 35,
                        "estimated_time_to_regain_access": self.rate_limit_minutes,
                    }
                ]
            }
            return graph_error(
                "(#32) Page request limit reached",
                32,
                status=403,
                headers={
                    "X-Business-Use-Case-Usage": json.dumps(usage),
                    "X-App-Usage": json.dumps({"call_count": 100, "total_time": 40}),
                },
            )
        if kind == DUPLICATE:
            return graph_error("(#506) Duplicate status message", 506)
        if kind == SERVER_ERROR:
            return graph_error(
                "An unexpected error has occurred. Please retry your request later.",
                2,
                status=500,
                is_transient=True,
            )
        return graph_error("(#100) Invalid parameter", 100, error_type="GraphMethodException")
