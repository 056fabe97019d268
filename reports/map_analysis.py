"""Reads behind the planner's map analysis: heat cells, a selection's contents, plan comparison.

Every read iterates over the maps.analysis registry, so a kind registered there (ideas,
supports, comments, and whatever an app adds) is on the heat map's layer switch, in a
selection's counts and in the plan comparison without a change here. Query counts do not grow
with the number of things counted: one query per kind for points or cells, one per listed page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from civic.spreadsheets import formula_safe
from consultations.models import Consultation, PlanFeature, PlanLayer
from ideas.feeds import map_version_keys
from maps import analysis
from maps.clustering import BBox
from maps.geometry import area_bounds

PAGE_SIZE = 20
HOTTEST = 10
DEFAULT_METRES = 100
MAX_HEAT_CELLS = 2000
# The overview the table of hottest cells is computed at, when the page has no zoom of its own.
OVERVIEW_MAX_CELLS = 400


def consultation_bounds(consultation: Consultation) -> tuple[float, float, float, float] | None:
    return area_bounds(consultation.area)


# --- heat ----------------------------------------------------------------------------------


def heat(consultation: Consultation, *, kind: str, zoom: int | None, bbox: BBox | None) -> dict:
    """Heat cells of one kind as an RFC 7946 FeatureCollection of rectangles with `weight`.

    Kept MAP_CLUSTER_CACHE_SECONDS under the consultation's versions (a new, moved or hidden
    idea or comment moves them on, civic.changes); supports clear nothing, so a supports map
    may be that old, as the public map's clusters are.
    """
    countable = analysis.countable(kind)
    box = bbox or _default_box(consultation)
    if zoom is None:
        zoom = _overview_zoom(box)
    grid = analysis.heat_grid(zoom, box, max_cells=MAX_HEAT_CELLS // 2)
    key = _heat_key(consultation.pk, kind, box, grid)
    cells = cache.get(key) if key else None
    if cells is None:
        cells = analysis.heat_cells(countable.points(consultation), grid, box, limit=MAX_HEAT_CELLS)
        if key:
            cache.set(key, cells, settings.MAP_CLUSTER_CACHE_SECONDS)
    return {
        "type": "FeatureCollection",
        "bbox": [box.west, box.south, box.east, box.north],
        "kind": kind,
        "zoom": zoom,
        "cell": {"width": grid.width, "height": grid.height},
        "total": sum(cell["weight"] for cell in cells),
        "max_weight": max((cell["weight"] for cell in cells), default=0),
        "features": [_cell_feature(cell) for cell in cells],
    }


def _cell_feature(cell: dict) -> dict:
    w, s, e, n = cell["west"], cell["south"], cell["east"], cell["north"]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
        "properties": {
            "weight": cell["weight"],
            "longitude": round((w + e) / 2, 5),
            "latitude": round((s + n) / 2, 5),
        },
    }


def _default_box(consultation: Consultation) -> BBox:
    bounds = consultation_bounds(consultation)
    return BBox(*bounds) if bounds else BBox(-180.0, -85.0, 180.0, 85.0)


def _overview_zoom(box: BBox) -> int:
    # The zoom at which the box fills about a 1000-pixel map.
    span = max(box.east - box.west, 1e-6)
    return max(0, min(18, int(math.log2(360.0 * 1000 / 256 / span))))


def _heat_key(consultation_id: int, kind: str, box: BBox, grid) -> str | None:
    if settings.MAP_CLUSTER_CACHE_SECONDS <= 0:
        return None
    keys = map_version_keys(consultation_id)
    versions = cache.get_many(keys)
    fingerprint = repr(
        (
            consultation_id,
            sorted(versions.items()),
            kind,
            (box.west, box.south, box.east, box.north),
            grid,
        )
    ).encode()
    return "reports:heat:" + hashlib.sha256(fingerprint).hexdigest()


def hottest_cells(collection: dict, limit: int = HOTTEST) -> list[dict]:
    """The heaviest cells of a heat answer, for the table beside the map (named by coordinates:
    reverse geocoding each would cost a remote call per row)."""
    return [
        {
            "weight": feature["properties"]["weight"],
            "place": coordinates_label(
                feature["properties"]["latitude"], feature["properties"]["longitude"]
            ),
            "bounds": _bounds_of(feature),
        }
        for feature in collection["features"][:limit]
    ]


def coordinates_label(latitude: float, longitude: float) -> str:
    north = "N" if latitude >= 0 else "S"
    east = "E" if longitude >= 0 else "W"
    return f"{abs(latitude):.4f}° {north}, {abs(longitude):.4f}° {east}"


def _bounds_of(feature: dict) -> str:
    ring = feature["geometry"]["coordinates"][0]
    return f"{ring[0][0]},{ring[0][1]},{ring[2][0]},{ring[2][1]}"


# --- selections ----------------------------------------------------------------------------


@dataclass
class Region:
    shape: shapely.Geometry
    description: str  # how the person chose it, for the results' heading


def region_from_geometry(consultation: Consultation, geometry: object) -> Region:
    shape = analysis.parse_selection(geometry, consultation_bounds(consultation))
    return Region(shape, _("drawn on the map"))


def region_from_feature(consultation: Consultation, feature_id, metres) -> Region:
    metres = parse_metres(metres)
    try:
        pk = int(feature_id)
    except (TypeError, ValueError):
        raise ValidationError({"feature": _("Choose a feature of a plan layer.")}) from None
    feature = PlanFeature.objects.filter(layer__consultation=consultation, pk=pk).first()
    if feature is None:
        raise ValidationError({"feature": _("This consultation's plan has no such feature.")})
    shape = analysis.region_for_feature(
        shapely.from_geojson(feature.geometry), feature.kind, metres
    )
    if feature.kind == PlanFeature.Kind.AREA:
        description = _("inside “%(name)s”") % {"name": str(feature)}
    else:
        description = _("within %(metres)d m of “%(name)s”") % {
            "metres": metres,
            "name": str(feature),
        }
    return Region(shape, description)


def region_from_bbox(consultation: Consultation, raw: str | None) -> Region:
    from maps.clustering import parse_bbox

    box = parse_bbox(raw)
    if box is None or box.area <= 0:
        raise ValidationError({"bbox": _("Enter a box with an area: west,south,east,north.")})
    shape = shapely.box(box.west, box.south, box.east, box.north)
    analysis.check_bounds(shape, consultation_bounds(consultation), field="bbox")
    return Region(shape, _("box %(bbox)s") % {"bbox": raw})


def region_from_place(consultation: Consultation, place: str | None, radius) -> Region:
    from maps import geocoding

    metres = parse_metres(radius, field="radius")
    query = " ".join((place or "").split())[:200]
    if not query:
        raise ValidationError({"place": _("Enter a place or an address.")})
    found = geocoding.geocode(query)
    if not found:
        raise ValidationError({"place": _("No place of that name was found.")})
    hit = found[0]
    shape = analysis.circle(hit.longitude, hit.latitude, metres)
    analysis.check_bounds(shape, consultation_bounds(consultation), field="place")
    return Region(
        shape, _("within %(metres)d m of %(place)s") % {"metres": metres, "place": hit.label}
    )


def parse_metres(raw, *, field: str = "metres") -> int:
    if raw is None or raw == "":
        return DEFAULT_METRES
    try:
        metres = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number of metres.")}) from None
    if not 1 <= metres <= analysis.MAX_BUFFER_METRES:
        raise ValidationError(
            {
                field: _("Enter between 1 and %(limit)d metres.")
                % {"limit": analysis.MAX_BUFFER_METRES}
            }
        )
    return metres


def parse_page(raw) -> int:
    if raw is None or raw == "":
        return 1
    try:
        page = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"page": _("The page must be a whole number.")}) from None
    if page < 1:
        raise ValidationError({"page": _("The page must be 1 or more.")})
    return page


def selection_contents(consultation: Consultation, region: Region, page: int = 1) -> dict:
    """Counts of every kind inside the region, and one page of each listed kind."""
    shape = region.shape
    bounds = shape.bounds
    kinds = []
    for countable in analysis.countables():
        points = analysis.points_in_box(countable.points(consultation), bounds)
        mask = points.inside(shape)
        count = int(points.weights[mask].sum()) if countable.weighted else int(mask.sum())
        entry = {"kind": countable.code, "label": str(countable.label()), "count": count}
        if countable.rows is not None:
            ids = [int(pk) for pk in points.ids[mask][::-1]]  # newest first
            pages = max(1, math.ceil(len(ids) / PAGE_SIZE))
            start = (page - 1) * PAGE_SIZE
            entry.update(
                page=page,
                pages=pages,
                results=countable.rows(consultation, ids[start : start + PAGE_SIZE]),
            )
        kinds.append(entry)
    return {
        "description": region.description,
        "bbox": [round(value, 7) for value in bounds],
        "page_size": PAGE_SIZE,
        "kinds": kinds,
    }


# --- comparison with plan layers ------------------------------------------------------------

SORT_KEYS = ("name", "kind")


def compare_layers(
    consultation: Consultation, *, metres: int, sort: str | None = None
) -> list[dict]:
    """One table per plan layer: per feature, how much of each kind lies inside it (an area)
    or within `metres` of it (a line or a point), and what is anchored to it.

    Queries: one for the layers and features, one per kind for the points, one per kind that
    anchors; features are tested in Python against the points as arrays.
    """
    layers = list(PlanLayer.objects.filter(consultation=consultation).order_by("position", "pk"))
    features = list(
        PlanFeature.objects.filter(layer__consultation=consultation).order_by("layer", "number")
    )
    countables = analysis.countables()
    columns = [{"code": c.code, "label": str(c.label())} for c in countables] + [
        {"code": f"anchored_{c.code}", "label": _("%(kind)s about it") % {"kind": c.label()}}
        for c in countables
        if c.anchored is not None
    ]
    regions = {
        feature.pk: analysis.region_for_feature(
            shapely.from_geojson(feature.geometry), feature.kind, metres
        )
        for feature in features
    }
    counts: dict[int, dict[str, int]] = {feature.pk: {} for feature in features}
    if regions:
        bounds = shapely.total_bounds(list(regions.values()))
        for countable in countables:
            points = analysis.points_in_box(countable.points(consultation), tuple(bounds))
            for pk, region in regions.items():
                mask = points.inside(region)
                counts[pk][countable.code] = (
                    int(points.weights[mask].sum()) if countable.weighted else int(mask.sum())
                )
            if countable.anchored is not None:
                anchored = countable.anchored(consultation)
                for pk in counts:
                    counts[pk][f"anchored_{countable.code}"] = anchored.get(pk, 0)
    codes = [column["code"] for column in columns]
    sort_code, reverse = _sort_order(sort, codes)
    tables = []
    for layer in layers:
        rows = [
            {
                "id": feature.pk,
                "number": feature.number,
                "name": str(feature),
                "kind": feature.kind,
                "kind_label": feature.get_kind_display(),
                "values": [counts[feature.pk].get(code, 0) for code in codes],
                "counts": counts[feature.pk],
            }
            for feature in features
            if feature.layer_id == layer.pk
        ]
        if sort_code in SORT_KEYS:
            rows.sort(key=lambda row: (str(row[sort_code]).casefold(), row["number"]))
        elif sort_code:
            rows.sort(key=lambda row: (row["counts"].get(sort_code, 0), -row["number"]))
        if reverse:
            rows.reverse()
        tables.append({"layer": layer, "columns": columns, "rows": rows})
    return tables


def _sort_order(sort: str | None, codes: list[str]) -> tuple[str | None, bool]:
    """`sort` is a column code, `-code` for descending; anything else keeps the file's order."""
    if not sort:
        return None, False
    reverse = sort.startswith("-")
    code = sort.lstrip("-")
    if code not in codes and code not in SORT_KEYS:
        raise ValidationError(
            {
                "sort": _("Unknown column %(value)s; use one of %(choices)s.")
                % {"value": code, "choices": ", ".join([*SORT_KEYS, *codes])}
            }
        )
    return code, reverse


def compare_csv(table: dict, metres: int) -> str:
    """One layer's comparison as CSV, with text that cannot run as a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Number"), _("Feature"), _("Kind"), _("Distance (m)")]
        + [column["label"] for column in table["columns"]]
    )
    for row in table["rows"]:
        distance = "" if row["kind"] == PlanFeature.Kind.AREA else metres
        writer.writerow(
            [row["number"], formula_safe(row["name"]), row["kind_label"], distance, *row["values"]]
        )
    return out.getvalue()


def region_geojson(region: Region) -> dict:
    """The region as GeoJSON, for drawing it on the page's map."""
    return json.loads(shapely.to_geojson(region.shape))
