"""REQUIRE_STAFF_2FA: planners and administrators work only once they use an authenticator app.

One rule for every way in: pages (civic.middleware.StaffTwoFactorMiddleware) and the API, by
session or by token (the DRF authentication classes below, named in settings.REST_FRAMEWORK).
A token is a password that skips the second factor, so it must not open what a session without
TOTP cannot.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

from .permissions import is_staff_role


def needs_totp_setup(user) -> bool:
    """True for a planner or administrator without TOTP while the setting is on."""
    if not settings.REQUIRE_STAFF_2FA or not is_staff_role(user):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def setup_reason() -> str:
    return _(
        "Planners and administrators protect their account with an authenticator "
        "app. Set it up to continue."
    )


class TwoFactorRefused(exceptions.PermissionDenied):
    default_code = "two_factor_required"


def _refuse_without_totp(user_auth):
    if user_auth is not None and needs_totp_setup(user_auth[0]):
        raise TwoFactorRefused(setup_reason())
    return user_auth


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        return _refuse_without_totp(super().authenticate(request))


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, looked up by the key's digest (civic.api_tokens)."""

    def authenticate(self, request):
        return _refuse_without_totp(super().authenticate(request))

    def authenticate_credentials(self, key):
        from .api_tokens import token_for_key

        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.owner.is_active or token.owner.is_deleted:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.owner, token)


class SessionAuthenticationScheme(SessionScheme):
    """The OpenAPI schema describes the session cookie as before (the token scheme already
    matches subclasses)."""

    target_class = SessionAuthentication
