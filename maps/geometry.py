"""Points and areas: validation of coordinates and of consultation areas, containment checks.

Areas are stored as GeoJSON (RFC 7946, longitude first) and checked with shapely. Every pin
that arrives from a browser or the API goes through `validate_point` and `check_point_in_area`
on the server.
"""

import hashlib
import json
import math
import threading
from collections import OrderedDict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely import force_2d
from shapely.geometry import Point, mapping, shape
from shapely.geometry.polygon import orient
from shapely.ops import unary_union
from shapely.prepared import PreparedGeometry, prep
from shapely.validation import explain_validity

from civic import json_input

AREA_TYPES = {"Polygon", "MultiPolygon"}
# A hand-drawn district has tens of corners and an official boundary a few thousand; more than
# this is a file nobody meant to upload, and it would make every pin check slow.
MAX_AREA_POSITIONS = 50_000
# Below this (in square degrees, about a square metre at our latitudes) an outline encloses
# nothing a consultation can be about, and float rounding can turn it into zero area on the way
# back from GeoJSON.
MIN_AREA_SQUARE_DEGREES = 1e-10
PREPARED_CACHE_SIZE = 64


def _is_number(value) -> bool:
    # bool is a subclass of int, and `true` in JSON is not a coordinate.
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_point(longitude, latitude) -> tuple[float, float]:
    """Return (longitude, latitude) as floats, or raise ValidationError on 'location'."""
    if isinstance(longitude, bool) or isinstance(latitude, bool):
        raise ValidationError({"location": _("The coordinates must be numbers.")})
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({"location": _("The coordinates must be numbers.")}) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError({"location": _("The coordinates must be finite numbers.")})
    if not -90 <= lat <= 90:
        raise ValidationError({"location": _("The latitude must be between -90 and 90.")})
    if not -180 <= lon <= 180:
        raise ValidationError({"location": _("The longitude must be between -180 and 180.")})
    return lon, lat


def check_point_in_area(area: dict | None, longitude, latitude) -> None:
    """Refuse a point outside the consultation's area. No area means anywhere is fine.

    A point on the outline counts as inside, so a pin on the quay edge is accepted.
    """
    lon, lat = validate_point(longitude, latitude)
    if not area:
        return
    if not prepared_area(area).covers(Point(lon, lat)):
        raise ValidationError(
            {
                "location": _(
                    "The pin is outside the consultation's area. "
                    "Place it inside the outlined area on the map."
                )
            }
        )


def area_key(area: dict) -> str:
    """A stable digest of an area, equal for equal GeoJSON whatever the key order."""
    canonical = json.dumps(area, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


_prepared: OrderedDict[str, PreparedGeometry] = OrderedDict()
_prepared_lock = threading.Lock()


def prepared_area(area: dict) -> PreparedGeometry:
    """The area as a prepared shapely geometry, built once per distinct area per process.

    Preparing builds a spatial index of the outline, which is what makes repeated containment
    checks cheap; areas are small in number and rarely change, so a tiny LRU is enough.
    """
    key = area_key(area)
    with _prepared_lock:
        cached = _prepared.get(key)
        if cached is not None:
            _prepared.move_to_end(key)
            return cached
    try:
        geometry = shape(area)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        # A stored area is validated on save; reaching this means data was written around
        # validate_area, and refusing the pin is safer than accepting anything.
        raise ValidationError(
            {"location": _("The consultation's area is not valid, so no pin can be placed.")}
        ) from None
    prepared = prep(geometry)
    with _prepared_lock:
        _prepared[key] = prepared
        while len(_prepared) > PREPARED_CACHE_SIZE:
            _prepared.popitem(last=False)
    return prepared


def clear_prepared_cache() -> None:
    with _prepared_lock:
        _prepared.clear()


def area_bounds(area: dict | None) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of an area, or None without one."""
    if not area:
        return None
    try:
        return tuple(shape(area).bounds)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return None


def area_marker(area: dict | None) -> tuple[float, float] | None:
    """(longitude, latitude) of a point inside the area for its marker, or None without one.

    Not the centroid: the middle of a horseshoe-shaped harbour lies in the water, outside it.
    """
    if not area:
        return None
    try:
        point = prepared_area(area).context.representative_point()
    except (ValidationError, ValueError, TypeError, AttributeError):
        return None
    return round(point.x, 6), round(point.y, 6)


def validate_area(value) -> dict:
    """Return a consultation area as a clean GeoJSON Polygon or MultiPolygon geometry.

    Accepts a geometry, a Feature or a FeatureCollection of polygons (as drawn on the map or
    uploaded as a file). Raises ValidationError on 'area' with the reason a planner can act on.
    Rings are re-oriented as RFC 7946 asks (outer counterclockwise, holes clockwise) and any
    altitude is dropped, so a file drawn either way round is accepted.
    """
    if isinstance(value, str | bytes):
        try:
            value = json_input.loads(value)
        except json_input.JSONTooDeep as error:
            raise ValidationError({"area": str(error)}) from None
        except ValueError:
            raise ValidationError({"area": _("The area is not valid GeoJSON.")}) from None
    else:
        # Parsed elsewhere (a DRF JSONField, a model's JSON): the same bound on nesting, since
        # shapely and json.dumps below recurse.
        try:
            json_input.check_depth(value)
        except json_input.JSONTooDeep as error:
            raise ValidationError({"area": str(error)}) from None
    geometries = _area_geometries(value)
    positions = 0
    for geometry in geometries:
        positions += _check_rings(geometry)
    if positions > MAX_AREA_POSITIONS:
        raise ValidationError(
            {
                "area": _("The area has too many corners (%(count)d; at most %(limit)d).")
                % {"count": positions, "limit": MAX_AREA_POSITIONS}
            }
        )
    try:
        shapes = [force_2d(shape(g)) for g in geometries]
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        raise ValidationError({"area": _("The area's coordinates are malformed.")}) from None
    for item in shapes:
        if not item.is_valid:
            raise ValidationError(
                {
                    "area": _("The area's outline is invalid: %(reason)s.")
                    % {"reason": _explain(item)}
                }
            )
    merged = shapes[0] if len(shapes) == 1 else unary_union(shapes)
    if merged.is_empty or merged.area < MIN_AREA_SQUARE_DEGREES:
        raise ValidationError({"area": _("The area is empty.")})
    if merged.geom_type == "Polygon":
        merged = orient(merged, sign=1.0)
    elif merged.geom_type == "MultiPolygon":
        merged = type(merged)([orient(p, sign=1.0) for p in merged.geoms])
    else:
        raise ValidationError({"area": _("The area must be a polygon or a multipolygon.")})
    return json.loads(json.dumps(mapping(merged)))


def _explain(item) -> str:
    """A planner-readable reason for an invalid outline, with the spot where it goes wrong."""
    reason = explain_validity(item)
    where = ""
    if "[" in reason:
        reason, _sep, rest = reason.partition("[")
        coordinates = rest.rstrip("]").split()
        if len(coordinates) >= 2:
            where = " " + _("near longitude %(lon)s, latitude %(lat)s") % {
                "lon": coordinates[0],
                "lat": coordinates[1],
            }
    readable = {
        "Self-intersection": _("the outline crosses itself"),
        "Ring Self-intersection": _("the outline touches itself"),
        "Too few points": _("an outline has too few distinct corners"),
        "Hole lies outside shell": _("a hole lies outside the outline"),
        "Nested shells": _("one shape lies inside another"),
        "Interior is disconnected": _("a hole cuts the area in two"),
        "Nested holes": _("a hole lies inside another hole"),
    }.get(reason.strip(), reason.strip())
    return readable + where


def _area_geometries(value, depth: int = 0) -> list[dict]:
    if not isinstance(value, dict):
        raise ValidationError({"area": _("The area must be a GeoJSON object.")})
    kind = value.get("type")
    if kind == "FeatureCollection" and depth == 0:
        features = value.get("features")
        if not isinstance(features, list) or not features:
            raise ValidationError({"area": _("The file holds no shapes.")})
        return [g for f in features for g in _area_geometries(f, depth + 1)]
    if kind == "Feature" and depth <= 1:
        return _area_geometries(value.get("geometry") or {}, depth + 1)
    if kind not in AREA_TYPES:
        raise ValidationError(
            {
                "area": _("The area must be a polygon or a multipolygon, not %(kind)s.")
                % {"kind": kind if isinstance(kind, str) and kind else "?"}
            }
        )
    return [value]


def _check_rings(geometry: dict) -> int:
    """Check the nesting, ranges and closure of every ring; return the number of positions."""
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError({"area": _("The area has no coordinates.")})
    count = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError({"area": _("The area has no coordinates.")})
        for ring in polygon:
            if not isinstance(ring, list):
                raise ValidationError({"area": _("The area's coordinates are malformed.")})
            if len(ring) < 4:
                raise ValidationError(
                    {
                        "area": _(
                            "An outline needs at least three corners (four positions, "
                            "the last equal to the first)."
                        )
                    }
                )
            count += len(ring)
            if count > MAX_AREA_POSITIONS:
                return count
            for position in ring:
                _check_position(position)
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise ValidationError(
                    {
                        "area": _(
                            "An outline must be closed: its last position must equal the first."
                        )
                    }
                )
    return count


def _check_position(position) -> None:
    if (
        not isinstance(position, list | tuple)
        or not 2 <= len(position) <= 3
        or not all(_is_number(c) for c in position)
    ):
        raise ValidationError({"area": _("The area's coordinates are malformed.")})
    lon, lat = position[0], position[1]
    if not all(math.isfinite(c) for c in position):
        raise ValidationError({"area": _("The coordinates must be finite numbers.")})
    if abs(lat) > 90 and abs(lon) <= 90 and abs(lat) <= 180:
        raise ValidationError(
            {
                "area": _(
                    "The coordinates look swapped: GeoJSON puts longitude first, then latitude."
                )
            }
        )
    if abs(lat) > 90 or abs(lon) > 180:
        raise ValidationError({"area": _("The coordinates are out of range.")})
