"""Placing a point on a plan feature: how far it is, where it snaps to, how far along a line.

Distances are measured in metres in an azimuthal equidistant projection centred on the
feature (pyproj), which keeps them true to well under a metre over the few kilometres a plan
covers. A point on a line is snapped onto the line and gets its fraction along it (0 at the
first vertex, 1 at the last), which orders comments along a route and bins them on the map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import shapely
from pyproj import Transformer
from shapely.ops import nearest_points

LINE_TYPES = {"LineString", "MultiLineString"}


@dataclass(frozen=True)
class Anchor:
    longitude: float
    latitude: float
    fraction: float | None  # along a line, 0..1; None for points and areas
    distance: float  # metres from the given point to the feature


def _projection(geometry: shapely.Geometry) -> tuple[Transformer, Transformer]:
    centre = geometry.centroid if not geometry.is_empty else shapely.Point(0, 0)
    # Centred to a thousandth of a degree (about 100 m): distances stay true, and the
    # transformers (some 10 ms each to build) are made once per place, not once per call.
    return _transformers(round(centre.x, 3), round(centre.y, 3))


@lru_cache(maxsize=256)
def _transformers(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"
    forward = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return forward, back


def local_projection(geometry: shapely.Geometry) -> tuple[Transformer, Transformer]:
    """Transformers from WGS 84 to metres around `geometry`, and back."""
    return _projection(geometry)


def place(geometry_text: str, longitude: float, latitude: float) -> Anchor:
    """Where the point (WGS 84) lands on the feature's geometry (GeoJSON text in WGS 84).

    On a line: the nearest point of the line and its fraction along it. In an area: the point
    itself (or the nearest point of the edge when it lies outside). On a point: the feature's
    point. `distance` is how far the given point was, for the caller's tolerance."""
    geometry = shapely.from_geojson(
        geometry_text if isinstance(geometry_text, str) else json.dumps(geometry_text)
    )
    forward, back = _projection(geometry)
    local = shapely.transform(geometry, forward.transform, interleaved=False)
    x, y = forward.transform(longitude, latitude)
    clicked = shapely.Point(x, y)
    distance = float(local.distance(clicked))
    fraction = None
    if local.geom_type in LINE_TYPES:
        along = shapely.line_locate_point(local, clicked)
        snapped = shapely.line_interpolate_point(local, along)
        fraction = float(along / local.length) if local.length else 0.0
    elif local.geom_type in {"Polygon", "MultiPolygon"}:
        snapped = clicked if distance == 0 else nearest_points(local, clicked)[0]
    else:
        snapped = nearest_points(local, clicked)[0]
    lon, lat = back.transform(snapped.x, snapped.y)
    return Anchor(
        longitude=round(lon, 7),
        latitude=round(lat, 7),
        fraction=None if fraction is None else min(1.0, max(0.0, round(fraction, 6))),
        distance=distance,
    )


def point_at_fraction(geometry_text: str, fraction: float) -> tuple[float, float]:
    """The WGS 84 point at `fraction` (0..1) along a line feature."""
    geometry = shapely.from_geojson(geometry_text)
    forward, back = _projection(geometry)
    local = shapely.transform(geometry, forward.transform, interleaved=False)
    point = shapely.line_interpolate_point(local, fraction, normalized=True)
    lon, lat = back.transform(point.x, point.y)
    return round(lon, 7), round(lat, 7)
