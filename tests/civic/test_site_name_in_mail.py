"""allauth's e-mails name the municipality and its address, never "example.com"; confirming
the address signs the person in."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client

from civic.apps import site_from_settings
from civic.models import User
from tests.civic.test_signup import _sign_up

pytestmark = pytest.mark.django_db


def test_the_sign_up_mail_names_the_municipality(client, settings):
    _sign_up(client, "first@example.org")
    (message,) = mail.outbox
    assert "example.com" not in message.body
    assert settings.MUNICIPALITY_NAME in message.body and "127.0.0.1:8000" in message.body
    assert message.subject.startswith(f"[{settings.MUNICIPALITY_NAME}] ")


def test_the_site_follows_the_settings_after_migrate(settings):
    settings.SITE_NAME = "Harstad deltar"
    settings.SITE_URL = "https://deltar.harstad.kommune.no"
    site_from_settings()
    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Harstad deltar", "deltar.harstad.kommune.no")


def _confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_confirming_signs_the_person_in_one_after_the_other():
    people = []
    for email in ("anna@example.org", "bo@example.org"):
        browser = Client()
        _sign_up(browser, email)
        link = _confirmation_link(mail.outbox[-1])
        browser.get(link)  # the confirmation page
        response = browser.post(link)
        assert response.status_code == 302
        user = User.objects.get(email=email)
        assert browser.session.get("_auth_user_id") == str(user.pk)
        people.append(user)
    assert people[0] != people[1]


def test_a_link_opened_in_another_browser_confirms_without_signing_in():
    _sign_up(Client(), "carl@example.org")
    other = Client()
    response = other.post(_confirmation_link(mail.outbox[-1]))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="carl@example.org").verified
    assert "_auth_user_id" not in other.session
