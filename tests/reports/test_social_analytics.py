"""Social media figures per channel and week, with arrivals, for staff and councillors only;
the CSV matches the page; the query count does not grow with the posts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation
from reports import social_analytics
from reports.models import Referral
from social.models import Channel, PostState, SocialPost
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("reports:social")


def _channel(platform="mastodon", name="Copenhagen"):
    channel = Channel(platform=platform, name=name, base_url="https://social.example")
    channel.credentials = {"access_token": "t"}
    channel.save()
    return channel


def _published(channel, consultation, days_ago=0, **metrics):
    return SocialPost.objects.create(
        channel=channel,
        consultation=consultation,
        text="Harbour baths",
        state=PostState.PUBLISHED,
        remote_id=f"r{SocialPost.objects.count()}",
        published_at=timezone.now() - timedelta(days=days_ago),
        metrics=metrics,
    )


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(slug="harbour", title="Harbour baths")


def test_figures_add_up_per_channel_and_week_with_arrivals(harbour):
    mastodon, facebook = _channel(), _channel("facebook", "Københavns Kommune")
    _published(mastodon, harbour, reach=100, reactions=5, comments=2, shares=1)
    _published(facebook, harbour, reach=1000, reactions=40, comments=10, shares=5)
    _published(facebook, harbour, days_ago=8, reach=500, reactions="lots", comments=-3)
    Referral.objects.create(
        consultation=harbour, source="facebook", day=timezone.localdate(), visits=7
    )
    Referral.objects.create(
        consultation=harbour, source="embed", day=timezone.localdate(), visits=3
    )
    figures = social_analytics.build(Consultation.objects.all(), weeks=4)
    assert figures.total.posts == 3
    assert figures.total.metrics["reach"] == 1600
    # A platform's nonsense ("lots", a negative count) counts as nothing.
    assert figures.total.engagement == 5 + 2 + 1 + 40 + 10 + 5
    assert figures.total.arrivals == 7  # the embed is not a social channel
    assert figures.arrivals_by_platform == [("Facebook", 7)]
    this_week = figures.by_week[-1][1]
    assert this_week.posts == 2 and this_week.arrivals == 7
    assert [row.posts for row in figures.by_channel] == [2, 1]


def test_page_and_csv_for_a_councillor(client, harbour):
    other = factories.ConsultationFactory(slug="tunnel")
    channel = _channel()
    _published(channel, harbour, reach=100, reactions=5)
    _published(channel, other, reach=900, reactions=50)
    client.force_login(factories.CouncillorFactory())
    page = client.get(URL, {"consultation": "harbour", "weeks": "4"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Engagement and arrivals per week" in html and "<svg" in html
    download = client.get(URL, {"consultation": "harbour", "weeks": "4", "format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == list(social_analytics.CSV_HEADER)
    assert len(rows) == 5  # four weeks
    assert sum(int(row[1]) for row in rows[1:]) == 1  # the tunnel's post is left out
    assert sum(int(row[2]) for row in rows[1:]) == 100


def test_bad_choices_are_readable_400s(client):
    client.force_login(factories.PlannerFactory())
    response = client.get(URL, {"weeks": "1000"})
    assert response.status_code == 400
    assert "Period" in response.content.decode()
    response = client.get(URL, {"consultation": "no-such-consultation"})
    assert response.status_code == 400


def test_residents_and_the_public_do_not_see_the_figures(client):
    assert client.get(URL).status_code == 302
    client.force_login(factories.UserFactory())
    assert client.get(URL).status_code == 403


def test_a_limited_planner_reads_only_their_consultations(client, harbour):
    theirs = factories.ConsultationFactory(slug="theirs")
    planner = factories.PlannerFactory(limited_to_assigned=True)
    harbour.planners.add(planner)
    channel = _channel()
    _published(channel, harbour, reach=10)
    _published(channel, theirs, reach=990)
    client.force_login(planner)
    rows = list(csv.reader(io.StringIO(client.get(URL, {"format": "csv"}).content.decode())))
    assert sum(int(row[2]) for row in rows[1:]) == 10
    assert client.get(URL, {"consultation": "theirs"}).status_code == 400


def test_the_page_costs_the_same_queries_for_2_and_40_posts(
    client, harbour, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    channels = [_channel(), _channel("facebook", "Page")]
    for n in range(2):
        _published(channels[n % 2], harbour, days_ago=n * 7, reach=1)
    client.force_login(factories.CouncillorFactory())
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(38):
        _published(channels[n % 2], harbour, days_ago=n % 80, reach=1)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)
