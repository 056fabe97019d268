"""The home page: intro, key figures (public data only), open consultations with a map and a
list, the feed of open consultations, the anonymous page cache and what clears it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civic.changes import CLEARS, Cache, Change
from consultations import services as consultation_services
from consultations.models import Consultation, Phase
from debate import selectors as debate_selectors
from debate import services as debate_services
from moderation import services as moderation
from tests import factories
from tests.clients import api_for
from tests.debate.factories import CommentFactory

pytestmark = pytest.mark.django_db


def anonymous_home():
    response = Client().get("/")
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_home_page_explains_and_lists(client):
    factories.ConsultationFactory(title="Harbour baths")
    factories.ConsultationFactory(title="No place", area=None)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert "How to take part" in page and "pin your idea on its map" in page
    assert page.index("Open now") < page.index("Upcoming") < page.index("Closed")
    features = response.context["open_features"]
    assert [f["properties"]["title"] for f in features["features"]] == ["Harbour baths"]
    lon, lat = features["features"][0]["geometry"]["coordinates"]
    assert 12 < lon < 13 and 55 < lat < 56  # RFC 7946: longitude first
    assert features["without_place"] == 1
    # The list beside the map names every open consultation, also those without a place.
    assert 'data-map-widget="open-consultations"' in page and "<noscript>" in page
    assert "no place on the map" in page


def test_key_figures_count_public_data_only():
    public = factories.ConsultationFactory()
    idea = factories.IdeaFactory(consultation=public, support_count=4)
    factories.IdeaFactory(consultation=public, is_hidden=True, support_count=50)
    factories.SupportFactory(idea=idea)
    topic = factories.TopicFactory(consultation=public)
    CommentFactory(topic=topic)
    hidden = CommentFactory(topic=topic)
    hidden.is_hidden = True
    hidden.save()
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    factories.IdeaFactory(consultation=draft, support_count=9)
    CommentFactory(topic=factories.TopicFactory(consultation=draft))
    figures = debate_selectors.count_site_figures()
    assert figures.open_consultations == 1
    assert figures.ideas == 1 and figures.supports == 4 and figures.comments == 1
    # Idea authors, the supporter and the commenters of the public consultation.
    assert figures.participants == 5


def test_key_figures_take_two_queries_and_are_kept(django_assert_num_queries):
    for _ in range(3):
        factories.IdeaFactory()
    with django_assert_num_queries(2):
        debate_selectors.site_figures()
    with django_assert_num_queries(0):
        debate_selectors.site_figures()


@pytest.mark.parametrize("count", [2, 20])
def test_the_home_page_runs_a_fixed_number_of_queries(django_assert_num_queries, count):
    for n in range(count):
        consultation = factories.ConsultationFactory(title=f"Open {n}")
        factories.IdeaFactory(consultation=consultation)
        factories.ConsultationFactory(title=f"Later {n}", open_phase=False)
    # Open and upcoming (each with phases and categories), closed's count (no page to read),
    # the map's features and the key figures (two).
    with django_assert_num_queries(10):
        response = Client().get("/")
    assert len(response.context["open_consultations"]) == count


@pytest.mark.parametrize("count", [2, 20])
def test_the_open_feed_takes_one_query_and_may_be_cached(django_assert_num_queries, count):
    for _ in range(count):
        factories.ConsultationFactory()
    factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    with django_assert_num_queries(1):
        response = api_for().get("/api/v1/consultations/open.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert "public" in response["Cache-Control"]
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == count
    assert collection["features"][0]["properties"]["url"].startswith("http")


def test_the_picture_without_javascript_draws_only_open_consultations(
    django_assert_num_queries,
):
    factories.ConsultationFactory(title="Open one")
    factories.ConsultationFactory(title="No area", area=None)
    factories.ConsultationFactory(title="Draft", status="draft")
    with django_assert_num_queries(1):
        response = Client().get(reverse("open_map_picture"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.count("<circle") == 1 and svg.count("<path") == 1


# --- the page cache and what clears it ---------------------------------------------------------
def test_home_is_cleared_by_the_changes_it_shows():
    shown = {change for change, caches in CLEARS.items() if Cache.HOME in caches}
    assert shown == {
        Change.CONSULTATION,
        Change.PHASE,
        Change.IDEA,
        Change.COMMENT,
        Change.MODERATION,
    }


def test_a_published_draft_shows_on_the_cached_home_page_at_once(administrator):
    draft = factories.ConsultationFactory(title="Brand new plan", status="draft")
    anonymous_home()
    response, page = anonymous_home()
    assert response["X-Page-Cache"] == "hit" and "Brand new plan" not in page
    consultation_services.consultation_publish(actor=administrator, consultation=draft)
    response, page = anonymous_home()
    assert response.get("X-Page-Cache") != "hit" and "Brand new plan" in page


def test_a_new_phase_and_a_new_comment_clear_the_home_page(administrator, resident):
    consultation = factories.ConsultationFactory(title="Later on", open_phase=False)
    anonymous_home()
    response, page = anonymous_home()
    assert response["X-Page-Cache"] == "hit"
    assert response.context is None
    now = timezone.now()
    Phase.objects.create(
        consultation=consultation,
        kind=Phase.Kind.IDEAS,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
        allows_comments=True,
    )
    from civic.changes import changed

    changed(consultation.pk, Change.PHASE)
    response, page = anonymous_home()
    assert response.context["figures"].open_consultations == 1
    topic = factories.TopicFactory(consultation=consultation)
    anonymous_home()
    debate_services.comment_create(author=resident, target=topic, body="Yes, please.")
    response, page = anonymous_home()
    assert response.get("X-Page-Cache") != "hit"
    assert response.context["figures"].comments == 1


def test_a_hidden_idea_leaves_the_home_figures_at_once(planner):
    idea = factories.IdeaFactory()
    response, _ = anonymous_home()
    assert response.context["figures"].ideas == 1
    anonymous_home()
    moderation.item_hide(actor=planner, target=idea, public_reason="spam")
    response, _ = anonymous_home()
    assert response.context["figures"].ideas == 0


def test_a_support_leaves_the_home_page_cached():
    idea = factories.IdeaFactory()
    anonymous_home()
    factories.SupportFactory(idea=idea)
    response, _ = anonymous_home()
    assert response["X-Page-Cache"] == "hit"


def test_staff_are_never_served_the_cached_copy(client, administrator):
    factories.ConsultationFactory(title="Secret draft", status="draft")
    anonymous_home()
    client.force_login(administrator)
    page = client.get("/").content.decode()
    assert "Secret draft" in page and "Drafts" in page


def test_the_planted_secrets_stay_off_the_home_page_and_feed():
    secret = "zebrafish"
    public = factories.ConsultationFactory(title="Public plan")
    author = factories.UserFactory(email=f"{secret}@example.org")
    topic = factories.TopicFactory(consultation=public)
    hidden = CommentFactory(topic=topic, author=author, body=f"{secret} hidden")
    hidden.is_hidden = True
    hidden.save()
    factories.ConsultationFactory(title=f"{secret} draft", status="draft")
    _, page = anonymous_home()
    feed = api_for().get("/api/v1/consultations/open.geojson").content.decode()
    assert secret not in page and secret not in feed
    assert debate_selectors.count_site_figures().comments == 0
