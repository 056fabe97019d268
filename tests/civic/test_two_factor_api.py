"""REQUIRE_STAFF_2FA covers the API as it covers pages: a planner or administrator without an
authenticator app cannot work through a token or a session until they set one up."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories
from tests.factories import api_key_for

QUEUE = "/api/v1/moderation/queue/"


def _token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return api


@pytest.mark.parametrize("role_factory", [factories.PlannerFactory, factories.AdministratorFactory])
def test_staff_token_without_totp_is_refused_with_the_reason(db, settings, role_factory):
    settings.REQUIRE_STAFF_2FA = True
    staff = role_factory()
    api = _token_client(staff)
    response = api.get(QUEUE)
    assert response.status_code == 403
    assert "authenticator app" in response.json()["detail"]
    response = api.post(reverse("api-consultation-list"), {"title": "Ny"}, format="json")
    assert response.status_code == 403
    assert "authenticator app" in response.json()["detail"]

    TOTP.activate(staff, generate_totp_secret())
    assert api.get(QUEUE).status_code == 200


def test_staff_session_without_totp_gets_a_403_at_the_api_not_a_redirect(db, settings, planner):
    settings.REQUIRE_STAFF_2FA = True
    api = APIClient()
    api.force_login(planner)
    response = api.get(QUEUE)
    assert response.status_code == 403
    assert "authenticator app" in response.json()["detail"]


def test_staff_token_works_when_the_setting_is_off(db, settings, planner):
    settings.REQUIRE_STAFF_2FA = False
    assert _token_client(planner).get(QUEUE).status_code == 200


def test_residents_use_tokens_without_totp(db, settings, resident):
    settings.REQUIRE_STAFF_2FA = True
    response = _token_client(resident).get(QUEUE)
    assert response.status_code == 403  # the queue is for staff...
    assert "authenticator app" not in response.json()["detail"]  # ...but not for this reason
    assert _token_client(factories.UserFactory()).get("/api/v1/consultations/").status_code == 200
