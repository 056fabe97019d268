"""Counting the visitors who follow a link posted on a social channel or shown in an embed."""

import logging
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import services
from reports.middleware import ReferralMiddleware
from reports.models import Referral
from tests import factories

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def link(consultation, source="facebook", medium="social", campaign=None):
    campaign = consultation.slug if campaign is None else campaign
    return (
        f"{consultation.get_absolute_url()}"
        f"?utm_source={source}&utm_medium={medium}&utm_campaign={campaign}"
    )


def visits(consultation, source="facebook") -> int:
    return sum(
        Referral.objects.filter(consultation=consultation, source=source).values_list(
            "visits", flat=True
        )
    )


@pytest.fixture
def open_consultation(db):
    return factories.ConsultationFactory(status="open")


def test_each_visitor_from_a_posted_link_is_counted(client, open_consultation):
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        response = client.get(link(open_consultation), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)
        assert response.status_code == 200
    client.get(link(open_consultation, "mastodon"), HTTP_USER_AGENT=BROWSER)
    assert visits(open_consultation) == 3
    assert visits(open_consultation, "mastodon") == 1
    row = Referral.objects.get(consultation=open_consultation, source="facebook")
    assert row.day == timezone.localdate()


def test_the_embed_counts_as_its_own_source(client, open_consultation):
    client.get(link(open_consultation, "embed", "iframe"), HTTP_USER_AGENT=BROWSER)
    assert visits(open_consultation, "embed") == 1
    assert Referral.objects.count() == 1


def test_a_new_day_gets_a_new_row(client, open_consultation):
    yesterday = timezone.localdate() - timedelta(days=1)
    Referral.objects.create(consultation=open_consultation, source="x", day=yesterday, visits=4)
    client.get(link(open_consultation, "x"), HTTP_USER_AGENT=BROWSER)
    rows = dict(
        Referral.objects.filter(consultation=open_consultation).values_list("day", "visits")
    )
    assert rows == {yesterday: 4, timezone.localdate(): 1}


@pytest.mark.parametrize(
    "source, medium, campaign",
    [
        ("tiktok", "social", None),  # not a channel the platform posts to
        ("facebook", "email", None),  # not a social or embed link
        ("facebook", "social", "no-such-consultation"),
        ("facebook", "social", ""),
        ("embed", "cpc", None),
    ],
)
def test_unknown_sources_mediums_and_slugs_are_ignored(
    client, open_consultation, source, medium, campaign
):
    client.get(link(open_consultation, source, medium, campaign), HTTP_USER_AGENT=BROWSER)
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "http.rb/5.1.1 (Mastodon/4.3.0; +https://social.example/)",
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ],
)
def test_robots_and_link_previews_are_not_visitors(client, open_consultation, agent):
    headers = {"HTTP_USER_AGENT": agent} if agent else {}
    client.get(link(open_consultation), **headers)
    assert Referral.objects.count() == 0


def test_only_pages_that_answered_count(client, open_consultation):
    url = link(open_consultation).replace(open_consultation.get_absolute_url(), "/no/such/page/")
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 404
    client.post(link(open_consultation), HTTP_USER_AGENT=BROWSER)  # a form, not an arrival
    assert Referral.objects.count() == 0
    middleware(HttpResponseNotFound)(
        RequestFactory().get(link(open_consultation), HTTP_USER_AGENT=BROWSER)
    )
    assert Referral.objects.count() == 0


def middleware(response_class=HttpResponse):
    return ReferralMiddleware(lambda request: response_class("page"))


def test_no_query_without_utm_parameters(open_consultation, django_assert_num_queries):
    factory = RequestFactory()
    run = middleware()
    with django_assert_num_queries(0):
        run(factory.get("/", HTTP_USER_AGENT=BROWSER))
        run(factory.get("/?page=2&q=harbour", HTTP_USER_AGENT=BROWSER))
        run(factory.get("/?utm_source=tiktok&utm_medium=social&utm_campaign=x"))
        run(
            factory.get(
                f"/?utm_source=tiktok&utm_medium=social&utm_campaign={open_consultation.slug}",
                HTTP_USER_AGENT=BROWSER,
            )
        )
        run(factory.get(f"/{link(open_consultation)}"))  # no user agent


def test_a_counted_visit_is_one_statement(open_consultation):
    factory = RequestFactory()
    first, second = (
        factory.get(link(open_consultation), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)
        for address in ("192.0.2.1", "192.0.2.2")
    )
    with CaptureQueriesContext(connection) as queries:
        middleware()(first)
        middleware()(second)
    writes = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(writes) == 2 and all(sql.startswith("INSERT INTO") for sql in writes)
    assert visits(open_consultation) == 2


def test_a_failure_to_count_never_fails_the_page(client, open_consultation, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("reports.middleware.referral_count", broken)
    with caplog.at_level(logging.ERROR, logger="reports.middleware"):
        response = client.get(link(open_consultation), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert "could not count an arrival" in caplog.text


def test_referral_count_says_whether_the_consultation_exists(open_consultation):
    today = timezone.localdate()
    assert services.referral_count(slug=open_consultation.slug, source="x", day=today)
    assert not services.referral_count(slug="missing", source="x", day=today)
    assert visits(open_consultation, "x") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers"
)
def test_simultaneous_arrivals_are_all_counted():
    consultation = factories.ConsultationFactory()
    day = timezone.localdate()
    threads, rounds = 12, 5
    barrier = threading.Barrier(threads)
    errors = []

    def arrive():
        try:
            barrier.wait()
            for _ in range(rounds):
                services.referral_count(slug=consultation.slug, source="bluesky", day=day)
        except Exception as error:  # asserted in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=arrive) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    (row,) = Referral.objects.filter(consultation=consultation)
    assert row.visits == threads * rounds


def test_a_loop_of_requests_from_one_visitor_counts_once(client, open_consultation):
    for _ in range(100):
        assert client.get(link(open_consultation), HTTP_USER_AGENT=BROWSER).status_code == 200
    assert visits(open_consultation) == 1
    # Once per consultation and channel: the same visitor from another channel counts there.
    client.get(link(open_consultation, "mastodon"), HTTP_USER_AGENT=BROWSER)
    assert visits(open_consultation, "mastodon") == 1
    other = factories.ConsultationFactory(status="open")
    client.get(link(other), HTTP_USER_AGENT=BROWSER)
    assert visits(other) == 1


def test_two_visitors_count_two(open_consultation):
    from django.test import Client

    for address in ("198.51.100.7", "198.51.100.8"):
        visitor = Client(REMOTE_ADDR=address)
        for _ in range(5):
            visitor.get(link(open_consultation), HTTP_USER_AGENT=BROWSER)
    assert visits(open_consultation) == 2


def test_the_counted_visitor_is_not_stored(client, open_consultation, monkeypatch):
    """Only a keyed hash of the visitor is kept, in the cache, for a day; never the address."""
    from reports import middleware as referral_middleware

    added = []
    real_add = referral_middleware.cache.add

    def recording_add(key, value, timeout=None, **kwargs):
        added.append((key, value, timeout))
        return real_add(key, value, timeout, **kwargs)

    monkeypatch.setattr(referral_middleware.cache, "add", recording_add)
    client.get(link(open_consultation), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.99")
    added = [entry for entry in added if entry[0].startswith("reports:")]  # not the page cache's
    assert len(added) == 1
    key, value, timeout = added[0]
    assert "203.0.113.99" not in key and "Firefox" not in key and value == 1
    assert timeout == 24 * 60 * 60
    assert visits(open_consultation) == 1


@pytest.mark.parametrize(
    "source",
    ["javascript:alert(1)", "https://evil.example/", "data:text/html,<b>", "<script>x</script>"],
)
def test_a_source_is_a_known_channel_name_never_a_link(client, open_consultation, source):
    from urllib.parse import quote

    client.get(link(open_consultation, quote(source, safe="")), HTTP_USER_AGENT=BROWSER)
    assert Referral.objects.count() == 0
    with pytest.raises(ValidationError):
        Referral(
            consultation=open_consultation, source=source, day=timezone.localdate()
        ).full_clean()
