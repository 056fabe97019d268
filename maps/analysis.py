"""Counting what lies where: a registry of countable things, heat grids and selections.

A kind of thing that can be counted on a planner's map (ideas, supports, comments, later
residents' drawn answers) is one `Countable` registered by the app that owns it, from its
AppConfig.ready. The registry is all the analysis knows of the apps: the heat map, a drawn
selection and the comparison with plan layers iterate over it, so a new kind is one
`register(...)` call.

A countable gives a queryset annotated with `at_lon`, `at_lat` (where each row is counted, WGS 84)
and `weight` (1 for a count, the support count for supports). The grid is folded in SQL (Floor
and Sum, as maps.clustering does for pins), so the browser gets cells with weights and never
the points. A selection reads the candidate points inside the selection's bounding box (three
numbers a row) and tests them with shapely's vectorised `contains_xy`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, QuerySet, Sum, Value
from django.db.models.functions import Floor
from django.utils.translation import gettext as _

from maps.anchors import local_projection
from maps.clustering import CELLS_PER_TILE, BBox

# A selection is a shape a person draws or chooses: a few hundred vertices is plenty, and the
# bound keeps one request from making every point test slow.
MAX_SELECTION_VERTICES = 500
# About 10 km around the consultation's area: a selection beyond it cannot hold its ideas.
AREA_MARGIN_DEGREES = 0.1
# Without an area, a selection spans at most this many degrees (a region, not a continent).
MAX_SELECTION_SPAN_DEGREES = 5.0
MAX_BUFFER_METRES = 5000
# Heat cells are an eighth of a tile (32 px): fine enough to show a street's cluster, coarse
# enough that a view holds a few hundred cells.
HEAT_CELLS_PER_TILE = CELLS_PER_TILE * 2


@dataclass(frozen=True)
class Countable:
    """One kind of thing counted on the planner's map."""

    code: str
    label: Callable[[], str]  # translated when shown, never stored
    # consultation -> queryset annotated with at_lon, at_lat and weight
    points: Callable[[object], QuerySet]
    # True when the count is the sum of weights (supports), not the number of rows
    weighted: bool = False
    # (consultation, ids in order) -> rows to list ({"id", "title", "url", ...}); None: not listed
    rows: Callable[[object, list[int]], list[dict]] | None = None
    # consultation -> {plan feature id: count of things anchored to that feature}; optional
    anchored: Callable[[object], dict[int, int]] | None = None


_registry: dict[str, Countable] = {}


def register(countable: Countable) -> None:
    _registry[countable.code] = countable


def countables() -> list[Countable]:
    return list(_registry.values())


def countable(code: str | None) -> Countable:
    """The registered kind `code`; ValidationError on 'kind' when unknown."""
    if code not in _registry:
        raise ValidationError(
            {
                "kind": _("Unknown kind %(value)s; use one of %(choices)s.")
                % {"value": code or "", "choices": ", ".join(_registry)}
            }
        )
    return _registry[code]


# --- the heat grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    width: float  # degrees of longitude
    height: float  # degrees of latitude: narrower away from the equator, so cells look square


def heat_grid(zoom: int, bbox: BBox, max_cells: int) -> Grid:
    """Cells an eighth of a tile wide at `zoom`, widened when the box would hold more than
    `max_cells` of them."""
    width = 360.0 / (2**zoom * HEAT_CELLS_PER_TILE)
    middle = math.radians((bbox.south + bbox.north) / 2)
    squash = max(0.05, math.cos(middle))
    if bbox.area > 0:
        width = max(width, math.sqrt(bbox.area / squash / max_cells))
    # Cells snap to a doubling of the finest size, so nearby views share cached cells' edges.
    width = 360.0 / (2 ** math.floor(math.log2(360.0 / width)))
    return Grid(width=width, height=width * squash)


def heat_cells(points: QuerySet, grid: Grid, bbox: BBox, limit: int) -> list[dict]:
    """The non-empty cells in the box, heaviest first: one SQL query whatever the row count."""
    width = Value(grid.width, output_field=FloatField())
    height = Value(grid.height, output_field=FloatField())
    rows = (
        points.filter(
            at_lon__gte=bbox.west,
            at_lon__lte=bbox.east,
            at_lat__gte=bbox.south,
            at_lat__lte=bbox.north,
        )
        .order_by()
        .annotate(
            cell_x=Floor(F("at_lon") / width, output_field=FloatField()),
            cell_y=Floor(F("at_lat") / height, output_field=FloatField()),
        )
        .values("cell_x", "cell_y")
        .annotate(total=Sum("weight"))
        .filter(total__gt=0)
        .order_by("-total", "cell_x", "cell_y")
    )
    cells = []
    for row in rows[:limit]:
        x, y = int(row["cell_x"]), int(row["cell_y"])
        cells.append(
            {
                "west": round(x * grid.width, 7),
                "south": round(y * grid.height, 7),
                "east": round((x + 1) * grid.width, 7),
                "north": round((y + 1) * grid.height, 7),
                "weight": int(row["total"]),
            }
        )
    return cells


# --- selections ------------------------------------------------------------------------------


def _selection_error(message: str) -> ValidationError:
    return ValidationError({"geometry": message})


def parse_selection(
    geometry: object, area_bounds: tuple[float, float, float, float] | None
) -> shapely.Geometry:
    """A drawn selection (GeoJSON Polygon or MultiPolygon, WGS 84) checked as hostile input.

    Refused, with the reason on 'geometry': anything that is not a polygon, an invalid
    (self-crossing) shape, more than MAX_SELECTION_VERTICES vertices, coordinates outside the
    world, and a selection that cannot touch the consultation's area (or spans more than
    MAX_SELECTION_SPAN_DEGREES when it has none).
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise _selection_error(_("Draw a rectangle or a polygon: a GeoJSON Polygon is expected."))
    try:
        shape = shapely.from_geojson(json.dumps(geometry))
    except (shapely.errors.GEOSException, ValueError, TypeError):
        raise _selection_error(_("The selection is not a readable GeoJSON polygon.")) from None
    if shape is None or shape.is_empty or shape.geom_type not in {"Polygon", "MultiPolygon"}:
        raise _selection_error(_("The selection is empty."))
    vertices = int(shapely.get_num_coordinates(shape))
    if vertices > MAX_SELECTION_VERTICES:
        raise _selection_error(
            _("The selection has %(count)d vertices; at most %(limit)d are allowed.")
            % {"count": vertices, "limit": MAX_SELECTION_VERTICES}
        )
    west, south, east, north = shape.bounds
    if not (
        all(math.isfinite(v) for v in (west, south, east, north))
        and -180 <= west <= east <= 180
        and -90 <= south <= north <= 90
    ):
        raise _selection_error(_("The selection's coordinates are not longitudes and latitudes."))
    if not shape.is_valid:
        raise _selection_error(_("The selection crosses itself; draw it again."))
    if shape.area <= 0:
        raise _selection_error(_("The selection has no area."))
    check_bounds(shape, area_bounds, field="geometry")
    return shape


def check_bounds(shape, area_bounds, *, field: str) -> None:
    west, south, east, north = shape.bounds
    if area_bounds is not None:
        a_west, a_south, a_east, a_north = area_bounds
        m = AREA_MARGIN_DEGREES
        if west > a_east + m or east < a_west - m or south > a_north + m or north < a_south - m:
            raise ValidationError({field: _("The selection lies outside the consultation's area.")})
    if east - west > MAX_SELECTION_SPAN_DEGREES or north - south > MAX_SELECTION_SPAN_DEGREES:
        raise ValidationError(
            {
                field: _("The selection spans more than %(limit)s degrees; choose a smaller one.")
                % {"limit": f"{MAX_SELECTION_SPAN_DEGREES:g}"}
            }
        )


def buffered(geometry: shapely.Geometry, metres: float) -> shapely.Geometry:
    """The geometry grown by `metres`, measured in a local equidistant projection centred on it
    (as maps.anchors measures), back in WGS 84."""
    forward, back = local_projection(geometry)
    local = shapely.transform(geometry, forward.transform, interleaved=False)
    grown = local.buffer(metres, quad_segs=8)
    return shapely.transform(grown, back.transform, interleaved=False)


def circle(longitude: float, latitude: float, metres: float) -> shapely.Geometry:
    return buffered(shapely.Point(longitude, latitude), metres)


def region_for_feature(geometry: shapely.Geometry, kind: str, metres: float) -> shapely.Geometry:
    """An area counts what is inside it; a line or a point what is within `metres` of it."""
    if kind == "area":
        return geometry
    return buffered(geometry, metres)


@dataclass
class Points:
    """One countable's points in a box, as arrays: ids, longitudes, latitudes, weights."""

    ids: np.ndarray
    lons: np.ndarray
    lats: np.ndarray
    weights: np.ndarray

    def inside(self, shape: shapely.Geometry) -> np.ndarray:
        """A boolean mask of the points inside (or on the edge of) `shape`."""
        if not len(self.ids):
            return np.zeros(0, dtype=bool)
        shapely.prepare(shape)
        return shapely.intersects_xy(shape, self.lons, self.lats)


def points_in_box(points: QuerySet, bounds: tuple[float, float, float, float]) -> Points:
    """The points inside `bounds` (west, south, east, north), in one query, ordered by id."""
    west, south, east, north = bounds
    rows = list(
        points.filter(at_lon__gte=west, at_lon__lte=east, at_lat__gte=south, at_lat__lte=north)
        .order_by("id")
        .values_list("id", "at_lon", "at_lat", "weight")
    )
    if not rows:
        empty = np.zeros(0)
        return Points(empty.astype(int), empty, empty, empty.astype(int))
    array = np.array(rows, dtype=float)
    return Points(
        ids=array[:, 0].astype(int),
        lons=array[:, 1],
        lats=array[:, 2],
        weights=array[:, 3].astype(int),
    )
