from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import is_staff_role

# Paths a planner without two-factor authentication may still open: the account pages where
# they set it up, and what the pages themselves need.
_ALWAYS_ALLOWED = ("/accounts/", "/static/", "/media/", "/healthz", "/i18n/", "/jsi18n/")


class StaffTwoFactorMiddleware:
    """When REQUIRE_STAFF_2FA is on, send planners and administrators without TOTP to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_STAFF_2FA and self._needs_setup(request):
            messages.info(
                request,
                _(
                    "Planners and administrators protect their account with an authenticator "
                    "app. Set it up to continue."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _needs_setup(request) -> bool:
        user = getattr(request, "user", None)
        if not is_staff_role(user) or request.path.startswith(_ALWAYS_ALLOWED):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
