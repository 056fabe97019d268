"""Sign-up for any number of people: by e-mail through the real form, and by eID (OpenID Connect)
against a small identity provider served over real HTTP."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.urls import reverse

from civic.models import User
from tests import factories


def _sign_up(client, email, name="Ny Borger", **headers):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "a-long-Pass-phrase-9",
            "password2": "a-long-Pass-phrase-9",
            "display_name": name,
            "accept_terms": "on",
        },
        **headers,
    )


class FakeIdentityProvider(BaseHTTPRequestHandler):
    """Discovery document, token endpoint and userinfo of an OpenID Connect provider.

    `person` is what userinfo tells about whoever logs in next.
    """

    person: dict = {}
    tokens_issued: list = []

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _json(self, payload, status=200):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = f"http://{self.headers['Host']}"
        if self.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )
        elif self.path == "/userinfo":
            if self.headers.get("Authorization") not in {f"Bearer {t}" for t in self.tokens_issued}:
                self._json({"error": "invalid_token"}, status=401)
            else:
                self._json(self.person)
        else:
            self._json({"error": "not_found"}, status=404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        if self.path != "/token" or form.get("code") != ["the-code"]:
            self._json({"error": "invalid_grant"}, status=400)
            return
        token = f"token-{len(self.tokens_issued)}"
        self.tokens_issued.append(token)
        self._json({"access_token": token, "token_type": "Bearer", "expires_in": 300})


@pytest.fixture
def identity_provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeIdentityProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "eid",
                    "name": "MitID",
                    "client_id": "borgerdialog",
                    "secret": "not-a-real-secret",
                    "settings": {"server_url": base},
                }
            ],
        }
    }
    FakeIdentityProvider.tokens_issued = []
    yield FakeIdentityProvider
    server.shutdown()
    server.server_close()


def _eid_log_in(client):
    """Start at the log-in button, come back from the provider with a code, as a browser would."""
    response = client.post(reverse("openid_connect_login", kwargs={"provider_id": "eid"}))
    assert response.status_code == 302, response.content[:500]
    state = parse_qs(urlparse(response.url).query)["state"][0]
    callback = reverse("openid_connect_callback", kwargs={"provider_id": "eid"})
    return client.get(callback, {"code": "the-code", "state": state})


def _eid_sign_up(client, email: str):
    """A new person: through the eID, then the sign-up form with the terms accepted."""
    response = _eid_log_in(client)
    assert response.url == reverse("socialaccount_signup"), response
    return client.post(response.url, {"email": email, "accept_terms": "on"})


def test_many_people_sign_up_by_e_mail_and_by_eid_and_a_case_variant_is_refused(
    client, db, identity_provider
):
    for number in range(3):
        response = _sign_up(client, f"borger{number}@example.org", name=f"Borger {number}")
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response.url == reverse("account_email_verification_sent")
        client.logout()
    people = User.objects.filter(email__startswith="borger")
    assert people.count() == 3
    assert len({person.username for person in people}) == 3
    assert all(person.username for person in people)

    identity_provider.person = {
        "sub": "eid-1234",
        "email": "eid.borger@example.org",
        "email_verified": True,
        "name": "Eid Borger",
    }
    response = _eid_sign_up(client, "eid.borger@example.org")
    assert response.status_code == 302, response.content.decode()[:2000]
    account = SocialAccount.objects.get(provider="eid", uid="eid-1234")
    assert account.user.email == "eid.borger@example.org"
    assert account.user.username
    assert "_auth_user_id" in client.session
    client.logout()

    # A second eID person after the first one.
    identity_provider.person = {"sub": "eid-5678", "email": "to@example.org"}
    assert _eid_sign_up(client, "to@example.org").status_code == 302
    assert SocialAccount.objects.filter(provider="eid").count() == 2
    client.logout()

    # The same address in other letters is the same address: no second account, no error page.
    mail.outbox.clear()
    response = _sign_up(client, "Borger1@EXAMPLE.org")
    assert response.status_code in {200, 302}
    assert User.objects.filter(email__iexact="borger1@example.org").count() == 1
    # allauth does not tell a stranger that the address has an account (the same page as for a
    # new address); only the address's owner may hear of it, by mail.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert all(message.to == ["borger1@example.org"] for message in mail.outbox)


def test_sign_up_with_an_address_stored_in_other_letters_is_refused(client, db):
    factories.UserFactory(email="Mixed.Case@Example.org")
    response = _sign_up(client, "mixed.case@example.org")
    assert response.status_code in {200, 302}
    assert User.objects.filter(email__iexact="mixed.case@example.org").count() == 1


def test_eid_sign_up_with_the_address_of_an_existing_account_asks_instead_of_failing(
    client, db, identity_provider
):
    factories.UserFactory(email="taken@example.org")
    identity_provider.person = {"sub": "eid-9", "email": "Taken@example.org"}
    response = _eid_log_in(client)
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        response = client.get(response.url)
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert not EmailAddress.objects.filter(email__iexact="taken@example.org", user__isnull=True)


def test_without_enumeration_prevention_a_case_variant_gets_a_form_error(client, db, settings):
    settings.ACCOUNT_PREVENT_ENUMERATION = False
    factories.UserFactory(email="kendt@example.org")
    response = _sign_up(client, "KENDT@Example.org")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert "already registered" in response.content.decode()
    assert User.objects.filter(email__iexact="kendt@example.org").count() == 1


def test_a_new_person_from_the_eid_accepts_the_terms_before_an_account_exists(
    client, db, identity_provider
):
    identity_provider.person = {
        "sub": "eid-consent",
        "email": "ny.borger@example.org",
        "email_verified": True,
        "name": "Ny Borger",
    }
    response = _eid_log_in(client)
    assert response.status_code == 302
    assert response.url == reverse("socialaccount_signup")
    assert not User.objects.filter(email="ny.borger@example.org").exists()
    form = client.get(response.url).content.decode()
    assert 'name="accept_terms"' in form
    assert "ny.borger@example.org" in form  # the address the eID gave, ready to confirm

    refused = client.post(
        reverse("socialaccount_signup"), {"email": "ny.borger@example.org", "display_name": "Ny"}
    )
    assert refused.status_code == 200
    assert "Accept the terms of use to create an account." in refused.content.decode()
    assert not User.objects.filter(email="ny.borger@example.org").exists()

    response = client.post(
        reverse("socialaccount_signup"),
        {"email": "ny.borger@example.org", "display_name": "Ny", "accept_terms": "on"},
    )
    assert response.status_code == 302
    person = User.objects.get(email="ny.borger@example.org")
    assert person.terms_version and person.privacy_version and person.consented_at
    assert SocialAccount.objects.filter(user=person, provider="eid").exists()

    # Next time the eID signs the person straight in.
    client.logout()
    assert _eid_log_in(client).status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
