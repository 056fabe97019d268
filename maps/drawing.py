"""Shapes residents draw in a map survey: a point, a line or an area, checked on the server.

Everything that arrives from a browser or the API is hostile until `validate_drawing` has said
otherwise: the GeoJSON type must match what the question asks for, every coordinate must be a
finite number in range, the shape must be valid (an area that crosses itself is refused with the
place where it does), not too detailed, and it must lie within the consultation's area (the same
rule as for pins: on the outline counts as inside).
"""

import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.polygon import orient

from civic import json_input

from .geometry import _explain, prepared_area

FIELD = "geometry"
GEOJSON_TYPE = {"point": "Point", "line": "LineString", "area": "Polygon"}
# A line needs two distinct positions and an area three corners.
MIN_POSITIONS = {"point": 1, "line": 2, "area": 3}


@dataclass(frozen=True)
class Drawing:
    """A checked drawing: its GeoJSON, a point inside it and how many positions it has."""

    geojson: dict
    longitude: float
    latitude: float
    vertex_count: int

    @property
    def text(self) -> str:
        return json.dumps(self.geojson, separators=(",", ":"))


def _refuse(message: str) -> ValidationError:
    return ValidationError({FIELD: message})


def _parse(value) -> dict:
    if isinstance(value, str | bytes):
        try:
            value = json_input.loads(value)
        except json_input.JSONTooDeep as error:
            raise _refuse(str(error)) from None
        except ValueError:
            raise _refuse(_("The drawing is not valid GeoJSON.")) from None
    else:
        try:
            json_input.check_depth(value)
        except json_input.JSONTooDeep as error:
            raise _refuse(str(error)) from None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise _refuse(_("The drawing must be a GeoJSON geometry."))
    return value


def _position(raw) -> tuple[float, float]:
    if (
        not isinstance(raw, list | tuple)
        or not 2 <= len(raw) <= 3
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in raw)
    ):
        raise _refuse(_("The drawing's coordinates are malformed."))
    lon, lat = float(raw[0]), float(raw[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise _refuse(_("The coordinates must be finite numbers."))
    if not -90 <= lat <= 90:
        raise _refuse(_("The latitude must be between -90 and 90."))
    if not -180 <= lon <= 180:
        raise _refuse(_("The longitude must be between -180 and 180."))
    return lon, lat


def _positions(coordinates, kind: str, max_vertices: int) -> list[tuple[float, float]]:
    if kind == "point":
        return [_position(coordinates)]
    if kind == "area":
        if not isinstance(coordinates, list) or len(coordinates) != 1:
            raise _refuse(_("Draw one area without holes."))
        coordinates = coordinates[0]
    if not isinstance(coordinates, list):
        raise _refuse(_("The drawing's coordinates are malformed."))
    if len(coordinates) > max_vertices + 1:  # an area repeats its first corner at the end
        raise _refuse(
            _("The drawing has too many points (%(count)d; at most %(limit)d).")
            % {"count": len(coordinates), "limit": max_vertices}
        )
    return [_position(raw) for raw in coordinates]


def _distinct(positions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Positions without repeats in a row (a double click adds the same corner twice)."""
    kept: list[tuple[float, float]] = []
    for position in positions:
        if not kept or kept[-1] != position:
            kept.append(position)
    return kept


def build_shape(kind: str, positions: list[tuple[float, float]]):
    """The shapely shape of `kind` through these positions (an area is closed here)."""
    positions = _distinct(positions)
    if kind == "area" and len(positions) > 1 and positions[0] == positions[-1]:
        positions = positions[:-1]
    if len(set(positions)) < MIN_POSITIONS[kind]:
        raise _refuse(
            {
                "point": _("Place the point on the map."),
                "line": _("A line needs at least two different points."),
                "area": _("An area needs at least three different corners."),
            }[kind]
        )
    if kind == "point":
        return Point(positions[0])
    if kind == "line":
        return LineString(positions)
    return Polygon(positions)


def validate_drawing(kind: str, value, *, area: dict | None, max_vertices: int) -> Drawing:
    """Check a drawing of `kind` ("point", "line" or "area") and return it cleaned."""
    geometry = _parse(value)
    expected = GEOJSON_TYPE[kind]
    found = geometry.get("type")
    if found != expected:
        raise _refuse(
            _("This question asks for %(expected)s, not %(found)s.")
            % {
                "expected": {
                    "point": _("a point"),
                    "line": _("a line"),
                    "area": _("an area"),
                }[kind],
                "found": found if isinstance(found, str) and found else "?",
            }
        )
    positions = _positions(geometry.get("coordinates"), kind, max_vertices)
    return checked_drawing(kind, positions, area=area, max_vertices=max_vertices)


def checked_drawing(
    kind: str, positions: list[tuple[float, float]], *, area: dict | None, max_vertices: int
) -> Drawing:
    """The drawing through positions already read as (longitude, latitude) pairs."""
    positions = [_position(p) for p in positions]
    if len(positions) > max_vertices + (1 if kind == "area" else 0):
        raise _refuse(
            _("The drawing has too many points (%(count)d; at most %(limit)d).")
            % {"count": len(positions), "limit": max_vertices}
        )
    shape = build_shape(kind, positions)
    if not shape.is_valid:
        raise _refuse(
            _(
                "The area is not valid: %(reason)s. Move a corner so that the outline "
                "does not cross itself."
            )
            % {"reason": _explain(shape)}
        )
    if kind == "area":
        shape = orient(shape, sign=1.0)
    if area and not prepared_area(area).covers(shape):
        raise _refuse(
            {
                "point": _("The point is outside the consultation's area."),
                "line": _("The line leaves the consultation's area. Keep it inside the outline."),
                "area": _(
                    "The area reaches outside the consultation's area. Keep it inside the outline."
                ),
            }[kind]
        )
    inside = shape if kind == "point" else shape.representative_point()
    geojson = json.loads(json.dumps(mapping(shape)))
    count = (
        1
        if kind == "point"
        else len(shape.exterior.coords) - 1
        if kind == "area"
        else len(shape.coords)
    )
    return Drawing(
        geojson=_rounded(geojson),
        longitude=round(inside.x, 7),
        latitude=round(inside.y, 7),
        vertex_count=count,
    )


def _rounded(geojson: dict) -> dict:
    """Coordinates to 7 decimals (about a centimetre): more is noise from the browser."""

    def walk(value):
        if isinstance(value, list | tuple):
            if value and all(isinstance(c, float | int) for c in value):
                return [round(float(c), 7) for c in value]
            return [walk(v) for v in value]
        return value

    return {"type": geojson["type"], "coordinates": walk(geojson["coordinates"])}
