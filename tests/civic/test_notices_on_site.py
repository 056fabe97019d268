"""Notices on the site beside e-mail: every notice is on the person's notifications page, the
header counts the unread ones, and opening the page reads them."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civic.models import Notification, NotificationFrequency
from civic.notifications import notify, set_subscriptions
from tests import factories

pytestmark = pytest.mark.django_db
PAGE = reverse("civic:notifications")


def _notify(person, subject="Your idea was answered"):
    notify(recipient=person, kind="idea_answer", subject=subject, body="Read it.", url="/x/")


def test_an_immediate_notice_is_mailed_and_on_the_site(client, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    assert len(mail.outbox) == 1
    client.force_login(person)
    header = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="badge badge-count">1<span class="visually-hidden"> unread' in header
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your idea was answered" in page and "Official answers to ideas" in page
    assert "badge-count" not in client.get("/").content.decode()  # read by opening the page


def test_opted_out_of_mail_still_sees_it_on_the_site(client, django_capture_on_commit_callbacks):
    person = factories.UserFactory()
    set_subscriptions(recipient=person, kinds=set())
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person)
    assert not mail.outbox
    client.force_login(person)
    assert "Your idea was answered" in client.get(PAGE).content.decode()


def test_a_daily_notice_waits_for_the_digest_and_is_on_the_site_at_once(client):
    from civic.notifications import send_digests

    person = factories.UserFactory(notification_frequency=NotificationFrequency.DAILY)
    _notify(person)
    client.force_login(person)
    assert "Your idea was answered" in client.get(PAGE).content.decode()
    assert send_digests() == 1 and len(mail.outbox) == 1  # reading it did not cancel the mail


def test_nobody_sees_anyone_elses_notices(client):
    mine, theirs = factories.UserFactory(), factories.UserFactory()
    _notify(theirs, subject="Private to them")
    client.force_login(mine)
    assert "Private to them" not in client.get(PAGE).content.decode()
    assert Notification.objects.get(recipient=theirs).read_at is None


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_costs_the_same_queries_however_many_notices(client):
    person = factories.UserFactory()
    client.force_login(person)
    _notify(person)

    def count():
        with CaptureQueriesContext(connection) as queries:
            client.get(PAGE)
        return len(queries)

    few = count()
    for n in range(30):
        _notify(person, subject=f"Notice {n}")
    assert count() == few
