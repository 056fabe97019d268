"""A stored language per person: set at sign-up, by the language switch and on the profile,
and used for every e-mail and notice sent to them, whatever language is active when it is sent."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from civic.models import NotificationFrequency, User
from civic.notifications import notify, send_digests
from tests import factories
from tests.civic.test_signup import _sign_up

pytestmark = pytest.mark.django_db

SUBJECT = gettext_lazy("Official answers to ideas")  # translated in civic's catalogue
IN_NORWEGIAN = "Offisielle svar på ideer"
IN_DANISH = "Officielle svar på idéer"


@pytest.mark.parametrize(
    "header, stored", [("da", "da"), ("nb-NO,nb;q=0.9", "nb"), ("en-GB", "en")]
)
def test_sign_up_keeps_the_language_the_person_signed_up_in(client, header, stored):
    _sign_up(client, f"new-{stored}@example.org")
    # A second person after the first, in another language, keeps their own.
    factories.UserFactory(language="")
    client.logout()
    other = client.__class__(HTTP_ACCEPT_LANGUAGE=header)
    _sign_up(other, f"second-{stored}@example.org")
    assert User.objects.get(email=f"second-{stored}@example.org").language == stored


def test_the_language_switch_stores_a_signed_in_persons_choice(client, resident):
    client.force_login(resident)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    resident.refresh_from_db()
    assert resident.language == "nb"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    resident.refresh_from_db()
    assert resident.language == "nb"  # an unknown code changes nothing


def test_an_anonymous_switch_stores_nothing_and_a_get_changes_nothing(client, resident):
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    client.force_login(resident)
    client.get(reverse("set_language") + "?language=da")
    resident.refresh_from_db()
    assert resident.language == ""


def test_the_profile_shows_and_saves_the_language(client, resident):
    client.force_login(resident)
    page = client.get(reverse("civic:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="language"' in page and "The language of the e-mails" in page
    response = client.post(
        reverse("civic:profile"),
        {
            "display_name": "Kari",
            "language": "da",
            "notification_frequency": NotificationFrequency.IMMEDIATE,
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "da"


def _notify(person):
    notify(recipient=person, kind="idea_answer", subject=SUBJECT, body=SUBJECT, url="/x/")


def test_a_notice_is_written_in_the_recipients_language_not_the_senders(
    django_capture_on_commit_callbacks,
):
    norwegian = factories.UserFactory(language="nb")
    danish = factories.UserFactory(language="da")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _notify(norwegian)
        _notify(danish)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert IN_NORWEGIAN in by_address[norwegian.email].subject
    assert IN_DANISH in by_address[danish.email].subject
    assert IN_NORWEGIAN in by_address[norwegian.email].body


def test_the_daily_digest_too():
    person = factories.UserFactory(
        language="nb", notification_frequency=NotificationFrequency.DAILY
    )
    with translation.override("da"):
        _notify(person)
    with translation.override("en"):
        send_digests()
    (message,) = mail.outbox
    assert IN_NORWEGIAN in message.body and "nye" in message.subject.lower()


def test_without_a_stored_language_the_active_one_is_used(django_capture_on_commit_callbacks):
    person = factories.UserFactory(language="")
    with translation.override("da"), django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    assert IN_DANISH in mail.outbox[0].subject
