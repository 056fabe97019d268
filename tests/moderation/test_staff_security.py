"""Staff security is the foundation's (civic.middleware, allauth); these tests pin down that it
holds for the people who moderate."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_planner_without_two_factor_cannot_open_the_queue(client, settings, planner):
    settings.REQUIRE_STAFF_2FA = True
    client.force_login(planner)
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_planner_with_two_factor_opens_the_queue(client, settings, planner):
    from allauth.mfa.models import Authenticator

    settings.REQUIRE_STAFF_2FA = True
    Authenticator.objects.create(user=planner, type=Authenticator.Type.TOTP, data={})
    client.force_login(planner)
    assert client.get(reverse("moderation:queue")).status_code == 200


def test_failed_logins_are_throttled(client, planner):
    """allauth counts failures per account (5 per 5 minutes) and per address; after that even
    the right password is refused for a while."""
    assert "login_failed" in django_settings.ACCOUNT_RATE_LIMITS
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": planner.email, "password": "wrong"})
    response = client.post(url, {"login": planner.email, "password": "pass-word-123"})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
