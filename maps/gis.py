"""Reading a planner's GIS file into features in WGS 84, and simplifying them for the map.

Formats: GeoJSON, GeoPackage, KML and a zipped Shapefile, read with pyogrio (GDAL in its wheel,
so `pip install` is enough). Coordinates are reprojected to WGS 84 longitude/latitude with
pyproj from whatever coordinate system the file declares (EUREF89 / ETRS89 UTM zones in Norway
and Denmark), and every geometry is checked with shapely.

Invalid geometry is refused, not repaired: `make_valid` turns a self-intersecting zoning area
into other shapes (a bow tie becomes two triangles, a ring can lose a piece), and a plan shown to
residents must be the plan the planner drew. The message names the feature and the reason, so it
can be fixed where it was drawn.

Everything a file says is hostile until checked: its size is refused before it is parsed, a zip
is read member by member (no paths outside the folder, a bound on the unpacked size), and a limit
on features and vertices keeps one upload from making every map request slow.
"""

from __future__ import annotations

import datetime
import math
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pyogrio
import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.validation import explain_validity

WGS84 = "EPSG:4326"
FORMATS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".kml": "KML",
    ".zip": "ESRI Shapefile",
}
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}
# Names a GIS program gives a feature's label, in the order they are looked for.
NAME_FIELDS = ("name", "Name", "NAME", "navn", "Navn", "NAVN", "title", "Title", "label")
KINDS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "area",
    "MultiPolygon": "area",
}


@dataclass
class PlanFeatureData:
    number: int  # 1-based position in the file, as the planner's GIS program counts
    name: str
    kind: str  # point, line or area
    geometry: shapely.Geometry  # WGS 84, longitude first
    properties: dict = field(default_factory=dict)


@dataclass
class PlanFile:
    features: list[PlanFeatureData]
    source_crs: str  # "EPSG:25833", or the coordinate system's name when it has no code
    vertex_count: int

    @property
    def kinds(self) -> set[str]:
        return {feature.kind for feature in self.features}


def limits() -> dict[str, int]:
    return {
        "bytes": settings.PLAN_LAYER_MAX_BYTES,
        "features": settings.PLAN_LAYER_MAX_FEATURES,
        "vertices": settings.PLAN_LAYER_MAX_VERTICES,
    }


def _error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def read_plan_file(upload, filename: str | None = None) -> PlanFile:
    """Read an uploaded file (a Django UploadedFile or a path) into features in WGS 84.

    Raises ValidationError on 'file' with a reason a planner can act on.
    """
    name = filename or getattr(upload, "name", None) or str(upload)
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in FORMATS:
        raise _error(
            _(
                "Choose a GeoJSON (.geojson), GeoPackage (.gpkg), KML (.kml) "
                "or zipped Shapefile (.zip) file."
            )
        )
    max_bytes = limits()["bytes"]
    size = upload.size if hasattr(upload, "size") else Path(upload).stat().st_size
    if size > max_bytes:
        raise _error(
            _("The file is %(size)s; files of at most %(limit)s can be read.")
            % {"size": _size(size), "limit": _size(max_bytes)}
        )
    if size == 0:
        raise _error(_("The file is empty."))
    folder = Path(tempfile.mkdtemp(prefix="plan-layer-"))
    try:
        path = folder / f"upload{suffix}"
        _copy(upload, path)
        if suffix == ".zip":
            path = _unpack_shapefile(path, folder / "unpacked", max_bytes)
        return _read(path, suffix)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _size(size: int) -> str:
    return filesizeformat(size)


def _copy(upload, path: Path) -> None:
    if hasattr(upload, "chunks"):
        upload.seek(0)
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    else:
        shutil.copyfile(upload, path)


def _unpack_shapefile(archive: Path, folder: Path, max_bytes: int) -> Path:
    """Unpack the one Shapefile in a zip, refusing anything that could escape the folder."""
    try:
        zipped = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise _error(_("The file is not a valid zip archive.")) from None
    with zipped:
        members = [info for info in zipped.infolist() if not info.is_dir()]
        if len(members) > 50:
            raise _error(_("The zip archive holds too many files for one Shapefile."))
        wanted = []
        for info in members:
            path = PurePosixPath(info.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or ":" in info.filename:
                raise _error(
                    _("The zip archive holds a file outside its folder (%(name)s).")
                    % {"name": info.filename[:120]}
                )
            if path.name.startswith(".") or "__MACOSX" in path.parts:
                continue
            if path.suffix.lower() in SHAPEFILE_PARTS:
                wanted.append((info, path))
        if sum(info.file_size for info, _path in wanted) > max_bytes:
            raise _error(
                _("Unpacked, the Shapefile is larger than %(limit)s.") % {"limit": _size(max_bytes)}
            )
        shapefiles = [path for _info, path in wanted if path.suffix.lower() == ".shp"]
        if len(shapefiles) != 1:
            raise _error(
                _("The zip archive must hold exactly one Shapefile (.shp); it holds %(count)d.")
                % {"count": len(shapefiles)}
            )
        stem = shapefiles[0].with_suffix("")
        folder.mkdir()
        for info, path in wanted:
            if path.with_suffix("") != stem:
                continue
            # Written under a name of our own: nothing in the archive chooses a path.
            target = folder / f"layer{path.suffix.lower()}"
            written = 0
            with zipped.open(info) as source, target.open("wb") as out:
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > max_bytes:  # the header's size can lie
                        raise _error(
                            _("Unpacked, the Shapefile is larger than %(limit)s.")
                            % {"limit": _size(max_bytes)}
                        )
                    out.write(chunk)
    return folder / "layer.shp"


def _read(path: Path, suffix: str) -> PlanFile:
    try:
        layers = [row[0] for row in pyogrio.list_layers(path)]
    except Exception:  # GDAL's errors are many; any of them means the file cannot be read
        raise _error(
            _("The file could not be read as %(format)s. Is it damaged or of another kind?")
            % {"format": FORMATS[suffix]}
        ) from None
    features: list[PlanFeatureData] = []
    crs_names: list[str] = []
    number = 0
    limit = limits()
    for layer in layers:
        try:
            meta, _fids, wkb, field_data = pyogrio.raw.read(path, layer=layer)
        except Exception:
            raise _error(
                _("The layer “%(layer)s” in the file could not be read.") % {"layer": layer}
            ) from None
        if not len(wkb):
            continue
        if number + len(wkb) > limit["features"]:
            raise _error(
                _("The file has more than %(limit)d features; split it into several layers.")
                % {"limit": limit["features"]}
            )
        geometries = shapely.force_2d(shapely.from_wkb(wkb, on_invalid="ignore"))
        for index, geometry in enumerate(geometries):
            if geometry is None or shapely.is_empty(geometry):
                row = {key: field_data[column][index] for column, key in enumerate(meta["fields"])}
                name = next((str(row[key]) for key in NAME_FIELDS if row.get(key)), "")
                raise _error(
                    _("Feature %(number)d %(name)s has no geometry.")
                    % {"number": number + index + 1, "name": f"“{name}”" if name else ""}
                )
        crs_name, transformer = _transformer(meta.get("crs"), geometries, suffix)
        crs_names.append(crs_name)
        names = list(meta["fields"])
        for index, geometry in enumerate(geometries):
            number += 1
            properties = {
                key: _json_value(field_data[column][index]) for column, key in enumerate(names)
            }
            features.append(_feature(number, geometry, properties, transformer))
    if not features:
        raise _error(_("The file has no features: the layer is empty."))
    vertex_count = int(shapely.get_num_coordinates([f.geometry for f in features]).sum())
    if vertex_count > limit["vertices"]:
        raise _error(
            _("The file has %(count)d vertices; at most %(limit)d can be shown on the map.")
            % {"count": vertex_count, "limit": limit["vertices"]}
        )
    return PlanFile(
        features=features,
        source_crs=", ".join(dict.fromkeys(crs_names)),
        vertex_count=vertex_count,
    )


def _transformer(crs_text, geometries, suffix: str) -> tuple[str, Transformer | None]:
    bounds = shapely.total_bounds(geometries)
    looks_lonlat = bool(
        np.all(np.isfinite(bounds))
        and -180 <= bounds[0] <= 180
        and -180 <= bounds[2] <= 180
        and -90 <= bounds[1] <= 90
        and -90 <= bounds[3] <= 90
    )
    if not crs_text:
        # GeoJSON (RFC 7946) and KML are WGS 84 by definition; anything else without a
        # coordinate system is taken as WGS 84 only when its numbers can be longitudes and
        # latitudes.
        if looks_lonlat:
            return WGS84, None
        raise _error(
            _(
                "The file has no coordinate system, and its coordinates are not longitudes and "
                "latitudes. Export it again with its coordinate system (for a Shapefile, "
                "include the .prj file), or reproject it to WGS 84."
            )
        )
    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError:
        raise _error(_("The file's coordinate system is not one that can be read.")) from None
    authority = crs.to_authority()
    crs_name = ":".join(authority) if authority else crs.name
    if crs.is_geographic and not looks_lonlat:
        raise _error(
            _(
                "The file says its coordinates are longitudes and latitudes (%(crs)s), but they "
                "are not: the file declares the wrong coordinate system."
            )
            % {"crs": crs_name}
        )
    if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return crs_name, None
    return crs_name, Transformer.from_crs(crs, WGS84, always_xy=True)


def _feature(number, geometry, properties, transformer) -> PlanFeatureData:
    name = next((str(properties[key]) for key in NAME_FIELDS if properties.get(key)), "")[:200]
    label = f"“{name}”" if name else ""
    kind = KINDS.get(geometry.geom_type)
    if kind is None:
        raise _error(
            _(
                "Feature %(number)d %(name)s is a %(type)s; only points, lines and areas "
                "can be shown."
            )
            % {"number": number, "name": label, "type": geometry.geom_type}
        )
    if transformer is not None:
        geometry = shapely.transform(
            geometry,
            lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])),
        )
    west, south, east, north = geometry.bounds
    if not (
        all(math.isfinite(v) for v in (west, south, east, north))
        and -180 <= west <= east <= 180
        and -90 <= south <= north <= 90
    ):
        raise _error(
            _(
                "Feature %(number)d %(name)s lies outside the world after reprojection to "
                "WGS 84; does the file declare the right coordinate system?"
            )
            % {"number": number, "name": label}
        )
    if not geometry.is_valid:
        raise _error(
            _(
                "Feature %(number)d %(name)s is not a valid shape (%(reason)s). "
                "Correct it in your GIS program and upload the file again."
            )
            % {"number": number, "name": label, "reason": explain_validity(geometry)}
        )
    if kind == "area":
        geometry = shapely.orient_polygons(geometry)  # RFC 7946: outer rings counterclockwise
    return PlanFeatureData(
        number=number, name=name, kind=kind, geometry=geometry, properties=properties
    )


def _json_value(value):
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, bytes):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.date | datetime.datetime | np.datetime64):
        return str(value)
    return str(value)[:500]


def describe_count(count: int) -> str:
    return ngettext("%(count)d feature", "%(count)d features", count) % {"count": count}


# --- simplification per zoom ---------------------------------------------------------------

# The map feed serves each layer simplified for zooms 6 to 15, computed once when the layer is
# uploaded; a lower zoom gets zoom 6's shapes (already a handful of vertices each). From zoom 16
# on, half a pixel is under a metre (less in the north): simplifying removes little there, and
# the stored geometry is served.
MIN_SIMPLIFY_ZOOM = 6
MAX_SIMPLIFY_ZOOM = 16
SIMPLIFY_ZOOMS = range(MIN_SIMPLIFY_ZOOM, MAX_SIMPLIFY_ZOOM)


def level_for_zoom(zoom: int | None) -> int | None:
    """The stored simplification level that serves `zoom`, or None for the geometry as stored."""
    if zoom is None or zoom >= MAX_SIMPLIFY_ZOOM:
        return None
    return max(zoom, MIN_SIMPLIFY_ZOOM)


def tolerance_for_zoom(zoom: int, latitude: float = 0.0) -> float:
    """Half a screen pixel at `zoom`, in degrees: a simpler line cannot look different.

    Web Mercator gives a pixel the same width in degrees of longitude everywhere, but fewer
    degrees of latitude away from the equator (by the cosine of the latitude); the smaller of
    the two is used, so no line moves by more than half a pixel in either direction.
    """
    return 360.0 / (256 * 2**zoom) / 2 * math.cos(math.radians(min(abs(latitude), 85.0)))


def simplified_geojson(geometries: list[shapely.Geometry], zoom: int) -> list[str]:
    """The geometries as GeoJSON texts simplified for `zoom`.

    Douglas-Peucker first, which is fast; the few shapes it makes invalid or empty (a parcel
    smaller than the tolerance collapses) are simplified again preserving topology, which keeps
    every shape valid and present, at ten to twenty times the cost, paid only for those.
    """
    shapes = np.asarray(geometries, dtype=object)
    _west, south, _east, north = shapely.total_bounds(shapes)
    tolerance = tolerance_for_zoom(zoom, (south + north) / 2 if math.isfinite(south) else 0.0)
    simpler = shapely.simplify(shapes, tolerance, preserve_topology=False)
    broken = shapely.is_empty(simpler) | ~shapely.is_valid(simpler)
    if broken.any():
        simpler[broken] = shapely.simplify(shapes[broken], tolerance, preserve_topology=True)
    simpler = shapely.set_precision(simpler, 1e-7, mode="pointwise")
    return [shapely.to_geojson(shape) for shape in simpler]


def simplified_levels(geometries: list[shapely.Geometry]) -> dict[int, list[str]]:
    """{zoom: GeoJSON texts} for every zoom in SIMPLIFY_ZOOMS."""
    return {zoom: simplified_geojson(geometries, zoom) for zoom in SIMPLIFY_ZOOMS}


def geometry_text(geometry: shapely.Geometry) -> str:
    """A geometry as GeoJSON text (longitude first), rounded to 7 decimals (about 1 cm)."""
    return shapely.to_geojson(shapely.set_precision(geometry, 1e-7, mode="pointwise"))
