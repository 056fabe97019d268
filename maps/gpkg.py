"""Writing a GeoPackage (OGC GeoPackage 1.2, a SQLite file that QGIS and ogrinfo open) with
pyogrio: one table per call of `add_table`, geometry in WGS 84 (EPSG:4326)."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

import numpy as np
import pyogrio.raw
import shapely

WGS84 = "EPSG:4326"


def table_name(text: str, taken: set[str]) -> str:
    """A lower-case ASCII table name from `text`, unique among `taken` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:50] or "layer"
    name, number = base, 2
    while name in taken:
        name = f"{base}_{number}"
        number += 1
    taken.add(name)
    return name


def add_table(
    path: str,
    name: str,
    fields: Sequence[str],
    rows: Iterable[tuple[shapely.Geometry, Sequence]],
    *,
    append: bool,
    crs: str = WGS84,
) -> int:
    """Write one table of (geometry, values) rows to the GeoPackage at `path`; returns the
    number of rows. Geometry is in `crs` (WGS 84 unless said otherwise). An empty table is
    written too (with its columns), so a reader finds every table it expects."""
    geometries, columns = [], [[] for _ in fields]
    for geometry, values in rows:
        geometries.append(geometry)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    kinds = {g.geom_type for g in geometries}
    geometry_type = kinds.pop() if len(kinds) == 1 else "Unknown"
    if not geometries:
        geometry_type = "Point"
    pyogrio.raw.write(
        path,
        np.array(shapely.to_wkb(geometries), dtype=object)
        if geometries
        else np.array([], dtype=object),
        [_array(column) for column in columns],
        fields=list(fields),
        layer=name,
        driver="GPKG",
        geometry_type=geometry_type,
        crs=crs,
        append=append,
        encoding="UTF-8",
    )
    return len(geometries)


def _array(values: list) -> np.ndarray:
    """A column as the numpy type GDAL maps to the right field type: integers, reals or text
    (None stays NULL in text; numbers with gaps become reals with NaN, read back as NULL)."""
    plain = [v for v in values if v is not None]
    if plain and all(isinstance(v, bool) for v in plain) and len(plain) == len(values):
        return np.array(values, dtype=np.int32)
    if plain and all(isinstance(v, int) and not isinstance(v, bool) for v in plain):
        if len(plain) == len(values):
            return np.array(values, dtype=np.int64)
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    if plain and all(isinstance(v, float | Decimal) for v in plain):
        return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array([None if v is None else _text(v) for v in values], dtype=object)


def _text(value) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
