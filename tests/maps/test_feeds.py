import math

import pytest
from django.test import Client
from django.urls import NoReverseMatch

from consultations.models import Consultation
from ideas.feeds import nearby_ideas, title_similarity
from ideas.models import IdeaStatus, Publication
from tests.factories import CategoryFactory, ConsultationFactory, IdeaFactory

pytestmark = pytest.mark.django_db

AREA_BBOX = "12.5925,55.6780,12.5995,55.6815"


@pytest.fixture(autouse=True)
def _cluster_even_small_views(settings):
    """Most tests here check clustering with a few dozen ideas; the threshold that sends small
    views as pins has its own test."""
    settings.MAP_CLUSTER_MIN_IDEAS = 0


def feed(client, consultation, **params):
    return client.get(f"/api/v1/consultations/{consultation.slug}/ideas.geojson", params)


def expected_url(idea):
    try:
        return idea.get_absolute_url()
    except NoReverseMatch:
        return None


def test_feed_is_an_rfc7946_collection_of_public_ideas(client, consultation):
    category = CategoryFactory(consultation=consultation, name="Bathing", colour="#0a7f5a")
    idea = IdeaFactory(
        consultation=consultation,
        category=category,
        title="Harbour bath",
        address_label="Trangravsvej 14",
        longitude=12.5961,
        latitude=55.6798,
        support_count=7,
    )
    IdeaFactory(consultation=consultation, is_hidden=True)
    IdeaFactory(consultation=consultation, publication=Publication.PENDING_MODERATION)
    IdeaFactory(consultation=consultation, publication=Publication.PENDING_CONFIRMATION)
    IdeaFactory(consultation=consultation, publication=Publication.WITHDRAWN)
    IdeaFactory()  # another consultation
    response = feed(client, consultation, zoom=17)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection" and data["clustered"] is False
    assert data["total"] == 1
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [12.5961, 55.6798]}
    assert feature["properties"] == {
        "id": idea.pk,
        "reference": idea.reference,
        "title": "Harbour bath",
        "category": "Bathing",
        "colour": "#0a7f5a",
        "status": "submitted",
        "support_count": 7,
        "address_label": "Trangravsvej 14",
        "url": expected_url(idea),
    }


def test_bbox_edges_are_inclusive(client, consultation):
    corners = [(12.5925, 55.6780), (12.5995, 55.6815), (12.5925, 55.6815), (12.5995, 55.6780)]
    for lon, lat in corners:
        IdeaFactory(consultation=consultation, longitude=lon, latitude=lat)
    IdeaFactory(consultation=consultation, longitude=12.59951, latitude=55.6790)
    data = feed(client, consultation, bbox=AREA_BBOX, zoom=18).json()
    coordinates = sorted(tuple(f["geometry"]["coordinates"]) for f in data["features"])
    assert coordinates == sorted(corners)
    assert data["bbox"] == [12.5925, 55.678, 12.5995, 55.6815]


@pytest.mark.parametrize(
    "bbox, reason",
    [
        ("1,2,3", "four numbers"),
        ("a,b,c,d", "four numbers"),
        ("1,2,3,4,5", "four numbers"),
        ("nan,0,1,1", "finite"),
        ("0,0,inf,1", "finite"),
        ("-181,0,1,1", "longitudes"),
        ("0,-90.5,1,1", "latitudes"),
        ("0,0,1,91", "latitudes"),
        ("2,0,1,1", "west edge"),
        ("0,2,1,1", "south edge"),
    ],
)
def test_bad_bbox_is_400_with_the_reason(client, consultation, bbox, reason):
    response = feed(client, consultation, bbox=bbox)
    assert response.status_code == 400
    assert reason in response.json()["bbox"][0]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"zoom": "x"}, "zoom"),
        ({"zoom": "23"}, "zoom"),
        ({"zoom": "-1"}, "zoom"),
        ({"category": "bathing"}, "category"),
        ({"status": "approved"}, "status"),
    ],
)
def test_bad_filters_are_400(client, consultation, params, field):
    response = feed(client, consultation, **params)
    assert response.status_code == 400
    assert field in response.json()


def test_pole_safe_ranges(client):
    arctic = ConsultationFactory(area=None)
    IdeaFactory(consultation=arctic, longitude=0.0, latitude=90.0)
    IdeaFactory(consultation=arctic, longitude=-180.0, latitude=-90.0)
    IdeaFactory(consultation=arctic, longitude=180.0, latitude=89.999)
    data = feed(client, arctic, bbox="-180,-90,180,90", zoom=20).json()
    assert data["total"] == 3
    clustered = feed(client, arctic, bbox="-180,-90,180,90", zoom=0).json()
    assert (
        clustered["clustered"] and sum(f["properties"]["count"] for f in clustered["features"]) == 3
    )
    north = feed(client, arctic, bbox="-180,89,180,90", zoom=22).json()
    assert north["total"] == 2


def test_category_and_status_filters(client, consultation):
    bath = CategoryFactory(consultation=consultation, name="Bath")
    IdeaFactory(consultation=consultation, category=bath, status=IdeaStatus.ACCEPTED)
    IdeaFactory(consultation=consultation, category=bath)
    IdeaFactory(consultation=consultation, status=IdeaStatus.ACCEPTED)
    assert feed(client, consultation, category=bath.pk, zoom=18).json()["total"] == 2
    assert feed(client, consultation, status="accepted", zoom=18).json()["total"] == 2
    both = feed(client, consultation, category=bath.pk, status="accepted", zoom=18).json()
    assert both["total"] == 1


def spread_ideas(consultation, count, seed=1):
    import random

    rng = random.Random(seed)
    for _ in range(count):
        IdeaFactory(
            consultation=consultation,
            longitude=rng.uniform(12.5925, 12.5995),
            latitude=rng.uniform(55.6780, 55.6815),
        )


@pytest.mark.parametrize("zoom", [0, 5, 10, 13, 14, 15])
def test_low_zoom_answers_clusters_whose_counts_sum_to_the_total(client, consultation, zoom):
    spread_ideas(consultation, 60)
    IdeaFactory(consultation=consultation, is_hidden=True)
    data = feed(client, consultation, bbox=AREA_BBOX, zoom=zoom).json()
    assert data["clustered"] is True
    counts = [f["properties"]["count"] for f in data["features"]]
    assert all(f["properties"]["cluster"] is True for f in data["features"])
    assert sum(counts) == data["total"] == 60
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 12.5925 <= lon <= 12.5995 and 55.6780 <= lat <= 55.6815


def test_clusters_without_bbox_cover_the_whole_consultation(client, consultation):
    spread_ideas(consultation, 30)
    data = feed(client, consultation, zoom=14).json()
    assert data["clustered"] and data["total"] == 30


def test_crowded_high_zoom_view_falls_back_to_clusters(client, consultation, settings):
    settings.MAP_FEED_MAX_POINTS = 10
    spread_ideas(consultation, 25)
    data = feed(client, consultation, bbox=AREA_BBOX, zoom=18).json()
    assert data["clustered"] is True
    assert sum(f["properties"]["count"] for f in data["features"]) == 25
    settings.MAP_FEED_MAX_POINTS = 25
    assert feed(client, consultation, bbox=AREA_BBOX, zoom=18).json()["clustered"] is False


def test_a_crowded_view_answers_its_cached_clusters_without_reading_the_ideas(
    client, consultation, settings, django_assert_num_queries, resident
):
    settings.MAP_FEED_MAX_POINTS = 10
    spread_ideas(consultation, 25)
    first = feed(client, consultation, zoom=14).json()
    with django_assert_num_queries(0):  # an anonymous visitor's answer is kept whole
        again = feed(client, consultation, zoom=14).json()
    assert again == first and again["clustered"] is True
    signed_in = Client()
    signed_in.force_login(resident)
    feed(signed_in, consultation, zoom=14)
    with django_assert_num_queries(3):  # session, person, the consultation: the clusters kept
        assert feed(signed_in, consultation, zoom=14).json() == first
    settings.MAP_CLUSTER_CACHE_SECONDS = 0
    with django_assert_num_queries(3):  # no cache: the rows, then the grid
        assert feed(client, consultation, zoom=14).json() == first


def test_feature_count_is_capped_and_counts_still_sum(client, settings):
    settings.MAP_FEED_MAX_FEATURES = 20
    settings.MAP_FEED_MAX_POINTS = 5
    world = ConsultationFactory(area=None)
    for i in range(40):
        IdeaFactory(consultation=world, longitude=-170 + i * 8.5, latitude=-80 + i * 4)
    data = feed(client, world, bbox="-180,-90,180,90", zoom=22).json()
    assert len(data["features"]) <= 20
    assert sum(f["properties"]["count"] for f in data["features"]) == data["total"] == 40


def test_feed_query_count_is_constant(client, consultation, django_assert_max_num_queries):
    category = CategoryFactory(consultation=consultation)
    spread_ideas(consultation, 5)
    with django_assert_max_num_queries(3):
        small = feed(client, consultation, zoom=18)
    for _ in range(40):
        IdeaFactory(consultation=consultation, category=category)
    with django_assert_max_num_queries(3):
        large = feed(client, consultation, zoom=18)
    with django_assert_max_num_queries(3):
        feed(client, consultation, zoom=10)
    assert len(large.json()["features"]) == 45 and len(small.json()["features"]) == 5


def test_draft_consultation_feed_is_hidden_from_the_public(client, planner):
    draft = ConsultationFactory(status=Consultation.Status.DRAFT)
    assert feed(client, draft).status_code == 404
    assert client.get("/api/v1/consultations/nope/ideas.geojson").status_code == 404
    client.force_login(planner)
    assert feed(client, draft).status_code == 200


# --- nearby duplicates ------------------------------------------------------------------------


def test_title_similarity_is_language_agnostic():
    assert title_similarity("Havnebad ved Papirøen", "havnebad ved papirøen") == 1.0
    assert title_similarity("Public bath", "A public bath by the water") > 0.4
    assert title_similarity("Sauna", "Skatepark") < 0.5
    assert title_similarity("", "anything") == 0.0


def test_nearby_ranks_similar_titles_first_within_the_radius(client, consultation, settings):
    settings.NEARBY_DUPLICATE_RADIUS_M = 150
    lon, lat = 12.5960, 55.6797
    # ~0.00135 degrees of latitude is 150 m.
    bath = IdeaFactory(
        consultation=consultation, title="Havnebad med sand", longitude=lon, latitude=lat + 0.0009
    )
    IdeaFactory(consultation=consultation, title="Skaterbane", longitude=lon, latitude=lat + 0.0001)
    IdeaFactory(consultation=consultation, title="Havnebad", longitude=lon, latitude=lat + 0.0020)
    IdeaFactory(
        consultation=consultation, title="Havnebad", longitude=lon, latitude=lat, is_hidden=True
    )
    IdeaFactory(
        consultation=consultation,
        title="Havnebad",
        longitude=lon,
        latitude=lat,
        status=IdeaStatus.DUPLICATE,
    )
    IdeaFactory(title="Havnebad", longitude=lon, latitude=lat)  # another consultation
    response = client.get(
        f"/api/v1/consultations/{consultation.slug}/ideas/nearby/",
        {"lat": lat, "lon": lon, "title": "havnebad"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["title"] for r in results] == ["Havnebad med sand", "Skaterbane"]
    assert results[0]["id"] == bath.pk
    assert 95 <= results[0]["distance_m"] <= 105
    assert results[0]["url"] == expected_url(bath)


def test_nearby_without_title_ranks_by_distance(consultation):
    far = IdeaFactory(consultation=consultation, longitude=12.5960, latitude=55.6805)
    near = IdeaFactory(consultation=consultation, longitude=12.5960, latitude=55.6798)
    results = nearby_ideas(consultation, latitude=55.6797, longitude=12.5960)
    assert [r["id"] for r in results] == [near.pk, far.pk]


def test_nearby_returns_at_most_five(consultation):
    for i in range(8):
        IdeaFactory(
            consultation=consultation, title=f"Bench {i}", longitude=12.5960, latitude=55.6797
        )
    assert len(nearby_ideas(consultation, latitude=55.6797, longitude=12.5960, title="bench")) == 5


def test_nearby_is_pole_safe(settings):
    settings.NEARBY_DUPLICATE_RADIUS_M = 500
    arctic = ConsultationFactory(area=None)
    IdeaFactory(consultation=arctic, longitude=120.0, latitude=89.999)
    IdeaFactory(consultation=arctic, longitude=-60.0, latitude=89.999)
    results = nearby_ideas(arctic, latitude=90.0, longitude=0.0)
    assert len(results) == 2
    assert all(math.isclose(r["distance_m"], 111, abs_tol=2) for r in results)


@pytest.mark.parametrize(
    "params", [{}, {"lat": "55.6"}, {"lat": "x", "lon": "12"}, {"lat": "nan", "lon": "12"}]
)
def test_nearby_refuses_bad_coordinates(client, consultation, params):
    response = client.get(f"/api/v1/consultations/{consultation.slug}/ideas/nearby/", params)
    assert response.status_code == 400
    assert response.json()["location"]


def test_nearby_query_count_is_constant(client, consultation, django_assert_max_num_queries):
    for _ in range(20):
        IdeaFactory(consultation=consultation)
    with django_assert_max_num_queries(2):
        client.get(
            f"/api/v1/consultations/{consultation.slug}/ideas/nearby/",
            {"lat": 55.6797, "lon": 12.5960, "title": "idea"},
        )


def test_clusters_are_cached_until_an_idea_changes(
    client, consultation, settings, django_assert_max_num_queries
):
    settings.MAP_CLUSTER_CACHE_SECONDS = 30
    spread_ideas(consultation, 5)
    assert feed(client, consultation, zoom=10).json()["total"] == 5
    # The consultation and the probe for a small view; the grid query itself is not run.
    with django_assert_max_num_queries(2):
        cached = feed(client, consultation, zoom=10).json()
    assert cached["total"] == 5
    # A new idea gives the clusters a new version (civic.changes): it shows at once.
    IdeaFactory(consultation=consultation)
    assert feed(client, consultation, zoom=10).json()["total"] == 6
    assert feed(client, consultation, zoom=18).json()["total"] == 6


def test_map_endpoints_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/consultations/{slug}/ideas.geojson" in paths
    assert "/api/v1/consultations/{slug}/ideas/nearby/" in paths
    assert "/api/v1/geocode/" in paths and "/api/v1/geocode/reverse/" in paths
    names = {
        p["name"] for p in paths["/api/v1/consultations/{slug}/ideas.geojson"]["get"]["parameters"]
    }
    assert {"bbox", "zoom", "category", "status"} <= names


def test_a_small_view_is_sent_as_pins_even_zoomed_out(client, consultation, settings):
    settings.MAP_CLUSTER_MIN_IDEAS = 10
    spread_ideas(consultation, 10)
    small = feed(client, consultation, zoom=12).json()
    assert small["clustered"] is False and len(small["features"]) == 10
    IdeaFactory(consultation=consultation)
    crowded = feed(client, consultation, zoom=12).json()
    assert crowded["clustered"] is True and crowded["total"] == 11


def test_crowded_view_without_zoom_is_cut_into_many_cells(client, consultation, settings):
    settings.MAP_FEED_MAX_POINTS = 10
    spread_ideas(consultation, 80)
    data = feed(client, consultation, bbox=AREA_BBOX).json()
    assert data["clustered"] is True and data["total"] == 80
    assert len(data["features"]) > 10


def test_cap_holds_without_area_or_bbox_at_high_zoom(client, settings):
    settings.MAP_FEED_MAX_FEATURES = 20
    settings.MAP_FEED_MAX_POINTS = 5
    world = ConsultationFactory(area=None)
    for i in range(40):
        IdeaFactory(consultation=world, longitude=-170 + i * 8.5, latitude=-80 + i * 4)
    data = feed(client, world, zoom=22).json()
    assert len(data["features"]) <= 20
    assert sum(f["properties"]["count"] for f in data["features"]) == data["total"] == 40


def test_the_whole_area_at_high_zoom_is_a_screenful_of_clusters(client, consultation, settings):
    settings.MAP_FEED_MAX_POINTS = 50
    settings.MAP_CLUSTER_MAX_CELLS = 20
    spread_ideas(consultation, 400, seed=3)
    data = feed(client, consultation, zoom=19).json()
    assert data["clustered"] is True
    # Without the cap a zoom-19 grid over the area would be about as many cells as ideas.
    assert len(data["features"]) <= 2 * settings.MAP_CLUSTER_MAX_CELLS
    assert sum(f["properties"]["count"] for f in data["features"]) == data["total"] == 400


def test_a_kept_answer_follows_a_new_idea_and_a_draft_is_never_public(
    client, consultation, settings, resident, planner
):
    from civic.changes import Change, changed

    settings.HTTP_CACHE_S_MAXAGE = 60
    spread_ideas(consultation, 3)
    first = feed(client, consultation, zoom=18)
    assert first["Cache-Control"].startswith("public")
    assert "s-maxage=60" in first["Cache-Control"]
    assert first["X-Cache-Tags"] == f"c{consultation.pk}"
    idea = IdeaFactory(consultation=consultation, longitude=12.595, latitude=55.68)
    changed(consultation.pk, Change.IDEA)  # what the idea services announce
    again = feed(client, consultation, zoom=18).json()
    assert again["total"] == 4 and idea.pk in {f["id"] for f in again["features"]}
    # Signed in, the answer is for this person only (a planner may see a draft's map).
    signed_in = Client()
    signed_in.force_login(planner)
    mine = feed(signed_in, consultation, zoom=18)
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]
    draft = ConsultationFactory(status=Consultation.Status.DRAFT)
    assert feed(client, draft, zoom=18).status_code == 404
    assert feed(signed_in, draft, zoom=18)["Cache-Control"].startswith("private")
