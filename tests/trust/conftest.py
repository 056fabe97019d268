"""Shared tools of the trust layers: real sign-ups, people in every role, API clients.

Everything here goes through the paths a person takes (allauth's sign-up view, the e-mail
confirmation link, the log-in form, the API with a session or a token); factories are only used
for the staff and for the world the people act in.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests import factories

PASSWORD = "Harbour-bath-2026"  # noqa: S105 - a test password, long enough for the validators
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")

requires_concurrent_database = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises every writer; concurrency is tested on PostgreSQL",
)


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class Resident:
    """A person who signed up through the sign-up form, with their own logged-in client."""

    email: str
    display_name: str
    client: Client
    user: object = None
    ideas: list = field(default_factory=list)


def confirmation_path(email: str) -> str:
    """The path of the newest confirmation link e-mailed to `email`."""
    for message in reversed(mail.outbox):
        if email.lower() in (address.lower() for address in message.to):
            match = CONFIRM_LINK.search(message.body)
            assert match, f"no confirmation link in the e-mail to {email}: {message.body!r}"
            return match.group(1)
    raise AssertionError(f"no e-mail was sent to {email}")


def sign_up(
    email: str, *, display_name: str = "", show_name_publicly: bool = False, client=None
) -> Resident:
    """Sign up with the real form, follow the e-mailed link, and log in with the password."""
    from civic.models import User

    client = client or Client()
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    form = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "display_name": display_name,
        "accept_terms": "on",
    }
    if show_name_publicly:
        form["show_name_publicly"] = "on"
    response = client.post(reverse("account_signup"), form)
    assert response.status_code == 302, (
        f"sign-up of {email} answered {response.status_code}: "
        f"{response.content.decode(errors='replace')[:500]}"
    )
    confirmed = client.post(confirmation_path(email))
    assert confirmed.status_code == 302, f"confirming {email} answered {confirmed.status_code}"
    client.logout()
    logged_in = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert logged_in.status_code == 302, f"log-in of {email} answered {logged_in.status_code}"
    assert "_auth_user_id" in client.session, f"{email} is not logged in after log-in"
    user = User.objects.get(email__iexact=email)
    return Resident(email=email, display_name=display_name, client=client, user=user)


def token_client(user) -> Client:
    """A client that authenticates with an API token only (no session, no CSRF exemption)."""
    if not hasattr(user, "_api_key"):
        user._api_key = factories.api_key_for(user)
    return Client(HTTP_AUTHORIZATION=f"Token {user._api_key}", enforce_csrf_checks=True)


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def block(user, *, consultation=None):
    """Block `user` site-wide (no consultation) or in one consultation, as a planner would."""
    from moderation import services

    moderator = factories.AdministratorFactory()
    services.user_block(
        actor=moderator, user=user, consultation=consultation, days=7, reason="Flooding"
    )
    return user


ROLES = [
    "anonymous",
    "resident",
    "blocked_site",
    "blocked_consultation",
    "planner",
    "limited_planner",
    "councillor",
    "administrator",
]
