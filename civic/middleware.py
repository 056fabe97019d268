from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import needs_totp_setup, setup_reason

# Paths a planner without two-factor authentication may still open: the account pages where
# they set it up, and what the pages themselves need. The API answers for itself with a 403 and
# the reason (civic.two_factor's DRF authentication), not with a redirect to a page.
_ALWAYS_ALLOWED = ("/accounts/", "/static/", "/media/", "/healthz", "/i18n/", "/jsi18n/", "/api/")


class StaffTwoFactorMiddleware:
    """When REQUIRE_STAFF_2FA is on, send planners and administrators without TOTP to set it up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_ALWAYS_ALLOWED) and needs_totp_setup(
            getattr(request, "user", None)
        ):
            messages.info(request, setup_reason())
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
