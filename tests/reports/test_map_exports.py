"""The consultation's map as a GeoPackage (ideas and plan layers) and plan layers in GeoJSON,
read back with pyogrio and, where GDAL's command-line tools are installed, with ogrinfo."""

import io
import json
import shutil
import subprocess
import zipfile

import pyogrio
import pytest

from consultations import services
from reports.exports import ExportContext
from reports.formats import build_bytes
from tests.maps import plan_files as pf

from .conftest import HIDDEN_NAME


@pytest.fixture
def with_plan(report_data, planner, tmp_path):
    consultation = report_data.consultation
    consultation.planners.add(planner)
    for path, name in (
        (pf.harstad_tunnel_gpkg(tmp_path), "Tunnel alternatives"),
        (pf.entrances_kml(tmp_path), "Portals"),
    ):
        services.plan_layer_upload(
            actor=planner,
            consultation=consultation,
            upload=pf.upload(path),
            data={"name": name, "legend": "Route A"},
        )
    return report_data


def gpkg_file(data, tmp_path, variant="public"):
    path = tmp_path / "map.gpkg"
    ctx = ExportContext(consultation=data.consultation, variant=variant)
    path.write_bytes(build_bytes(ctx, "map.gpkg"))
    return path


def test_geopackage_has_ideas_and_one_table_per_plan_layer(with_plan, tmp_path):
    path = gpkg_file(with_plan, tmp_path)
    layers = dict(pyogrio.list_layers(path))
    assert layers == {
        "ideas": "Point",
        "plan_tunnel_alternatives": "Unknown",
        "plan_portals": "Point",
    }
    info = pyogrio.read_info(path, layer="ideas")
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == with_plan.expected["ideas"]
    assert {"title", "status", "supports", "category"} <= set(info["fields"])
    assert not {"email", "author_email"} & set(info["fields"])
    _meta, _fids, _geometry, fields = pyogrio.raw.read(path, layer="plan_tunnel_alternatives")
    names = list(pyogrio.read_info(path, layer="plan_tunnel_alternatives")["fields"])
    assert list(fields[names.index("name")]) == ["Tunnel alternative A", "Zoning area"]
    west, south, east, north = pyogrio.read_info(path, layer="plan_portals")["total_bounds"]
    assert abs(west - pf.HARSTAD[0]) < 1e-6 and abs(north - pf.HARSTAD[1]) < 1e-6


def test_geopackage_without_plan_layers_and_no_hidden_names(report_data, tmp_path):
    path = gpkg_file(report_data, tmp_path)
    assert [name for name, _kind in pyogrio.list_layers(path)] == ["ideas"]
    assert HIDDEN_NAME.encode() not in path.read_bytes()


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL's ogrinfo is not installed")
def test_ogrinfo_reads_the_geopackage(with_plan, tmp_path):
    path = gpkg_file(with_plan, tmp_path)
    answer = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    )
    assert "Layer name: ideas" in answer.stdout and "plan_portals" in answer.stdout


def test_archive_holds_the_geopackage_and_plan_layers_geojson(with_plan, tmp_path):
    ctx = ExportContext(consultation=with_plan.consultation, variant="full")
    with zipfile.ZipFile(io.BytesIO(build_bytes(ctx, "archive.zip"))) as archive:
        (tmp_path / "from-archive.gpkg").write_bytes(archive.read("data/map.gpkg"))
        plan = json.loads(archive.read("data/plan-layers.geojson"))
    assert len(pyogrio.list_layers(tmp_path / "from-archive.gpkg")) == 3
    assert [f["properties"]["name"] for f in plan["features"]] == [
        "Tunnel alternative A",
        "Zoning area",
        "North portal",
        "South portal",
    ]
    assert plan["features"][0]["geometry"]["type"] == "LineString"
    assert plan["features"][0]["properties"]["stroke"] == "#b3261e"


def test_briefing_draws_the_plan_layers_with_a_legend(with_plan, councillor, client):
    from docx import Document
    from pypdf import PdfReader

    from reports.documents import render_docx, render_pdf

    consultation = with_plan.consultation
    pdf = render_pdf(consultation, include_hidden_counts=False)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Plan layers on the map" in text and "Tunnel alternatives – Route A" in text
    document = Document(io.BytesIO(render_docx(consultation, include_hidden_counts=False)))
    assert "Portals (#b3261e): Route A" in [p.text for p in document.paragraphs]
    client.force_login(councillor)
    page = client.get(f"/reports/c/{consultation.slug}/").content.decode()
    assert 'stroke="#b3261e"' in page  # the route drawn on the summary's map
    assert "report-plan-legend" in page and "Tunnel alternatives" in page
