# ruff: noqa: E501
# Hand-written coordinates read best one shape a line.
"""The planner's map analysis: heat cells, selections and the comparison with plan layers.

Points are placed by hand in and around the Christiansholm area, so every count below is known
without asking the code under test.
"""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from consultations.models import PlanFeature, PlanLayer
from maps import analysis
from reports import map_analysis
from reports.permissions import can_analyse_map
from tests import factories
from tests.debate.factories import CommentFactory

pytestmark = pytest.mark.django_db

WEST_PART = (12.5940, 55.6790)  # inside the area, west half
EAST_PART = (12.5980, 55.6805)  # inside the area, east half
# The west half of the area as a drawn rectangle.
WEST_HALF = {
    "type": "Polygon",
    "coordinates": [
        [[12.5925, 55.6780], [12.5960, 55.6780], [12.5960, 55.6815], [12.5925, 55.6815], [12.5925, 55.6780]]
    ],
}  # fmt: skip
# A street running north-south through the east half, and a zoning area over the west half.
STREET = {"type": "LineString", "coordinates": [[12.5980, 55.6780], [12.5980, 55.6815]]}


def idea_at(consultation, point, **fields):
    return factories.IdeaFactory(
        consultation=consultation, longitude=point[0], latitude=point[1], **fields
    )


@pytest.fixture
def place(consultation):
    """3 public ideas west (supports 1, 2, 3), 2 east (supports 10, 0), one hidden west; comments:
    2 on a west idea, 1 anchored on the street, 1 hidden anchored."""
    west = [idea_at(consultation, WEST_PART, support_count=n) for n in (1, 2, 3)]
    east = [idea_at(consultation, EAST_PART, support_count=n) for n in (10, 0)]
    hidden = idea_at(consultation, WEST_PART, support_count=50, is_hidden=True, title="Secret")
    layer = PlanLayer.objects.create(consultation=consultation, name="Streets and zones")
    street = PlanFeature.objects.create(
        layer=layer, number=1, name="Harbour street", kind="line", geometry=json.dumps(STREET)
    )
    zone = PlanFeature.objects.create(
        layer=layer, number=2, name="=West zone", kind="area", geometry=json.dumps(WEST_HALF)
    )
    topic = factories.TopicFactory(consultation=consultation)
    for _ in range(2):
        CommentFactory(topic=None, idea=west[0])
    CommentFactory(
        topic=topic,
        plan_feature=street,
        anchor_longitude=12.5980,
        anchor_latitude=55.6800,
    )
    CommentFactory(
        topic=topic,
        plan_feature=street,
        anchor_longitude=12.5980,
        anchor_latitude=55.6801,
        is_hidden=True,
        body="Hidden words",
    )
    CommentFactory(idea=hidden, topic=None)  # on a hidden idea: not counted
    return {"west": west, "east": east, "hidden": hidden, "street": street, "zone": zone}


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def heat_url(consultation, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("api-consultation-heat", args=[consultation.slug]) + "?" + query


def selection_url(consultation):
    return reverse("api-consultation-selection", args=[consultation.slug])


# --- who may -------------------------------------------------------------------------------------


def test_planners_and_councillors_may_analyse_residents_never(
    consultation, planner, councillor, resident
):
    from django.utils import timezone

    consultation.results_published_at = timezone.now()  # the public may read the summary now
    consultation.save()
    assert can_analyse_map(planner, consultation)
    assert can_analyse_map(councillor, consultation)
    assert not can_analyse_map(resident, consultation)
    limited = factories.PlannerFactory(limited_to_assigned=True)
    assert not can_analyse_map(limited, consultation)


def test_residents_and_visitors_are_refused(consultation, resident, place):
    assert api_for(resident).get(heat_url(consultation, kind="ideas")).status_code == 403
    anonymous = APIClient().get(heat_url(consultation, kind="ideas"))
    assert anonymous.status_code in (401, 403)
    answer = api_for(resident).post(selection_url(consultation), {"geometry": WEST_HALF}, "json")
    assert answer.status_code == 403
    page = reverse("analysis:map", args=[consultation.slug])
    from django.test import Client

    client = Client()
    client.force_login(resident)
    assert client.get(page).status_code == 403
    assert Client().get(page).status_code == 302


# --- heat ----------------------------------------------------------------------------------------


def test_heat_counts_ideas_supports_and_comments_in_cells(consultation, planner, place):
    client = api_for(planner)
    totals = {}
    for kind in ("ideas", "supports", "comments"):
        answer = client.get(heat_url(consultation, kind=kind, zoom=17))
        assert answer.status_code == 200, answer.content
        assert answer["Content-Type"].startswith("application/geo+json")
        body = answer.json()
        totals[kind] = body["total"]
        assert sum(f["properties"]["weight"] for f in body["features"]) == body["total"]
        assert all(f["geometry"]["type"] == "Polygon" for f in body["features"])
    # 5 public ideas; supports 1+2+3+10+0 (the hidden idea's 50 left out); comments 2 on an idea
    # and 1 anchored (hidden ones and those on a hidden idea left out).
    assert totals == {"ideas": 5, "supports": 16, "comments": 3}


def test_heat_at_zoom_17_puts_west_and_east_in_different_cells(consultation, planner, place):
    body = api_for(planner).get(heat_url(consultation, kind="ideas", zoom=17)).json()
    weights = sorted(f["properties"]["weight"] for f in body["features"])
    assert weights == [2, 3]
    assert body["max_weight"] == 3


def test_heat_bbox_limits_the_cells(consultation, planner, place):
    bbox = "12.5925,55.6780,12.5960,55.6815"
    body = api_for(planner).get(heat_url(consultation, kind="ideas", zoom=17, bbox=bbox)).json()
    assert body["total"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "votes"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"kind": "ideas", "zoom": "far"}, "zoom"),
        ({"kind": "ideas", "zoom": "40"}, "zoom"),
        ({"kind": "ideas", "bbox": "1,2,3"}, "bbox"),
        ({"kind": "ideas", "bbox": "10,60,5,50"}, "bbox"),
    ],
)
def test_heat_bad_parameters_are_400_with_field(consultation, planner, params, field):
    answer = api_for(planner).get(heat_url(consultation, **params))
    assert answer.status_code == 400
    assert field in answer.json()


def test_heat_follows_new_ideas_through_the_consultation_versions(consultation, planner, place):
    client = api_for(planner)
    before = client.get(heat_url(consultation, kind="ideas", zoom=17)).json()["total"]
    idea_at(consultation, EAST_PART)  # the factory announces Change.IDEA as the service would
    after = client.get(heat_url(consultation, kind="ideas", zoom=17)).json()["total"]
    assert (before, after) == (5, 6)


def _heat_queries(client, consultation):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(heat_url(consultation, kind="comments", zoom=18)).status_code == 200
    return len(queries)


def test_heat_queries_do_not_grow_with_rows(consultation, planner, settings):
    settings.MAP_CLUSTER_CACHE_SECONDS = 0
    client = api_for(planner)
    idea = idea_at(consultation, WEST_PART)
    for n in range(2):
        CommentFactory(topic=None, idea=idea_at(consultation, (12.593 + n * 0.0003, 55.679)))
    few = _heat_queries(client, consultation)
    for n in range(18):
        CommentFactory(topic=None, idea=idea_at(consultation, (12.593 + n * 0.0003, 55.680)))
    many = _heat_queries(client, consultation)
    assert few == many
    del idea


# --- selection -----------------------------------------------------------------------------------


def test_drawn_selection_counts_and_lists(consultation, planner, place):
    answer = api_for(planner).post(selection_url(consultation), {"geometry": WEST_HALF}, "json")
    assert answer.status_code == 200, answer.content
    kinds = {item["kind"]: item for item in answer.json()["kinds"]}
    assert kinds["ideas"]["count"] == 3
    assert kinds["supports"]["count"] == 6
    assert kinds["comments"]["count"] == 2
    assert {row["id"] for row in kinds["ideas"]["results"]} == {i.pk for i in place["west"]}
    assert "results" not in kinds["supports"]
    assert "Secret" not in answer.content.decode()


def test_selection_by_plan_line_uses_a_buffer_in_metres(consultation, planner, place):
    client = api_for(planner)
    near = client.post(
        selection_url(consultation), {"feature": place["street"].pk, "metres": 50}, "json"
    ).json()
    kinds = {item["kind"]: item["count"] for item in near["kinds"]}
    # The east ideas lie on the street; the west ones about 250 m from it.
    assert kinds == {"ideas": 2, "supports": 10, "comments": 1}
    wide = client.post(
        selection_url(consultation), {"feature": place["street"].pk, "metres": 300}, "json"
    ).json()
    assert {i["kind"]: i["count"] for i in wide["kinds"]}["ideas"] == 5
    assert "Hidden words" not in json.dumps(near)


def test_selection_by_area_feature_box_and_place(consultation, planner, place):
    client = api_for(planner)
    zone = client.post(selection_url(consultation), {"feature": place["zone"].pk}, "json").json()
    assert zone["kinds"][0]["count"] == 3
    box = client.post(
        selection_url(consultation), {"bbox": "12.5970,55.6795,12.5990,55.6810"}, "json"
    ).json()
    assert box["kinds"][0]["count"] == 2
    # Trangravsvej 2 in the gazetteer lies some 200-300 m from the ideas.
    small = client.post(
        selection_url(consultation), {"place": "Trangravsvej 2", "radius": 50}, "json"
    ).json()
    large = client.post(
        selection_url(consultation), {"place": "Trangravsvej 2", "radius": 1000}, "json"
    ).json()
    assert (small["kinds"][0]["count"], large["kinds"][0]["count"]) == (0, 5)


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[12.593, 55.679], [12.598, 55.681], [12.598, 55.679], [12.593, 55.681], [12.593, 55.679]]],
}  # fmt: skip
FAR_AWAY = {
    "type": "Polygon",
    "coordinates": [[[10.0, 59.9], [10.1, 59.9], [10.1, 60.0], [10.0, 59.9]]],
}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"geometry": BOW_TIE}, "geometry"),
        ({"geometry": FAR_AWAY}, "geometry"),
        ({"geometry": {"type": "Point", "coordinates": [12.59, 55.68]}}, "geometry"),
        ({"geometry": {"type": "Polygon", "coordinates": "nonsense"}}, "geometry"),
        ({"geometry": {"type": "Polygon", "coordinates": [[[999, 0], [1000, 1], [999, 1], [999, 0]]]}}, "geometry"),
        ({}, "geometry"),
        ({"feature": "x"}, "feature"),
        ({"feature": 999999}, "feature"),
        ({"feature": 1, "metres": "-4"}, "metres"),
        ({"bbox": "1,2"}, "bbox"),
        ({"place": "Nowhere at all street 99", "radius": 100}, "place"),
        ({"place": "Trangravsvej 2", "radius": 999999}, "radius"),
        ({"geometry": WEST_HALF, "page": "zero"}, "page"),
    ],
)  # fmt: skip
def test_selection_bad_input_is_400_with_field(consultation, planner, body, field):
    answer = api_for(planner).post(selection_url(consultation), body, "json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()


def test_selection_refuses_too_many_vertices(consultation, planner):
    import math

    count = analysis.MAX_SELECTION_VERTICES + 10
    ring = [
        [12.596 + 0.001 * math.cos(2 * math.pi * i / count), 55.6797 + 0.001 * math.sin(2 * math.pi * i / count)]
        for i in range(count)
    ]  # fmt: skip
    ring.append(ring[0])
    answer = api_for(planner).post(
        selection_url(consultation),
        {"geometry": {"type": "Polygon", "coordinates": [ring]}},
        "json",
    )
    assert answer.status_code == 400
    assert "vertices" in answer.json()["geometry"][0]


def test_selection_pages_through_ideas(consultation, planner):
    ideas = [idea_at(consultation, WEST_PART) for _ in range(map_analysis.PAGE_SIZE + 3)]
    client = api_for(planner)
    first = client.post(selection_url(consultation), {"geometry": WEST_HALF}, "json").json()
    second = client.post(
        selection_url(consultation), {"geometry": WEST_HALF, "page": 2}, "json"
    ).json()
    listed = first["kinds"][0]["results"] + second["kinds"][0]["results"]
    assert first["kinds"][0]["pages"] == 2
    assert len(second["kinds"][0]["results"]) == 3
    assert sorted(row["id"] for row in listed) == sorted(idea.pk for idea in ideas)


def _selection_queries(client, consultation):
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(selection_url(consultation), {"geometry": WEST_HALF}, "json")
        assert answer.status_code == 200
    return len(queries)


def test_selection_queries_do_not_grow_with_rows(consultation, planner):
    client = api_for(planner)
    for _ in range(2):
        CommentFactory(topic=None, idea=idea_at(consultation, WEST_PART))
    few = _selection_queries(client, consultation)
    for _ in range(18):
        CommentFactory(topic=None, idea=idea_at(consultation, WEST_PART))
    assert _selection_queries(client, consultation) == few


def test_a_registered_kind_is_counted_everywhere(consultation, planner, place):
    """Another app adds a kind with one register() call: the heat map and selections count it."""
    from reports.countables import idea_points

    extra = analysis.Countable(
        code="popular", label=lambda: "Popular ideas",
        points=lambda c: idea_points(c).filter(support_count__gte=3),
    )  # fmt: skip
    analysis.register(extra)
    try:
        client = api_for(planner)
        heat = client.get(heat_url(consultation, kind="popular", zoom=17)).json()
        assert heat["total"] == 2
        answer = client.post(selection_url(consultation), {"geometry": WEST_HALF}, "json").json()
        assert {i["kind"]: i["count"] for i in answer["kinds"]}["popular"] == 1
    finally:
        analysis._registry.pop("popular")


# --- comparison with plan layers -----------------------------------------------------------------


def test_compare_counts_per_feature_with_anchored_comments(consultation, place):
    (table,) = map_analysis.compare_layers(consultation, metres=50)
    rows = {row["name"]: row["counts"] for row in table["rows"]}
    assert rows["Harbour street"] == {
        "ideas": 2, "supports": 10, "comments": 1, "anchored_comments": 1,
    }  # fmt: skip
    assert rows["=West zone"] == {"ideas": 3, "supports": 6, "comments": 2, "anchored_comments": 0}


def test_compare_sorts_and_refuses_unknown_columns(consultation, place):
    (table,) = map_analysis.compare_layers(consultation, metres=50, sort="-ideas")
    assert [row["name"] for row in table["rows"]] == ["=West zone", "Harbour street"]
    (table,) = map_analysis.compare_layers(consultation, metres=50, sort="name")
    assert [row["name"] for row in table["rows"]] == ["=West zone", "Harbour street"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        map_analysis.compare_layers(consultation, metres=50, sort="email")


def test_compare_csv_is_formula_safe(client, consultation, planner, place):
    client.force_login(planner)
    layer = place["zone"].layer
    url = reverse("analysis:compare-csv", args=[consultation.slug, layer.pk])
    answer = client.get(url + "?distance=50&sort=-ideas")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[1][1] == "'=West zone"
    assert rows[1][4:8] == ["3", "6", "2", "0"]
    assert client.get(url + "?distance=nine").status_code == 400
    assert client.get(url + "?sort=nope").status_code == 400


def test_compare_queries_do_not_grow_with_features(consultation, place):
    def count():
        with CaptureQueriesContext(connection) as queries:
            map_analysis.compare_layers(consultation, metres=100)
        return len(queries)

    few = count()
    layer = place["zone"].layer
    for n in range(3, 21):
        PlanFeature.objects.create(
            layer=layer, number=n, name=f"Stop {n}", kind="point",
            geometry=json.dumps({"type": "Point", "coordinates": [12.594 + n * 0.0001, 55.679]}),
        )  # fmt: skip
    assert count() == few


# --- the page ------------------------------------------------------------------------------------


def test_page_for_planner_and_councillor(client, consultation, planner, councillor, place):
    url = reverse("analysis:map", args=[consultation.slug])
    for person in (planner, councillor):
        client.force_login(person)
        answer = client.get(url + "?kind=supports")
        assert answer.status_code == 200
        text = answer.content.decode()
        assert "Harbour street" in text and "Streets and zones" in text
        assert 'id="analysis-config"' in text
        assert "Secret" not in text and "Hidden words" not in text


def test_page_selection_by_feature_without_script(client, consultation, planner, place):
    client.force_login(planner)
    url = reverse("analysis:map", args=[consultation.slug])
    answer = client.get(url, {"select": "feature", "feature": place["street"].pk, "metres": 50})
    assert answer.status_code == 200
    assert answer.context["selection"]["kinds"][0]["count"] == 2
    assert "Selection: within 50 m of “Harbour street”" in answer.content.decode()


def test_page_bad_input_is_a_readable_form_error(client, consultation, planner, place):
    client.force_login(planner)
    url = reverse("analysis:map", args=[consultation.slug])
    answer = client.get(url, {"select": "bbox", "bbox": "a,b"})
    assert answer.status_code == 400
    assert "The bbox must be four numbers" in answer.content.decode()
    answer = client.get(url, {"select": "feature"})
    assert answer.status_code == 400
    assert "This field is required for this kind of selection." in answer.content.decode()
    assert client.get(url, {"distance": "-3"}).status_code == 400
    assert client.get(url, {"kind": "votes"}).status_code == 400


def test_page_queries_do_not_grow_with_rows_shown(client, consultation, planner, settings):
    settings.MAP_CLUSTER_CACHE_SECONDS = 0
    client.force_login(planner)
    url = reverse("analysis:map", args=[consultation.slug])
    params = {"select": "bbox", "bbox": "12.5925,55.6780,12.5995,55.6815"}

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries)

    for n in range(2):
        CommentFactory(topic=None, idea=idea_at(consultation, (12.593 + n * 0.0002, 55.679)))
    few = count()
    for n in range(18):
        CommentFactory(topic=None, idea=idea_at(consultation, (12.593 + n * 0.0002, 55.680)))
    assert count() == few
