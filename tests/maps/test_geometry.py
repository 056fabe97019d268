import math

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, shape

from maps import geometry
from maps.geometry import check_point_in_area, validate_area, validate_point
from tests.factories import CHRISTIANSHOLM_AREA, INSIDE, OUTSIDE

finite_lon = st.floats(min_value=-180, max_value=180, allow_nan=False)
finite_lat = st.floats(min_value=-90, max_value=90, allow_nan=False)


def square(west, south, east, north):
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


# --- points ---------------------------------------------------------------------------------


@given(finite_lon, finite_lat)
def test_every_point_in_range_is_accepted(lon, lat):
    assert validate_point(lon, lat) == (lon, lat)


@given(st.floats(), st.floats())
def test_any_float_is_accepted_or_refused_with_a_reason(lon, lat):
    try:
        result = validate_point(lon, lat)
    except ValidationError as error:
        assert messages(error, "location")
        assert not (
            math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
        )
    else:
        assert result == (lon, lat)


@pytest.mark.parametrize(
    "lon, lat, reason",
    [
        ("abc", 55, "must be numbers"),
        (None, 55, "must be numbers"),
        (True, 55, "must be numbers"),
        ("nan", 55, "finite"),
        (12, "inf", "finite"),
        (12, float("-inf"), "finite"),
        (12, 90.0001, "latitude"),
        (12, -91, "latitude"),
        (180.5, 0, "longitude"),
        ("1e400", 0, "finite"),
    ],
)
def test_bad_points_are_refused_with_a_reason(lon, lat, reason):
    with pytest.raises(ValidationError) as caught:
        validate_point(lon, lat)
    assert reason in messages(caught.value, "location")


@pytest.mark.parametrize("lat", [90, -90])
def test_the_poles_are_valid_points(lat):
    assert validate_point("0", str(lat)) == (0.0, float(lat))


def test_point_inside_and_on_the_edge_is_accepted_outside_refused():
    check_point_in_area(CHRISTIANSHOLM_AREA, *INSIDE)
    check_point_in_area(CHRISTIANSHOLM_AREA, 12.5925, 55.6790)  # on the western edge
    check_point_in_area(CHRISTIANSHOLM_AREA, 12.5925, 55.6780)  # a corner
    with pytest.raises(ValidationError) as caught:
        check_point_in_area(CHRISTIANSHOLM_AREA, *OUTSIDE)
    assert "outside the consultation's area" in messages(caught.value, "location")


def test_no_area_means_anywhere():
    check_point_in_area(None, *OUTSIDE)
    check_point_in_area({}, *OUTSIDE)


def test_a_broken_stored_area_refuses_the_pin_instead_of_crashing():
    with pytest.raises(ValidationError):
        check_point_in_area({"type": "Polygon", "coordinates": "nope"}, *INSIDE)


def test_prepared_area_is_built_once_per_distinct_area(monkeypatch):
    geometry.clear_prepared_cache()
    calls = []
    real_prep = geometry.prep
    monkeypatch.setattr(geometry, "prep", lambda g: calls.append(1) or real_prep(g))
    for _ in range(50):
        check_point_in_area(CHRISTIANSHOLM_AREA, *INSIDE)
    # The same area with its keys in another order is the same area.
    reordered = {"coordinates": CHRISTIANSHOLM_AREA["coordinates"], "type": "Polygon"}
    check_point_in_area(reordered, *INSIDE)
    assert len(calls) == 1
    other = {"type": "Polygon", "coordinates": [square(0, 0, 1, 1)]}
    check_point_in_area(other, 0.5, 0.5)
    assert len(calls) == 2


def test_prepared_cache_is_bounded():
    geometry.clear_prepared_cache()
    for i in range(geometry.PREPARED_CACHE_SIZE + 10):
        geometry.prepared_area({"type": "Polygon", "coordinates": [square(i, 0, i + 1, 1)]})
    assert len(geometry._prepared) == geometry.PREPARED_CACHE_SIZE


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(min_value=-179, max_value=178, allow_nan=False),
    st.floats(min_value=-89, max_value=88, allow_nan=False),
    st.floats(min_value=1e-4, max_value=1),
    st.floats(min_value=1e-4, max_value=1),
    finite_lon,
    finite_lat,
)
def test_containment_agrees_with_the_rectangle(west, south, width, height, lon, lat):
    east, north = west + width, south + height
    area = {"type": "Polygon", "coordinates": [square(west, south, east, north)]}
    inside = west <= lon <= east and south <= lat <= north
    try:
        check_point_in_area(area, lon, lat)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == inside


# --- areas ----------------------------------------------------------------------------------


def test_valid_area_is_returned_clean():
    clean = validate_area(CHRISTIANSHOLM_AREA)
    assert clean["type"] == "Polygon"
    assert shape(clean).equals(shape(CHRISTIANSHOLM_AREA))


def test_clockwise_ring_is_reoriented_counterclockwise():
    clockwise = {"type": "Polygon", "coordinates": [list(reversed(square(0, 0, 1, 1)))]}
    assert not Polygon(clockwise["coordinates"][0]).exterior.is_ccw
    clean = validate_area(clockwise)
    assert Polygon(clean["coordinates"][0]).exterior.is_ccw


def test_feature_collection_and_json_text_are_accepted_and_merged():
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [square(0, 0, 1, 1)]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [square(5, 5, 6, 6)]},
            },
        ],
    }
    import json

    clean = validate_area(json.dumps(collection))
    assert clean["type"] == "MultiPolygon"
    assert len(clean["coordinates"]) == 2


def test_altitude_is_dropped():
    ring = [[*p, 10.0] for p in square(0, 0, 1, 1)]
    clean = validate_area({"type": "Polygon", "coordinates": [ring]})
    assert all(len(p) == 2 for p in clean["coordinates"][0])


@pytest.mark.parametrize(
    "value, reason",
    [
        ("{not json", "not valid GeoJSON"),
        ([1, 2], "GeoJSON object"),
        ({"type": "Point", "coordinates": [12, 55]}, "not Point"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "not LineString"),
        ({"type": "FeatureCollection", "features": []}, "no shapes"),
        ({"type": "Polygon", "coordinates": []}, "no coordinates"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "three corners"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [square(0, 0, 1, 1)[:-1] + [[0, 0.5]]]}, "closed"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "crosses itself",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "invalid"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[55.68, 12.59], [55.69, 12.59], [55.69, 95.0], [55.68, 12.59]]],
            },
            "swapped",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [200, 100], [0, 0]]]},
            "out of range",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, "a"], [1, 1], [0, 0]]]}, "malformed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, True], [1, 1], [0, 0]]]}, "malformed"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, float("nan")], [1, 1], [0, 0]]]},
            "finite",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, float("inf")], [1, 1], [0, 0]]]},
            "finite",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]]}, "malformed"),
        (
            {"type": "Polygon", "coordinates": [square(0, 0, 1, 1), square(5, 5, 6, 6)]},
            "hole lies outside",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[square(0, 0, 2, 2)], [square(1, 1, 3, 3)]]},
            "invalid",
        ),
        ({"type": "Polygon", "coordinates": "12,55"}, "no coordinates"),
        ({"type": "Feature", "geometry": None}, "not ?"),
    ],
)
def test_bad_areas_are_refused_with_a_reason(value, reason):
    with pytest.raises(ValidationError) as caught:
        validate_area(value)
    assert reason in messages(caught.value, "area")


def test_too_many_corners_are_refused():
    ring = [[math.cos(t / 1000), math.sin(t / 1000)] for t in range(60_000)]
    ring.append(ring[0])
    with pytest.raises(ValidationError) as caught:
        validate_area({"type": "Polygon", "coordinates": [ring]})
    assert "too many corners" in messages(caught.value, "area")


def test_an_area_touching_the_poles_is_valid():
    clean = validate_area({"type": "Polygon", "coordinates": [square(-180, 80, 180, 90)]})
    check_point_in_area(clean, 0, 90)
    check_point_in_area(clean, 179.9, 85)


positions = st.lists(st.tuples(finite_lon, finite_lat), min_size=0, max_size=12)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(positions, st.booleans())
def test_random_rings_are_either_valid_polygons_or_refused_with_a_reason(points, close):
    ring = [list(p) for p in points]
    if close and ring:
        ring.append(list(ring[0]))
    try:
        clean = validate_area({"type": "Polygon", "coordinates": [ring]})
    except ValidationError as error:
        assert messages(error, "area")
        return
    polygon = shape(clean)
    assert polygon.is_valid and polygon.area > 0
    assert polygon.geom_type in {"Polygon", "MultiPolygon"}
    # A clean area is itself accepted again unchanged: validation is idempotent.
    assert shape(validate_area(clean)).equals(polygon)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(min_value=-170, max_value=170, allow_nan=False),
    st.floats(min_value=-80, max_value=80, allow_nan=False),
    st.floats(min_value=0.001, max_value=5),
    st.integers(min_value=3, max_value=40),
)
def test_generated_star_polygons_are_valid_and_contain_their_centre(lon, lat, radius, corners):
    # Star-shaped rings around a centre never cross themselves.
    ring = []
    for i in range(corners):
        angle = 2 * math.pi * i / corners
        r = radius * (0.5 if i % 2 else 1.0)
        ring.append([lon + r * math.cos(angle), lat + r * math.sin(angle)])
    ring.append(ring[0])
    assume(len({tuple(p) for p in ring}) >= 3)
    clean = validate_area({"type": "Polygon", "coordinates": [ring]})
    check_point_in_area(clean, lon, lat)


@pytest.mark.parametrize(
    "language, expected",
    [("da", "uden for høringens område"), ("nb", "utenfor høringens område")],
)
def test_reasons_are_translated(language, expected):
    from django.utils import translation

    with translation.override(language), pytest.raises(ValidationError) as caught:
        check_point_in_area(CHRISTIANSHOLM_AREA, *OUTSIDE)
    assert expected in messages(caught.value, "location")


def test_an_outline_enclosing_next_to_nothing_is_empty():
    # Found by the property test above: valid in shapely, but of no area once written back.
    ring = [[4.698e-198, 0], [0, 0], [1, -1], [1, -1], [4.698e-198, 0]]
    with pytest.raises(ValidationError) as caught:
        validate_area({"type": "Polygon", "coordinates": [ring]})
    assert "empty" in messages(caught.value, "area")
