"""GIS files built in code for the plan layer tests: GeoPackage in UTM, KML, zipped Shapefile."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from pyproj import Transformer

# Harstad centre in EUREF89 UTM 33N (EPSG:25833) and Aarhus in ETRS89 UTM 32N (EPSG:25832).
HARSTAD = (16.5417, 68.7983)
AARHUS = (10.2039, 56.1629)


def utm(lon, lat, epsg):
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True).transform(lon, lat)


def write(path: Path, geometries, *, crs: str | None, names=None, driver=None) -> Path:
    """Write shapely geometries (in the file's own coordinates) with a `name` field."""
    names = names or [f"Feature {i + 1}" for i in range(len(geometries))]
    pyogrio.raw.write(
        str(path),
        np.array(shapely.to_wkb(geometries), dtype=object),
        [np.array(names, dtype=object)],
        fields=["name"],
        geometry_type=_type(geometries),
        crs=crs,
        driver=driver,
    )
    return path


def _type(geometries) -> str:
    kinds = {g.geom_type for g in geometries}
    return kinds.pop() if len(kinds) == 1 else "Unknown"


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def harstad_tunnel_gpkg(folder: Path) -> Path:
    """A tunnel route and an area near Harstad, in UTM 33N."""
    x, y = utm(*HARSTAD, 25833)
    route = shapely.LineString([(x - 800, y - 300), (x, y), (x + 900, y + 200)])
    zone = shapely.Polygon([(x, y), (x + 400, y), (x + 400, y + 300), (x, y + 300)])
    return write(
        folder / "tunnel.gpkg",
        [route, zone],
        crs="EPSG:25833",
        names=["Tunnel alternative A", "Zoning area"],
    )


def aarhus_gpkg_utm32(folder: Path) -> Path:
    x, y = utm(*AARHUS, 25832)
    return write(
        folder / "aarhus.gpkg",
        [shapely.Polygon([(x, y), (x + 200, y), (x + 200, y + 100), (x, y + 100)])],
        crs="EPSG:25832",
        names=["Lokalplan 1100"],
    )


def entrances_kml(folder: Path) -> Path:
    lon, lat = HARSTAD
    path = folder / "entrances.kml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>Portals</name>
<Placemark><name>North portal</name><Point><coordinates>{lon:f},{lat:f},0</coordinates></Point>
</Placemark><Placemark><name>South portal</name><Point>
<coordinates>{lon + 0.01:f},{lat - 0.005:f},0</coordinates></Point></Placemark>
</Folder></Document></kml>"""
    )
    return path


def geojson(folder: Path, geometry: dict, name="layer.geojson", crs=None) -> Path:
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "A"}, "geometry": geometry}],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path = folder / name
    path.write_text(json.dumps(collection))
    return path


def shapefile_zip(folder: Path, *, with_prj=True, extra: dict | None = None) -> Path:
    x, y = utm(*AARHUS, 25832)
    shp = folder / "shp" / "roads.shp"
    shp.parent.mkdir()
    write(shp, [shapely.LineString([(x, y), (x + 300, y + 50)])], crs="EPSG:25832")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in shp.parent.iterdir():
            if part.suffix == ".prj" and not with_prj:
                continue
            archive.write(part, f"roads/{part.name}")
        for member, content in (extra or {}).items():
            archive.writestr(member, content)
    path = folder / "roads.zip"
    path.write_bytes(buffer.getvalue())
    return path


# The consultation area the Harstad journeys use: the tunnel files lie inside it.
HARSTAD_AREA = {
    "type": "Polygon",
    "coordinates": [
        [[16.50, 68.78], [16.59, 68.78], [16.59, 68.815], [16.50, 68.815], [16.50, 68.78]]
    ],
}
