"""Privacy notice, terms of use, accessibility statement and cookies: in every footer, in each
language, editable by the municipality with versions, and accepted at sign-up."""

import pytest
from django.contrib.admin.sites import AdminSite
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from civic.admin import LegalPageAdmin
from civic.legal import page_for, third_parties
from civic.models import LegalPage, User
from tests.civic.test_signup import _sign_up

pytestmark = pytest.mark.django_db

KINDS = ("privacy", "terms", "accessibility", "cookies")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_each_page_in_each_language(client, kind, language, settings):
    response = client.get(reverse("legal", args=[kind]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert settings.MUNICIPALITY_NAME in page or kind == "cookies"
    assert "{" not in page.split("<main", 1)[1].split("</main>")[0]  # every placeholder filled


def test_every_page_links_to_them_in_the_footer(client):
    page = client.get("/").content.decode()
    footer = page.split('class="site-footer"', 1)[1]
    for kind in KINDS:
        assert f'href="{reverse("legal", args=[kind])}"' in footer


def test_an_unknown_page_is_404(client):
    assert client.get("/about/secrets/").status_code == 404


def test_the_accessibility_statement_names_the_enforcement_body(client):
    danish = client.get(reverse("legal", args=["accessibility"]), HTTP_ACCEPT_LANGUAGE="da")
    norwegian = client.get(reverse("legal", args=["accessibility"]), HTTP_ACCEPT_LANGUAGE="nb")
    assert "Digitaliseringsstyrelsen" in danish.content.decode()
    assert "uutilsynet.no" in norwegian.content.decode()


def test_the_privacy_notice_lists_every_third_party_as_configured(client, settings):
    settings.OIDC_SERVER_URL = "https://eid.example.dk/oidc"
    hosts = [host for host, _ in third_parties()]
    assert hosts[0] == "tile.openstreetmap.org" and "eid.example.dk" in hosts
    page = client.get(reverse("legal", args=["privacy"]), HTTP_ACCEPT_LANGUAGE="en")
    assert "tile.openstreetmap.org" in page.content.decode()
    assert "eid.example.dk" in page.content.decode()


def _admin_save(page, body, administrator):
    request = RequestFactory().post("/")
    request.user = administrator
    page.body = body
    LegalPageAdmin(LegalPage, AdminSite()).save_model(request, page, None, bool(page.pk))
    page.refresh_from_db()
    return page


def test_the_municipalitys_own_text_replaces_the_default_and_each_change_is_a_version(
    client, administrator
):
    own = _admin_save(LegalPage(kind="terms", language="en"), "Our own **terms**.", administrator)
    assert own.version == 2
    page = client.get(reverse("legal", args=["terms"]), HTTP_ACCEPT_LANGUAGE="en").content
    assert b"<strong>terms</strong>" in page and b"Version 2" in page
    assert _admin_save(own, "Our own **terms**.", administrator).version == 2  # unchanged
    assert _admin_save(own, "Changed terms.", administrator).version == 3
    assert page_for("terms", "da").is_default  # the Danish text is still the default


def test_sign_up_needs_the_consent_and_records_what_was_accepted(client, administrator):
    from django.test import Client

    refused = Client().post(
        reverse("account_signup"),
        {"email": "no@example.org", "password1": "a-long-Pass-phrase-9",
         "password2": "a-long-Pass-phrase-9"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert refused.status_code == 200
    assert "Accept the terms of use to create an account." in refused.content.decode()
    assert not User.objects.filter(email="no@example.org").exists() and not mail.outbox

    _admin_save(LegalPage(kind="terms", language="nb"), "Vilkår.", administrator)
    _sign_up(client, "yes@example.org", HTTP_ACCEPT_LANGUAGE="nb")
    person = User.objects.get(email="yes@example.org")
    assert person.language == "nb"
    assert (person.terms_version, person.privacy_version) == (2, 1)
    assert person.consented_at is not None
