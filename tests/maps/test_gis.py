"""Reading planners' GIS files: formats, reprojection, and the refusals with their reasons."""

import io
import zipfile

import pytest
import shapely
from django.core.exceptions import ValidationError

from maps import gis
from tests.maps import plan_files as pf


def refused(path_or_upload) -> str:
    with pytest.raises(ValidationError) as caught:
        gis.read_plan_file(path_or_upload)
    return " ".join(caught.value.message_dict["file"])


def test_geopackage_in_euref89_utm33_is_reprojected_to_wgs84(tmp_path):
    plan = gis.read_plan_file(pf.harstad_tunnel_gpkg(tmp_path))
    assert plan.source_crs == "EPSG:25833"
    route, zone = plan.features
    assert (route.name, route.kind, zone.kind) == ("Tunnel alternative A", "line", "area")
    # The route's middle vertex was Harstad centre, written in UTM metres.
    x, y = route.geometry.coords[1]
    assert x == pytest.approx(pf.HARSTAD[0], abs=1e-6)
    assert y == pytest.approx(pf.HARSTAD[1], abs=1e-6)
    assert zone.geometry.exterior.is_ccw  # RFC 7946 orientation


def test_geopackage_in_etrs89_utm32_denmark(tmp_path):
    plan = gis.read_plan_file(pf.aarhus_gpkg_utm32(tmp_path))
    assert plan.source_crs == "EPSG:25832"
    corners = list(plan.features[0].geometry.exterior.coords)
    # The corner written at Aarhus in UTM metres is back at Aarhus in degrees.
    assert any(
        abs(lon - pf.AARHUS[0]) < 1e-6 and abs(lat - pf.AARHUS[1]) < 1e-6 for lon, lat in corners
    )


def test_kml_points_keep_their_names(tmp_path):
    plan = gis.read_plan_file(pf.entrances_kml(tmp_path))
    assert [(f.name, f.kind) for f in plan.features] == [
        ("North portal", "point"),
        ("South portal", "point"),
    ]
    assert plan.features[0].geometry.x == pytest.approx(pf.HARSTAD[0])


def test_zipped_shapefile_with_prj(tmp_path):
    plan = gis.read_plan_file(pf.shapefile_zip(tmp_path))
    assert plan.source_crs == "EPSG:25832"
    assert plan.features[0].kind == "line"
    assert plan.features[0].geometry.coords[0][0] == pytest.approx(pf.AARHUS[0], abs=1e-6)


def test_shapefile_without_prj_in_metres_is_refused_for_missing_crs(tmp_path):
    message = refused(pf.shapefile_zip(tmp_path, with_prj=False))
    assert "The file has no coordinate system" in message


def test_geojson_without_crs_is_wgs84(tmp_path):
    path = pf.geojson(tmp_path, {"type": "Point", "coordinates": [16.54, 68.79]})
    plan = gis.read_plan_file(path)
    assert plan.source_crs == "EPSG:4326"
    assert plan.features[0].geometry.x == pytest.approx(16.54)


def test_geojson_with_utm_numbers_but_no_crs_is_refused(tmp_path):
    x, y = pf.utm(*pf.HARSTAD, 25833)
    path = pf.geojson(tmp_path, {"type": "Point", "coordinates": [x, y]})
    message = refused(path)
    assert "no coordinate system" in message or "wrong coordinate system" in message


def test_wrong_crs_declared_is_refused(tmp_path):
    x, y = pf.utm(*pf.HARSTAD, 25833)
    path = pf.write(tmp_path / "wrong.gpkg", [shapely.Point(x, y)], crs="EPSG:4326")
    assert "declares the wrong coordinate system" in refused(path)


def test_wrong_projected_crs_puts_features_outside_the_world(tmp_path):
    # Degrees written as if they were metres of UTM 33N land in the sea off Africa, not
    # outside the world; coordinates far too large for the declared system are refused.
    path = pf.write(
        tmp_path / "far.gpkg", [shapely.Point(9e7, 9e7)], crs="EPSG:25833", names=["Far"]
    )
    message = refused(path)
    assert "Feature 1" in message and "coordinate system" in message


def test_self_intersecting_polygon_names_feature_and_reason(tmp_path):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    message = refused(pf.geojson(tmp_path, bow_tie))
    assert "Feature 1 “A” is not a valid shape (Self-intersection" in message


def test_empty_layer_is_refused(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    assert "The file has no features" in refused(path)


def test_feature_without_geometry_is_refused(tmp_path):
    path = tmp_path / "nogeom.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "x"}, "geometry": null}]}'
    )
    assert "Feature 1 “x” has no geometry" in refused(path)


def test_unknown_format_and_damaged_file(tmp_path):
    (tmp_path / "plan.dwg").write_bytes(b"AC1027")
    assert "Choose a GeoJSON" in refused(tmp_path / "plan.dwg")
    (tmp_path / "plan.gpkg").write_bytes(b"not a database at all" * 10)
    assert "could not be read as GPKG" in refused(tmp_path / "plan.gpkg")


def test_over_size_limit_from_settings(tmp_path, settings):
    settings.PLAN_LAYER_MAX_BYTES = 100
    path = pf.geojson(tmp_path, {"type": "Point", "coordinates": [16.54, 68.79]})
    assert "files of at most 100\xa0bytes" in refused(path)


def test_a_real_50_mb_file_is_refused_by_size_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "huge.geojson"
    with path.open("wb") as out:  # sparse: 50 MB on disk costs nothing
        out.truncate(50 * 1024 * 1024)

    def never(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(gis.pyogrio, "list_layers", never)
    message = refused(path)
    assert message == "The file is 50.0\xa0MB; files of at most 20.0\xa0MB can be read."


def test_feature_and_vertex_limits(tmp_path, settings):
    line = {"type": "LineString", "coordinates": [[16 + i / 1000, 68] for i in range(50)]}
    path = pf.geojson(tmp_path, line)
    settings.PLAN_LAYER_MAX_VERTICES = 49
    assert "The file has 50 vertices; at most 49" in refused(path)
    settings.PLAN_LAYER_MAX_FEATURES = 0
    assert "more than 0 features" in refused(path)


def _zip(tmp_path, members: dict) -> object:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    path = tmp_path / "upload.zip"
    path.write_bytes(buffer.getvalue())
    return path


def test_zip_with_path_traversal_is_refused_and_writes_nothing_outside(tmp_path):
    path = _zip(tmp_path, {"../../evil.shp": b"x", "layer.dbf": b"x"})
    assert "outside its folder (../../evil.shp)" in refused(path)
    assert not (tmp_path.parent / "evil.shp").exists()
    path = _zip(tmp_path, {"/etc/passwd.shp": b"x"})
    assert "outside its folder" in refused(path)


def test_zip_must_hold_exactly_one_shapefile(tmp_path):
    assert "exactly one Shapefile (.shp); it holds 0" in refused(_zip(tmp_path, {"a.txt": "x"}))
    two = _zip(tmp_path, {"a.shp": b"x", "b.shp": b"x"})
    assert "it holds 2" in refused(two)


def test_zip_bomb_is_refused_by_unpacked_size(tmp_path, settings):
    settings.PLAN_LAYER_MAX_BYTES = 100_000
    path = _zip(tmp_path, {"a.shp": b"\0" * 1_000_000})  # compresses to about 1 kB
    assert path.stat().st_size < settings.PLAN_LAYER_MAX_BYTES
    assert "Unpacked, the Shapefile is larger than 97.7\xa0KB" in refused(path)


def test_not_a_zip(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"PK but not really")
    assert "not a valid zip archive" in refused(tmp_path / "x.zip")


def test_simplification_keeps_fewer_vertices_when_zoomed_out():
    line = shapely.LineString([(16 + i / 10000, 68 + (i % 2) / 100000) for i in range(1000)])
    levels = gis.simplified_levels([line])
    assert sorted(levels) == list(range(6, 16))
    far = shapely.get_num_coordinates(shapely.from_geojson(levels[8][0]))
    near = shapely.get_num_coordinates(shapely.from_geojson(levels[15][0]))
    assert far < 10 < near
    assert [gis.level_for_zoom(z) for z in (None, 2, 6, 12, 15, 16, 19)] == [
        None,
        6,
        6,
        12,
        15,
        None,
        None,
    ]


def test_tolerance_is_half_a_pixel_and_smaller_in_the_north():
    assert gis.tolerance_for_zoom(0) == pytest.approx(360 / 512)
    assert gis.tolerance_for_zoom(10, 60) == pytest.approx(gis.tolerance_for_zoom(10) / 2)


def test_simplified_polygons_stay_valid_and_small_ones_do_not_vanish():
    circle = shapely.Point(16.5, 68.8).buffer(0.01, quad_segs=500)
    tiny = shapely.box(16.6, 68.8, 16.6001, 68.8001)  # far smaller than a pixel at zoom 6
    shapes = [shapely.from_geojson(text) for text in gis.simplified_geojson([circle, tiny], 6)]
    assert all(shape.is_valid and not shape.is_empty for shape in shapes)
    assert shapely.get_num_coordinates(shapes[0]) < 20


def test_geometry_collection_is_refused_with_its_type(tmp_path):
    collection = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [16.5, 68.8]}],
    }
    assert "Feature 1 “A” is a GeometryCollection" in refused(pf.geojson(tmp_path, collection))


def test_shapefile_zip_without_its_dbf_is_refused_as_unreadable(tmp_path):
    archive = pf.shapefile_zip(tmp_path)
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(stripped, "w") as target:
        for member in source.namelist():
            if not member.endswith((".dbf", ".shx")):
                target.writestr(member, source.read(member))
    message = refused(stripped)
    assert "could not be read" in message
