"""What Facebook and Instagram share: the Graph API's proof, error format and usage headers."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from typing import Any

import httpx

from social.adapters import config
from social.adapters.base import (
    Ambiguous,
    AuthExpired,
    ChannelAdapter,
    Duplicate,
    NotFound,
    RateLimited,
    Rejected,
    TransientError,
    error_body,
    json_body,
    retry_after_of,
)


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, as Graph API server calls require."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def retry_after_from_usage(headers: httpx.Headers) -> int:
    """Seconds until the platform lets us call again, from the business use case usage header.

    `estimated_time_to_regain_access` is in minutes; the header maps business ids to lists of
    usage entries, and the longest wait wins.
    """
    minutes = 0.0
    raw = headers.get("x-business-use-case-usage")
    if raw:
        try:
            usage = json.loads(raw)
        except ValueError:
            usage = {}
        for entries in usage.values() if isinstance(usage, dict) else ():
            for entry in entries if isinstance(entries, list) else ():
                try:
                    minutes = max(minutes, float(entry.get("estimated_time_to_regain_access", 0)))
                except (AttributeError, TypeError, ValueError):
                    continue
    if minutes > 0:
        return math.ceil(minutes * 60)
    return retry_after_of(headers) or config.DEFAULT_RETRY_AFTER_SECONDS


def raise_graph_error(platform: str, response: httpx.Response, *, write: bool) -> None:
    status = response.status_code
    body: Any = error_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        if status >= 500 or status == 429:
            retry_after = retry_after_of(response.headers)
            ambiguous = write and status in (502, 504)
            if retry_after is not None and not ambiguous:
                raise RateLimited(
                    f"{platform}: unavailable ({status}), retry after {retry_after} s",
                    retry_after_seconds=retry_after,
                    status=status,
                    raw=body,
                )
            kind = Ambiguous if ambiguous else TransientError
            raise kind(f"{platform}: server error {status}", status=status, raw=body)
        raise Rejected(f"{platform}: HTTP {status}", status=status, raw=body)
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = f"{platform}: {error.get('message', 'error')} (code {code}, subcode {subcode})"
    if (code, subcode) == config.INSTAGRAM_PUBLISH_LIMIT:
        raise RateLimited(
            f"{platform}: the account has used up its "
            f"{config.INSTAGRAM_PUBLISHING_LIMIT_PER_DAY} API posts for the last 24 hours; "
            f"the post waits and is tried again later ({message})",
            retry_after_seconds=max(
                config.INSTAGRAM_PUBLISH_LIMIT_WAIT_SECONDS, retry_after_of(response.headers) or 0
            ),
            status=status,
            raw=body,
            problem="daily_limit",
        )
    if code in config.GRAPH_BLOCKED_CODES:
        raise Rejected(
            f"{platform}: the page is temporarily blocked from posting by the platform "
            f"(policy); check the page's notifications before sending again ({message})",
            status=status,
            raw=body,
            problem="page_blocked",
        )
    if code in config.GRAPH_RATE_LIMIT_CODES:
        raise RateLimited(
            message,
            retry_after_seconds=retry_after_from_usage(response.headers),
            status=status,
            raw=body,
        )
    if code in config.GRAPH_AUTH_CODES or code in config.GRAPH_PERMISSION_CODES:
        raise AuthExpired(message, status=status, raw=body)
    if code in config.GRAPH_DUPLICATE_CODES:
        raise Duplicate(message, status=status, raw=body)
    if code in config.GRAPH_TRANSIENT_CODES or error.get("is_transient") or status >= 500:
        kind = Ambiguous if write and status in (502, 504) else TransientError
        raise kind(message, status=status, raw=body)
    if status == 404 or (code == 100 and subcode == 33):
        raise NotFound(message, status=status, raw=body)
    raise Rejected(message, status=status, raw=body)


class GraphAdapter(ChannelAdapter):
    """Requests to a Graph API host: versioned paths, token and appsecret_proof on every call."""

    def __init__(
        self,
        *,
        access_token: str,
        app_secret: str = "",
        version: str = config.GRAPH_API_VERSION,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.access_token = access_token
        self.app_secret = app_secret
        self.version = version
        # In a header rather than the query string, so request logs never show the token.
        self._client.headers["Authorization"] = f"Bearer {access_token}"

    def _url(self, *parts: str) -> str:
        return "/" + "/".join((self.version, *parts))

    def _auth(self) -> dict[str, str]:
        if self.app_secret:
            return {"appsecret_proof": appsecret_proof(self.access_token, self.app_secret)}
        return {}

    def _get(self, *parts: str, **params: Any) -> Any:
        response = self._send("GET", self._url(*parts), params={**params, **self._auth()})
        return json_body(response)

    def _post(self, *parts: str, files: Any = None, **data: Any) -> Any:
        response = self._send(
            "POST", self._url(*parts), write=True, data={**data, **self._auth()}, files=files
        )
        return json_body(response)

    def _raise_for_error(self, response: httpx.Response, *, write: bool) -> None:
        raise_graph_error(self.platform, response, write=write)
