"""Bounding boxes from query strings and grid clustering of points in SQL.

Clustering groups rows by the grid cell their coordinates fall in (floor(lon / cell),
floor(lat / cell)) and returns one row per cell with the count and mean position, so the
database, not Python or the browser, folds 100,000 pins into a few hundred circles. It is plain
ORM (Floor, Count, Avg) and so runs the same on SQLite and PostgreSQL.
"""

import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, FloatField, QuerySet, Value
from django.db.models.functions import Floor
from django.utils.translation import gettext as _

MAX_ZOOM = 22
# A tile is 256 px wide; cells a quarter of a tile (64 px) keep circles from overlapping.
CELLS_PER_TILE = 4


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def area(self) -> float:
        return (self.east - self.west) * (self.north - self.south)


def parse_bbox(raw: str | None) -> BBox | None:
    """`west,south,east,north` in degrees, or None when absent; ValidationError on 'bbox'."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise ValidationError({"bbox": _("The bbox must be four numbers: west,south,east,north.")})
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ValidationError(
            {"bbox": _("The bbox must be four numbers: west,south,east,north.")}
        ) from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise ValidationError({"bbox": _("The bbox must hold finite numbers.")})
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise ValidationError({"bbox": _("The bbox longitudes must be between -180 and 180.")})
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise ValidationError({"bbox": _("The bbox latitudes must be between -90 and 90.")})
    if west > east:
        raise ValidationError({"bbox": _("The bbox west edge must not lie east of its east edge.")})
    if south > north:
        raise ValidationError(
            {"bbox": _("The bbox south edge must not lie north of its north edge.")}
        )
    return BBox(west, south, east, north)


def parse_zoom(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        zoom = int(raw)
    except ValueError:
        raise ValidationError({"zoom": _("The zoom must be a whole number.")}) from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise ValidationError(
            {"zoom": _("The zoom must be between 0 and %(max)d.") % {"max": MAX_ZOOM}}
        )
    return zoom


def parse_id(field: str, raw: str | None) -> int | None:
    """An optional numeric id filter such as `category=3`; ValidationError on `field`."""
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({field: _("This filter must be a number.")}) from None


def parse_choice(field: str, raw: str | None, choices: list[str]) -> str | None:
    """An optional filter that must be one of `choices`; ValidationError on `field`."""
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ValidationError(
            {
                field: _("Unknown value %(value)s; use one of %(choices)s.")
                % {"value": raw, "choices": ", ".join(choices)}
            }
        )
    return raw


def cell_size(
    zoom: int | None, bbox: BBox | None, max_cells: int, target_cells: int = 400
) -> float:
    """Grid cell width in degrees: a quarter tile at this zoom, widened when the requested box
    is so large that it would hold more than `max_cells` cells. Without a zoom, the box is cut
    into about `target_cells` cells, as a map showing it would."""
    has_area = bbox is not None and bbox.area > 0
    if zoom is not None:
        size = 360.0 / (2**zoom * CELLS_PER_TILE)
    elif has_area:
        size = math.sqrt(bbox.area / target_cells)
    else:
        size = 360.0 / CELLS_PER_TILE
    if has_area:
        size = max(size, math.sqrt(bbox.area / max_cells))
    return size


def grid_clusters(queryset: QuerySet, size: float, limit: int) -> list[dict]:
    """One dict per non-empty cell: count, longitude, latitude (mean of its points).

    The cell size is passed as a float parameter so that both databases divide in floating
    point; the ordering is cleared so no model ordering sneaks into the GROUP BY.
    """
    cell = Value(size, output_field=FloatField())
    rows = (
        queryset.order_by()
        .annotate(
            cell_x=Floor(F("longitude") / cell, output_field=FloatField()),
            cell_y=Floor(F("latitude") / cell, output_field=FloatField()),
        )
        .values("cell_x", "cell_y")
        .annotate(count=Count("*"), mean_lon=Avg("longitude"), mean_lat=Avg("latitude"))
        .order_by("-count", "cell_x", "cell_y")
    )
    return [
        {"count": row["count"], "longitude": row["mean_lon"], "latitude": row["mean_lat"]}
        for row in rows[:limit]
    ]
