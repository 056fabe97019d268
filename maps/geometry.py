"""Points and areas: validation of coordinates and of consultation areas, containment checks.

Areas are stored as GeoJSON (RFC 7946, longitude first) and checked with shapely. Every pin
that arrives from a browser or the API goes through `validate_point` and `check_point_in_area`
on the server.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.prepared import prep


def validate_point(longitude, latitude) -> tuple[float, float]:
    """Return (longitude, latitude) as floats, or raise ValidationError on 'location'."""
    try:
        lon, lat = float(longitude), float(latitude)
    except (TypeError, ValueError):
        raise ValidationError({"location": _("The coordinates must be numbers.")}) from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationError({"location": _("The coordinates must be finite numbers.")})
    if not -90 <= lat <= 90:
        raise ValidationError({"location": _("The latitude must be between -90 and 90.")})
    if not -180 <= lon <= 180:
        raise ValidationError({"location": _("The longitude must be between -180 and 180.")})
    return lon, lat


def check_point_in_area(area: dict | None, longitude: float, latitude: float) -> None:
    """Refuse a point outside the consultation's area. No area means anywhere is fine."""
    lon, lat = validate_point(longitude, latitude)
    if not area:
        return
    polygon = _prepared_area(area)
    if not polygon.covers(Point(lon, lat)):
        raise ValidationError(
            {
                "location": _(
                    "The pin is outside the consultation's area. "
                    "Place it inside the outlined area on the map."
                )
            }
        )


def _prepared_area(area: dict):
    return prep(shape(area))


AREA_TYPES = {"Polygon", "MultiPolygon"}


def validate_area(value) -> dict:
    """Return a consultation area as a clean GeoJSON Polygon or MultiPolygon geometry.

    Accepts a geometry, a Feature or a FeatureCollection of polygons (as drawn on the map or
    uploaded as a file). Raises ValidationError on 'area' with the reason a planner can act on.
    """
    import json

    from shapely.geometry import mapping
    from shapely.ops import unary_union
    from shapely.validation import explain_validity

    if isinstance(value, str | bytes):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError({"area": _("The area is not valid GeoJSON.")}) from None
    geometries = _area_geometries(value)
    for geometry in geometries:
        _check_rings(geometry)
    try:
        shapes = [shape(g) for g in geometries]
    except (ValueError, TypeError, AttributeError, IndexError):
        raise ValidationError({"area": _("The area's coordinates are malformed.")}) from None
    for item in shapes:
        if not item.is_valid:
            raise ValidationError(
                {
                    "area": _("The area's outline is invalid: %(reason)s.")
                    % {"reason": explain_validity(item)}
                }
            )
    merged = shapes[0] if len(shapes) == 1 else unary_union(shapes)
    if merged.is_empty or merged.area == 0:
        raise ValidationError({"area": _("The area is empty.")})
    return json.loads(json.dumps(mapping(merged)))


def _area_geometries(value) -> list[dict]:
    if not isinstance(value, dict):
        raise ValidationError({"area": _("The area must be a GeoJSON object.")})
    kind = value.get("type")
    if kind == "FeatureCollection":
        features = value.get("features") or []
        if not features:
            raise ValidationError({"area": _("The file holds no shapes.")})
        return [g for f in features for g in _area_geometries(f)]
    if kind == "Feature":
        return _area_geometries(value.get("geometry") or {})
    if kind not in AREA_TYPES:
        raise ValidationError(
            {
                "area": _("The area must be a polygon or a multipolygon, not %(kind)s.")
                % {"kind": kind or "?"}
            }
        )
    return [value]


def _check_rings(geometry: dict) -> None:
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError({"area": _("The area has no coordinates.")})
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError({"area": _("The area has no coordinates.")})
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValidationError(
                    {
                        "area": _(
                            "An outline needs at least three corners (four positions, "
                            "the last equal to the first)."
                        )
                    }
                )
            for position in ring:
                if (
                    not isinstance(position, list | tuple)
                    or len(position) < 2
                    or not all(isinstance(c, int | float) for c in position[:2])
                ):
                    raise ValidationError({"area": _("The area's coordinates are malformed.")})
                lon, lat = position[0], position[1]
                if not (math.isfinite(lon) and math.isfinite(lat)):
                    raise ValidationError({"area": _("The coordinates must be finite numbers.")})
                if abs(lat) > 90 and abs(lon) <= 90:
                    raise ValidationError(
                        {
                            "area": _(
                                "The coordinates look swapped: GeoJSON puts longitude first, "
                                "then latitude."
                            )
                        }
                    )
                if abs(lat) > 90 or abs(lon) > 180:
                    raise ValidationError({"area": _("The coordinates are out of range.")})
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise ValidationError(
                    {
                        "area": _(
                            "An outline must be closed: its last position must equal the first."
                        )
                    }
                )
