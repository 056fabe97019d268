"""Sign-up, e-mail verification, log-in throttling, password reset and two-factor for staff."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.urls import reverse

from civic.models import User
from tests import factories

PASSWORD = "pass-word-123"  # noqa: S105
SIGNUP = {
    "email": "ny@example.org",
    "password1": "a-long-Pass-phrase-9",
    "password2": "a-long-Pass-phrase-9",
    "display_name": "Ny Borger",
    "accept_terms": "on",
}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _verified(user):
    """The factories already confirm the address; say so where a test relies on it."""
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    return user


def _log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Sign-up and e-mail verification ---------------------------------------------------------


def test_sign_up_sends_a_verification_mail_and_keeps_the_person_out_until_confirmed(client, db):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    person = User.objects.get(email="ny@example.org")
    assert person.display_name == "Ny Borger"
    assert not person.show_name_publicly  # the pseudonym until the person chooses otherwise
    assert not _is_logged_in(client)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ny@example.org"]
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[0].body).group(0)

    # Before confirming, the right password does not let the person in.
    client.logout()
    response = _log_in(client, "ny@example.org", SIGNUP["password1"])
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not _is_logged_in(client)

    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="ny@example.org").verified
    client.logout()
    response = _log_in(client, "ny@example.org", SIGNUP["password1"])
    assert response.status_code == 302
    assert _is_logged_in(client)


def test_sign_up_refuses_an_address_already_in_use(client, db):
    _verified(factories.UserFactory(email="taken@example.org"))
    client.post(reverse("account_signup"), {**SIGNUP, "email": "Taken@Example.org"})
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_log_out(client, db):
    person = _verified(factories.UserFactory())
    _log_in(client, person.email)
    assert _is_logged_in(client)
    client.post(reverse("account_logout"))
    assert not _is_logged_in(client)


def test_password_reset_sends_a_link_that_sets_a_new_password(client, db):
    person = _verified(factories.UserFactory(email="glemsom@example.org"))
    response = client.post(reverse("account_reset_password"), {"email": "glemsom@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["glemsom@example.org"]
    link = re.search(r"/accounts/password/reset/key/[^\s]+/", mail.outbox[0].body).group(0)

    form_url = client.get(link).url  # allauth moves the key into the session first
    response = client.post(
        form_url, {"password1": "a-new-Pass-phrase-7", "password2": "a-new-Pass-phrase-7"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-Pass-phrase-7")


def test_password_reset_for_an_unknown_address_tells_nothing_away(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer as for a known address
    assert all("reset/key" not in message.body for message in mail.outbox)


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(client, db):
    person = _verified(factories.UserFactory(email="target@example.org"))
    # The default rate allows five failures per account within five minutes.
    for _ in range(5):
        response = _log_in(client, person.email, "wrong-password")
        assert response.status_code == 200
        assert not _is_logged_in(client)
    response = _log_in(client, person.email, PASSWORD)
    assert response.status_code == 200
    assert not _is_logged_in(client)
    assert "Too many failed login attempts" in response.content.decode()


# --- Two-factor authentication for staff -------------------------------------------------


@pytest.mark.parametrize("role_factory", [factories.PlannerFactory, factories.AdministratorFactory])
def test_staff_without_totp_are_sent_to_set_it_up(client, db, settings, role_factory):
    settings.REQUIRE_STAFF_2FA = True
    _log_in(client, role_factory().email)
    assert _is_logged_in(client)
    response = client.get(reverse("civic:profile"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # The set-up page says why, and stays reachable; allauth asks for the password once more.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert "protect their account with an authenticator app" in response.content.decode()
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


@pytest.mark.parametrize(
    "role_factory", [factories.UserFactory, factories.CouncillorFactory], ids=["resident", "cllr"]
)
def test_residents_and_councillors_are_not_asked_for_two_factor(client, db, settings, role_factory):
    settings.REQUIRE_STAFF_2FA = True
    client.force_login(role_factory())
    assert client.get(reverse("civic:profile")).status_code == 200


def test_staff_are_not_redirected_when_the_setting_is_off(client, settings, planner):
    settings.REQUIRE_STAFF_2FA = False
    client.force_login(planner)
    assert client.get(reverse("civic:profile")).status_code == 200


def test_planner_with_totp_passes(client, settings, planner):
    settings.REQUIRE_STAFF_2FA = True
    TOTP.activate(planner, generate_totp_secret())
    client.force_login(planner)
    assert client.get(reverse("civic:profile")).status_code == 200


def test_planner_with_totp_logs_in_with_password_and_code(client, settings, planner):
    settings.REQUIRE_STAFF_2FA = True
    _verified(planner)
    secret = generate_totp_secret()
    TOTP.activate(planner, secret)
    assert Authenticator.objects.filter(user=planner, type=Authenticator.Type.TOTP).exists()

    response = _log_in(client, planner.email)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not _is_logged_in(client)  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert not _is_logged_in(client)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert _is_logged_in(client)
    assert client.get(reverse("civic:profile")).status_code == 200


# --- National eID through OpenID Connect -------------------------------------------------

EID_PROVIDER = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "eid",
                "name": "MitID",
                "client_id": "borgerdialog",
                "secret": "not-a-real-secret",
                "settings": {"server_url": "https://eid.example.org/.well-known/openid"},
            }
        ],
    }
}


def test_login_page_offers_the_configured_eid_provider(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = EID_PROVIDER
    page = client.get(reverse("account_login")).content.decode()
    assert "MitID" in page
    assert reverse("openid_connect_login", kwargs={"provider_id": "eid"}) in page


def test_login_page_offers_no_provider_when_none_is_configured(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get(reverse("account_login")).content.decode()
    assert "/accounts/oidc/" not in page


def test_too_many_log_in_requests_answer_the_throttle_page_in_the_site_style(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        assert _log_in(client, "someone@example.org", "wrong").status_code == 200
    response = _log_in(client, "someone@example.org", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>Too many attempts</h1>" in page
    assert '<header class="site-header">' in page


def test_each_municipality_signs_in_with_its_own_eid(client, harstad, settings):
    """Copenhagen with the installation's MitID, Harstad with its own ID-porten client."""
    from tests.tenancy_helpers import SECOND_HOST

    settings.SOCIALACCOUNT_PROVIDERS = EID_PROVIDER
    settings.OIDC_MUNICIPALITY_APPS = {
        "harstad": {
            "name": "ID-porten",
            "server_url": "https://idporten.example.no/.well-known/openid",
            "client_id": "harstad-deltar",
            "secret": "not-a-real-secret",
        }
    }
    login = reverse("account_login")
    at_copenhagen = client.get(login).content.decode()
    at_harstad = client.get(login, HTTP_HOST=SECOND_HOST).content.decode()
    assert "MitID" in at_copenhagen and "ID-porten" not in at_copenhagen
    assert "ID-porten" in at_harstad and "MitID" not in at_harstad
    # Both sign in under the one provider id: "verified with the eID" means the same anywhere.
    start = reverse("openid_connect_login", kwargs={"provider_id": "eid"})
    assert start in at_harstad

    from allauth.socialaccount.adapter import get_adapter

    from civic import tenancy
    from tests.tenancy_helpers import inside

    with inside(harstad):
        (app,) = get_adapter().list_apps(None, provider="eid")
        assert (app.client_id, app.settings["server_url"]) == (
            "harstad-deltar",
            "https://idporten.example.no/.well-known/openid",
        )
    with tenancy.activate(tenancy.for_host("testserver").id):
        (app,) = get_adapter().list_apps(None, provider="eid")
        assert app.client_id == "borgerdialog"
