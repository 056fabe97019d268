"""Each municipality's own national eID: Copenhagen signs residents in with MitID, Harstad
with ID-porten, on one installation.

OIDC_MUNICIPALITY_APPS (JSON, by the municipality's short name) gives a municipality its own
OpenID Connect client; one without an entry uses the installation's (OIDC_SERVER_URL ...), if
any. All of them sign in under the one provider id (OIDC_PROVIDER_ID), so "verified with the
eID" means the same everywhere, and a person who signs in with the same eID at two
municipalities is one account, as with an e-mail address.
"""

from __future__ import annotations

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from . import tenancy

PROVIDER = "openid_connect"


def own_app_settings(slug: str | None = None) -> dict | None:
    """The municipality's own eID client settings (the current one by default), or None."""
    if slug is None:
        served = tenancy.current()
        slug = served.slug if served else None
    return settings.OIDC_MUNICIPALITY_APPS.get(slug) if slug else None


def server_urls() -> list[str]:
    """Every eID provider the installation signs in with (for the security policy)."""
    own = [app.get("server_url", "") for app in settings.OIDC_MUNICIPALITY_APPS.values()]
    return [url for url in (settings.OIDC_SERVER_URL, *own) if url]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        own = own_app_settings()
        if own is None or provider not in (None, PROVIDER, settings.OIDC_PROVIDER_ID):
            return super().list_apps(request, provider=provider, client_id=client_id)
        if client_id and client_id != own.get("client_id"):
            return []
        from allauth.socialaccount.models import SocialApp

        app = SocialApp(
            provider=PROVIDER,
            provider_id=settings.OIDC_PROVIDER_ID,
            name=own.get("name", "eID"),
            client_id=own.get("client_id", ""),
            secret=own.get("secret", ""),
            settings={
                "server_url": own["server_url"],
                "scope": own.get("scope", ["openid", "email", "profile"]),
            },
        )
        return [app]
