"""Consent per municipality: a person accepts a municipality's terms of use and privacy notice
before taking part there. Each municipality is the controller of what its residents give it and
writes its own texts (civic.legal), so accepting Copenhagen's at sign-up is no consent to
Harstad's.

Asked on every write a signed-in person sends (ConsentMiddleware): read with the person
(civic.models.role_here_annotations), so it costs no query of its own. Staff of the municipality
work under their employment, not these terms, and are not asked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import legal, tenancy
from .models import Consent, Role

# What a person may always do: their account, their data, the language, the consent itself.
ALWAYS_ALLOWED = (
    "/accounts/",
    "/me/",
    "/moderation/me/",
    "/i18n/",
    "/consent/",
    "/static/",
    "/media/",
    "/healthz",
)


def given_here(user) -> bool:
    """Whether `user` accepted the terms of the municipality served (True for its staff)."""
    municipality_id = tenancy.current_id()
    if municipality_id is None or user.role != Role.RESIDENT:
        return True
    return user.consented_in(municipality_id)


def consent_record(user, *, language: str | None = None) -> Consent:
    """`user` accepts the municipality's terms and privacy notice as they read now."""
    municipality_id = tenancy.current_id()
    versions = legal.current_versions(language or user.language or settings.LANGUAGE_CODE)
    consent, _created = Consent.objects.update_or_create(
        user_id=user.pk,
        municipality_id=municipality_id,
        defaults={
            "terms_version": versions["terms"],
            "privacy_version": versions["privacy"],
            "consented_at": timezone.now(),
        },
    )
    user.note_consent(municipality_id)
    return consent


def page_address(next_path: str) -> str:
    return f"{reverse('consent')}?{REDIRECT_FIELD_NAME}={next_path}"


def safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


class ConsentMiddleware:
    """A signed-in person who has not accepted this municipality's terms may read everything,
    but what they send (an idea, a support, a comment) waits until they accept: pages lead them
    to the consent page and back, the API answers 403 saying so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and user is not None
            and user.is_authenticated
            and not request.path_info.startswith(ALWAYS_ALLOWED)
            and not given_here(user)
        ):
            name = request.municipality.display_name
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": _(
                            "Accept the terms of use and the privacy notice of %(name)s "
                            "before taking part: %(address)s"
                        )
                        % {"name": name, "address": request.build_absolute_uri(reverse("consent"))}
                    },
                    status=403,
                )
            back = safe_next(request, request.headers.get("Referer"))
            return redirect(page_address(back))
        return self.get_response(request)
