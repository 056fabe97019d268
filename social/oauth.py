"""Connecting channels through the platforms' own login (OAuth 2.0), and renewing their tokens.

The flow: `begin` keeps a random `state` (and, where the platform takes PKCE, the code verifier)
in the administrator's session and gives the address of the platform's consent dialog. The
platform sends the browser back to the callback with a code; `complete` checks the state,
exchanges the code at the platform's token endpoint (through the channel's base URL, so a local
fake or a proxy can stand in for the platform) and hands the resulting credentials to
`services.channel_connect` or `services.channel_reauthorise`, which verify and store them
encrypted. What renews the token later (a refresh token) is stored encrypted beside them.

Platforms: X (authorization code with PKCE, two-hour tokens with rotating refresh tokens),
Facebook (Login -> long-lived user token -> a page token that does not expire), Instagram
(Instagram Login -> long-lived 60-day token renewed with `refresh_access_token`) and Mastodon
(an app registered on the instance, then the authorization code; tokens do not expire).
Bluesky signs in with an app password, so it keeps the credentials form.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import branding, tenancy
from civic.external_urls import validate_external_url
from civic.notifications import absolute_url
from social import crypto, services
from social.adapters import AdapterError, TransientError, build_adapter, config
from social.adapters.base import ResponseTooLarge, _shared_ssl_context, read_bounded
from social.adapters.graph import appsecret_proof
from social.models import PLATFORM_NAMES, Channel

SESSION_KEY = "social_oauth_flows"
PAGE_CHOICE_KEY = "social_oauth_page_choice"
# A consent dialog left open longer than this has to be started again.
FLOW_SECONDS = 15 * 60
MAX_PENDING_FLOWS = 5
OAUTH_PLATFORMS = (config.FACEBOOK, config.INSTAGRAM, config.X, config.MASTODON)


# --- Errors --------------------------------------------------------------------------------------
class LoginError(Exception):
    """The platform login did not connect the channel; the message is for the administrator."""

    status = 502

    def __init__(self, message: str, *, channel_id: int | None = None):
        super().__init__(message)
        self.message = message
        self.channel_id = channel_id


class LoginDenied(LoginError):
    """The administrator (or the platform) declined the consent dialog."""

    status = 200


class StateMismatch(LoginError):
    """The callback does not belong to a login started in this session: never trust it."""

    status = 400


class TokenRefused(Exception):
    """The platform refused a token request for good (a spent or revoked grant)."""


# --- Settings ------------------------------------------------------------------------------------
def app_credentials(platform: str) -> tuple[str, str] | None:
    """The platform app's client id and secret for the municipality being served: its own app
    (SOCIAL_MUNICIPALITY_APPS) or else the installation's; None when neither is configured.

    The login begins and returns at the municipality's host, and token renewal runs with the
    channel's municipality active (social.tokens), so both use the app the channel was made with.
    """
    served = tenancy.current()
    own = settings.SOCIAL_MUNICIPALITY_APPS.get(served.slug, {}) if served else {}
    app = own.get(platform) or {}
    if app.get("client_id") and app.get("secret"):
        return str(app["client_id"]), str(app["secret"])
    names = {
        config.X: ("SOCIAL_X_CLIENT_ID", "SOCIAL_X_CLIENT_SECRET"),
        config.FACEBOOK: ("SOCIAL_FACEBOOK_APP_ID", "SOCIAL_FACEBOOK_APP_SECRET"),
        config.INSTAGRAM: ("SOCIAL_INSTAGRAM_APP_ID", "SOCIAL_INSTAGRAM_APP_SECRET"),
    }.get(platform)
    if names is None:
        return None
    client_id, secret = (getattr(settings, name, "") for name in names)
    return (client_id, secret) if client_id and secret else None


def is_offered(platform: str) -> bool:
    """Whether "Connect with <platform>" can be offered with the present settings."""
    if platform == config.MASTODON:
        # Every instance registers the app on the fly: nothing to configure beforehand.
        return bool(getattr(settings, "SOCIAL_MASTODON_LOGIN", True))
    return platform in OAUTH_PLATFORMS and app_credentials(platform) is not None


def offered_platforms() -> list[tuple[str, str]]:
    """(platform, name) of every platform whose login is offered, in the usual order."""
    return [(p, PLATFORM_NAMES[p]) for p in OAUTH_PLATFORMS if is_offered(p)]


def redirect_uri(platform: str) -> str:
    """The callback address to register with the platform's app: at the current
    municipality's address (civic.tenancy.site_url), where the login's session lives."""
    return absolute_url(reverse("social:oauth_callback", args=[platform]))


def endpoint(platform: str, name: str, base_url: str) -> str:
    """A login endpoint: the platform's own address, or its path under another base URL."""
    own, path = config.OAUTH_ENDPOINTS[platform][name]
    base = (base_url or "").rstrip("/")
    default = config.DEFAULT_BASE_URLS[platform].rstrip("/")
    url = own if own and (not base or base == default) else base + path
    return url.format(version=config.GRAPH_API_VERSION)


# --- HTTP ----------------------------------------------------------------------------------------
def _client() -> httpx.Client:
    return httpx.Client(
        verify=_shared_ssl_context(),
        timeout=getattr(settings, "SOCIAL_HTTP_TIMEOUT_SECONDS", config.DEFAULT_TIMEOUT_SECONDS),
        headers={"User-Agent": config.USER_AGENT, "Accept": "application/json"},
    )


def _describe(body: Any) -> str:
    """The human part of an error answer in RFC 6749, Graph or Instagram Login form."""
    if not isinstance(body, dict):
        return str(body)[:300]
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(body.get("error_description") or body.get("error_message") or error or body)[:300]


def _call(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    """One token-endpoint request: its JSON, TokenRefused on a 4xx, TransientError otherwise."""
    limit = getattr(settings, "SOCIAL_MAX_RESPONSE_BYTES", config.DEFAULT_MAX_RESPONSE_BYTES)
    try:
        with _client() as client, client.stream(method, url, **kwargs) as response:
            content = read_bounded(response, limit)
    except httpx.HTTPError as exc:
        raise TransientError(_("The platform could not be reached: %s") % exc) from exc
    except ResponseTooLarge as exc:
        raise TransientError(exc.message) from None
    try:
        body = json.loads(content)
    except ValueError:
        body = content.decode("utf-8", "replace")[:300]
    if response.status_code >= 500 or (response.status_code < 400 and not isinstance(body, dict)):
        raise TransientError(
            _("The platform answered with an error (%(status)s): %(detail)s")
            % {"status": response.status_code, "detail": _describe(body)}
        )
    if response.status_code >= 400:
        raise TokenRefused(_describe(body))
    return body


def _expiry(answer: dict[str, Any]) -> datetime | None:
    try:
        seconds = int(answer.get("expires_in") or 0)
    except (TypeError, ValueError):
        seconds = 0
    return timezone.now() + timedelta(seconds=seconds) if seconds > 0 else None


def _pkce() -> tuple[str, str]:
    """(verifier, S256 challenge) as RFC 7636 describes them."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- The flow kept in the session ----------------------------------------------------------------
@dataclass
class Flow:
    platform: str
    state: str
    base_url: str = ""
    name: str = ""
    channel_id: int | None = None
    verifier: str = ""
    # Secrets that must not sit readable in a session (Mastodon's app secret), encrypted.
    sealed: str = ""
    started: float = field(default_factory=time.time)

    @property
    def secrets(self) -> dict[str, Any]:
        return crypto.decrypt(self.sealed)


@dataclass
class Connection:
    """What a completed login gives: the channel's credentials and how to renew them."""

    credentials: dict[str, str]
    remote_id: str
    name: str = ""
    token_expires_at: datetime | None = None
    grant: dict[str, Any] = field(default_factory=dict)


def _store(session, flow: Flow) -> None:
    flows = {
        state: data
        for state, data in session.get(SESSION_KEY, {}).items()
        if time.time() - data.get("started", 0) < FLOW_SECONDS
    }
    flows[flow.state] = flow.__dict__.copy()
    # A handful of abandoned dialogs at most; the oldest go first.
    newest = sorted(flows.items(), key=lambda item: item[1]["started"])[-MAX_PENDING_FLOWS:]
    session[SESSION_KEY] = dict(newest)


def _take(session, platform: str, state: str) -> Flow:
    """The flow this callback belongs to, removed from the session (a state works once)."""
    flows = dict(session.get(SESSION_KEY, {}))
    data = flows.pop(state, None) if state else None
    session[SESSION_KEY] = flows
    if data is None or data.get("platform") != platform:
        raise StateMismatch(
            _(
                "This answer from the platform does not belong to a login started here, or it "
                "was used already. Start the connection again."
            )
        )
    flow = Flow(**data)
    if time.time() - flow.started > FLOW_SECONDS:
        raise StateMismatch(_("The login took too long. Start the connection again."))
    return flow


# --- Starting ------------------------------------------------------------------------------------
def begin(
    session, *, platform: str, base_url: str = "", name: str = "", channel: Channel | None = None
) -> str:
    """Remember a new login in the session; return the platform's consent dialog address."""
    if not is_offered(platform):
        raise LoginError(_("Connecting with this platform's login is not set up."))
    if channel is not None:
        base_url = channel.base_url
    if platform == config.MASTODON and not base_url:
        raise ValidationError({"base_url": _("A Mastodon channel needs its instance URL.")})
    try:
        validate_external_url(base_url)
    except ValidationError as exc:
        raise ValidationError({"base_url": exc.messages}) from None
    flow = Flow(
        platform=platform,
        state=secrets.token_urlsafe(32),
        base_url=base_url.rstrip("/"),
        name=name.strip(),
        channel_id=channel.pk if channel is not None else None,
    )
    url = PROVIDERS[platform].authorize_url(flow)
    _store(session, flow)
    return url


class _Provider:
    platform: str

    def authorize_url(self, flow: Flow) -> str:
        raise NotImplementedError

    def exchange(self, flow: Flow, code: str) -> Connection | list[dict[str, str]]:
        raise NotImplementedError

    def refresh(self, channel: Channel) -> Connection:
        raise TokenRefused(_("This platform's tokens are not renewed."))

    def _app(self) -> tuple[str, str]:
        credentials = app_credentials(self.platform)
        if credentials is None:
            raise LoginError(_("Connecting with this platform's login is not set up."))
        return credentials

    def _dialog(self, flow: Flow, **params: str) -> str:
        return endpoint(self.platform, "authorize", flow.base_url) + "?" + urlencode(params)


class _X(_Provider):
    platform = config.X

    def authorize_url(self, flow: Flow) -> str:
        client_id, _secret = self._app()
        flow.verifier, challenge = _pkce()
        return self._dialog(
            flow,
            response_type="code",
            client_id=client_id,
            redirect_uri=redirect_uri(self.platform),
            scope=config.OAUTH_SCOPES[self.platform],
            state=flow.state,
            code_challenge=challenge,
            code_challenge_method="S256",
        )

    def _token(self, base_url: str, **data: str) -> dict[str, Any]:
        client_id, secret = self._app()
        # A confidential client authenticates with HTTP Basic.
        return _call(
            "POST",
            endpoint(self.platform, "token", base_url),
            data={**data, "client_id": client_id},
            auth=(client_id, secret),
        )

    def _connection(self, answer: dict[str, Any], base_url: str, previous: dict) -> Connection:
        access = str(answer.get("access_token") or "")
        if not access:
            raise TransientError(_("The platform's answer held no access token."))
        with build_adapter(
            self.platform, credentials={"access_token": access}, base_url=base_url
        ) as adapter:
            account = adapter.verify_credentials()
        return Connection(
            credentials={"access_token": access, "user_id": account.remote_id},
            remote_id=account.remote_id,
            name=account.name,
            token_expires_at=_expiry(answer),
            # X rotates refresh tokens; keep the old one only if none came back.
            grant={"refresh_token": answer.get("refresh_token") or previous.get("refresh_token")}
            if answer.get("refresh_token") or previous.get("refresh_token")
            else {},
        )

    def exchange(self, flow: Flow, code: str) -> Connection:
        answer = self._token(
            flow.base_url,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri(self.platform),
            code_verifier=flow.verifier,
        )
        return self._connection(answer, flow.base_url, {})

    def refresh(self, channel: Channel) -> Connection:
        grant = channel.token_grant
        if not grant.get("refresh_token"):
            raise TokenRefused(_("The channel has no refresh token."))
        if app_credentials(self.platform) is None:
            raise TokenRefused(_("Connecting with this platform's login is not set up."))
        answer = self._token(
            channel.base_url, grant_type="refresh_token", refresh_token=grant["refresh_token"]
        )
        access = str(answer.get("access_token") or "")
        if not access:
            raise TransientError(_("The platform's answer held no access token."))
        return Connection(
            credentials={**channel.credentials, "access_token": access},
            remote_id=channel.remote_id,
            token_expires_at=_expiry(answer),
            grant={"refresh_token": answer.get("refresh_token") or grant["refresh_token"]},
        )


class _Facebook(_Provider):
    platform = config.FACEBOOK

    def authorize_url(self, flow: Flow) -> str:
        client_id, _secret = self._app()
        return self._dialog(
            flow,
            client_id=client_id,
            redirect_uri=redirect_uri(self.platform),
            state=flow.state,
            scope=config.OAUTH_SCOPES[self.platform],
            response_type="code",
        )

    def exchange(self, flow: Flow, code: str) -> Connection | list[dict[str, str]]:
        client_id, secret = self._app()
        token_url = endpoint(self.platform, "token", flow.base_url)
        short = _call(
            "GET",
            token_url,
            params={
                "client_id": client_id,
                "redirect_uri": redirect_uri(self.platform),
                "client_secret": secret,
                "code": code,
            },
        )
        # A page token got with a long-lived user token does not expire.
        long = _call(
            "GET",
            token_url,
            params={
                "grant_type": "fb_exchange_token",
                "client_id": client_id,
                "client_secret": secret,
                "fb_exchange_token": short.get("access_token", ""),
            },
        )
        user_token = str(long.get("access_token") or "")
        flow.sealed = crypto.encrypt({"user_token": user_token})
        return self.pages(flow)

    def pages(self, flow: Flow) -> list[dict[str, str]]:
        """The pages the logged-in person may post on, each with its page token."""
        _client_id, secret = self._app()
        user_token = flow.secrets.get("user_token", "")
        answer = _call(
            "GET",
            endpoint(self.platform, "accounts", flow.base_url),
            params={
                "fields": "id,name,access_token,tasks",
                "limit": 100,
                "appsecret_proof": appsecret_proof(user_token, secret),
            },
            headers={"Authorization": f"Bearer {user_token}"},
        )
        return [
            {"id": str(page["id"]), "name": page.get("name", ""), "token": page["access_token"]}
            for page in answer.get("data", [])
            if page.get("access_token")
            and config.FACEBOOK_POSTING_TASKS & set(page.get("tasks") or [])
        ]

    def connection_for(self, page: dict[str, str]) -> Connection:
        _client_id, secret = self._app()
        return Connection(
            credentials={
                "page_id": page["id"],
                "access_token": page["token"],
                "app_secret": secret,
            },
            remote_id=page["id"],
            name=page["name"],
        )


class _Instagram(_Provider):
    platform = config.INSTAGRAM

    def authorize_url(self, flow: Flow) -> str:
        client_id, _secret = self._app()
        return self._dialog(
            flow,
            client_id=client_id,
            redirect_uri=redirect_uri(self.platform),
            response_type="code",
            scope=config.OAUTH_SCOPES[self.platform],
            state=flow.state,
        )

    def exchange(self, flow: Flow, code: str) -> Connection:
        client_id, secret = self._app()
        answer = _call(
            "POST",
            endpoint(self.platform, "token", flow.base_url),
            data={
                "client_id": client_id,
                "client_secret": secret,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri(self.platform),
                "code": code,
            },
        )
        # The answer is wrapped in "data" since 2024; older apps get it at the top level.
        short = (answer.get("data") or [answer])[0]
        long = _call(
            "GET",
            endpoint(self.platform, "exchange", flow.base_url),
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": secret,
                "access_token": short.get("access_token", ""),
            },
        )
        return self._connection(long, flow.base_url)

    def _connection(self, answer: dict[str, Any], base_url: str) -> Connection:
        _client_id, secret = self._app()
        access = str(answer.get("access_token") or "")
        if not access:
            raise TransientError(_("The platform's answer held no access token."))
        with build_adapter(
            self.platform,
            credentials={"ig_user_id": "me", "access_token": access, "app_secret": secret},
            base_url=base_url,
        ) as adapter:
            account = adapter.verify_credentials()
        return Connection(
            credentials={
                "ig_user_id": account.remote_id,
                "access_token": access,
                "app_secret": secret,
            },
            remote_id=account.remote_id,
            name=account.name,
            token_expires_at=_expiry(answer),
            grant={"method": "ig_refresh_token"},
        )

    def refresh(self, channel: Channel) -> Connection:
        answer = _call(
            "GET",
            endpoint(self.platform, "refresh", channel.base_url),
            params={
                "grant_type": "ig_refresh_token",
                "access_token": channel.credentials.get("access_token", ""),
            },
        )
        access = str(answer.get("access_token") or "")
        if not access:
            raise TransientError(_("The platform's answer held no access token."))
        return Connection(
            credentials={**channel.credentials, "access_token": access},
            remote_id=channel.remote_id,
            token_expires_at=_expiry(answer),
            grant=channel.token_grant,
        )


class _Mastodon(_Provider):
    platform = config.MASTODON

    def authorize_url(self, flow: Flow) -> str:
        # Each instance is its own platform: the app registers itself there first.
        try:
            app = _call(
                "POST",
                endpoint(self.platform, "apps", flow.base_url),
                data={
                    # What the instance shows the person consenting: the municipality.
                    "client_name": branding.effective().name,
                    "redirect_uris": redirect_uri(self.platform),
                    "scopes": config.OAUTH_SCOPES[self.platform],
                    "website": tenancy.site_url(),
                },
            )
        except (TokenRefused, TransientError) as exc:
            raise LoginError(_("The Mastodon instance did not register the app: %s") % exc) from exc
        flow.sealed = crypto.encrypt(
            {"client_id": app.get("client_id", ""), "client_secret": app.get("client_secret", "")}
        )
        flow.verifier, challenge = _pkce()
        return self._dialog(
            flow,
            response_type="code",
            client_id=app.get("client_id", ""),
            redirect_uri=redirect_uri(self.platform),
            scope=config.OAUTH_SCOPES[self.platform],
            state=flow.state,
            code_challenge=challenge,
            code_challenge_method="S256",
        )

    def exchange(self, flow: Flow, code: str) -> Connection:
        app = flow.secrets
        answer = _call(
            "POST",
            endpoint(self.platform, "token", flow.base_url),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": app.get("client_id", ""),
                "client_secret": app.get("client_secret", ""),
                "redirect_uri": redirect_uri(self.platform),
                "code_verifier": flow.verifier,
                "scope": config.OAUTH_SCOPES[self.platform],
            },
        )
        access = str(answer.get("access_token") or "")
        if not access:
            raise TransientError(_("The platform's answer held no access token."))
        with build_adapter(
            self.platform, credentials={"access_token": access}, base_url=flow.base_url
        ) as adapter:
            account = adapter.verify_credentials()
        return Connection(
            credentials={"access_token": access}, remote_id=account.remote_id, name=account.name
        )


PROVIDERS: dict[str, _Provider] = {
    provider.platform: provider for provider in (_X(), _Facebook(), _Instagram(), _Mastodon())
}


# --- Completing ----------------------------------------------------------------------------------
@dataclass
class PageChoice:
    """Facebook: the person manages several pages and must say which one is the channel."""

    pages: list[dict[str, str]]


def complete(session, *, platform: str, params, actor) -> Channel | PageChoice:
    """Finish a login from the callback's query parameters."""
    flow = _take(session, platform, params.get("state", ""))
    error = params.get("error", "")
    if error:
        if error == "access_denied":
            raise LoginDenied(
                _(
                    "The connection was cancelled at %(platform)s: permission was not given, "
                    "so nothing was changed."
                )
                % {"platform": PLATFORM_NAMES[platform]},
                channel_id=flow.channel_id,
            )
        detail = params.get("error_description") or error
        raise LoginError(
            _("%(platform)s refused the login: %(detail)s")
            % {"platform": PLATFORM_NAMES[platform], "detail": detail[:300]},
            channel_id=flow.channel_id,
        )
    code = params.get("code", "")
    if not code:
        raise LoginError(
            _("%(platform)s sent no authorization code.") % {"platform": PLATFORM_NAMES[platform]},
            channel_id=flow.channel_id,
        )
    try:
        result = PROVIDERS[platform].exchange(flow, code)
        if isinstance(result, list):
            return _pages_found(session, flow, result, actor)
        return _save(flow, result, actor)
    except (TokenRefused, AdapterError) as exc:
        raise LoginError(
            _("%(platform)s did not give a token: %(detail)s")
            % {"platform": PLATFORM_NAMES[platform], "detail": exc},
            channel_id=flow.channel_id,
        ) from exc


def _pages_found(session, flow: Flow, pages: list[dict[str, str]], actor) -> Channel | PageChoice:
    facebook: _Facebook = PROVIDERS[config.FACEBOOK]  # type: ignore[assignment]
    if not pages:
        raise LoginError(
            _("This Facebook account may not post on any page. Log in as a page administrator."),
            channel_id=flow.channel_id,
        )
    if flow.channel_id is not None:
        channel = Channel.objects.listed().filter(pk=flow.channel_id).first()
        wanted = channel.credentials.get("page_id") if channel else None
        page = next((page for page in pages if page["id"] == wanted), None)
        if page is None:
            raise LoginError(
                _("This Facebook account does not manage the channel's page."),
                channel_id=flow.channel_id,
            )
        return _save(flow, facebook.connection_for(page), actor)
    if len(pages) == 1:
        return _save(flow, facebook.connection_for(pages[0]), actor)
    # Page tokens stay out of the session: the choice fetches them again.
    session[PAGE_CHOICE_KEY] = flow.__dict__.copy()
    return PageChoice([{"id": page["id"], "name": page["name"]} for page in pages])


def pending_page_choice(session) -> Flow | None:
    data = session.get(PAGE_CHOICE_KEY)
    if not data:
        return None
    flow = Flow(**data)
    if time.time() - flow.started > FLOW_SECONDS:
        session.pop(PAGE_CHOICE_KEY, None)
        return None
    return flow


def page_choices(flow: Flow) -> list[dict[str, str]]:
    facebook: _Facebook = PROVIDERS[config.FACEBOOK]  # type: ignore[assignment]
    try:
        return [{"id": p["id"], "name": p["name"]} for p in facebook.pages(flow)]
    except (TokenRefused, TransientError) as exc:
        raise LoginError(
            _("Facebook did not list the pages: %s") % exc, channel_id=flow.channel_id
        ) from exc


def choose_page(session, *, page_id: str, actor) -> Channel:
    """Connect the Facebook page the administrator picked."""
    flow = pending_page_choice(session)
    if flow is None:
        raise StateMismatch(_("The login took too long. Start the connection again."))
    facebook: _Facebook = PROVIDERS[config.FACEBOOK]  # type: ignore[assignment]
    try:
        pages = facebook.pages(flow)
    except (TokenRefused, TransientError) as exc:
        raise LoginError(_("Facebook did not list the pages: %s") % exc) from exc
    page = next((page for page in pages if page["id"] == page_id), None)
    if page is None:
        raise ValidationError({"page": _("Choose one of the pages listed.")})
    channel = _save(flow, facebook.connection_for(page), actor)
    session.pop(PAGE_CHOICE_KEY, None)
    return channel


@transaction.atomic
def _save(flow: Flow, connection: Connection, actor) -> Channel:
    """Connect or re-authorise through the services, then keep the renewal grant with it."""
    if flow.channel_id is None:
        channel = services.channel_connect(
            actor=actor,
            platform=flow.platform,
            credentials=connection.credentials,
            name=flow.name,
            base_url=flow.base_url,
            token_expires_at=connection.token_expires_at,
        )
    else:
        channel = Channel.objects.listed().filter(pk=flow.channel_id).first()
        if channel is None or channel.platform != flow.platform:
            raise LoginError(_("The channel was removed while you logged in."))
        if channel.remote_id and channel.remote_id != connection.remote_id:
            # Re-authorising must not silently move the channel to another account.
            raise LoginError(
                _(
                    "You logged in as another account than the channel's (%(name)s). Log in as "
                    "the channel's account, or connect the other account as a new channel."
                )
                % {"name": channel.name},
                channel_id=channel.pk,
            )
        channel = services.channel_reauthorise(
            actor=actor,
            channel=channel,
            credentials=connection.credentials,
            token_expires_at=connection.token_expires_at,
        )
    channel.token_grant = connection.grant
    channel.save(update_fields=["token_grant_encrypted"])
    return channel
