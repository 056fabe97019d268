"""A map survey's drawn answers in the exports: the GeoPackage (read back with pyogrio and
ogrinfo), GeoJSON, CSV with WKT, the workbook and the archive; names by the export's rules,
hidden answers and comments never in the public variant."""

import csv
import io
import json
import shutil
import subprocess
import zipfile

import pyogrio
import pytest
import shapely
from openpyxl import load_workbook

from consultations import survey
from reports.exports import ExportContext
from reports.formats import FORMATS, build_bytes
from tests import factories
from tests.consultations.survey_helpers import (
    AREA,
    POINT,
    answer,
    question,
    survey_consultation,
)

pytestmark = pytest.mark.django_db

SECRET = "Karen Secretname"


@pytest.fixture
def drawn():
    consultation = survey_consultation(language="en")
    point, line, area = (question(consultation, kind) for kind in ("point", "line", "area"))
    named = factories.UserFactory(display_name=SECRET, show_name_publicly=True)
    answer(point, author=named, geometry=POINT, comment="Crossing here")
    answer(line, author=named, comment="My way")
    answer(area, geometry=AREA)
    hidden = answer(area, geometry=AREA, comment="Hidden rant")
    survey.drawn_answer_set_hidden(
        actor=factories.PlannerFactory(), answer=hidden, hidden=True, reason="offensive"
    )
    return consultation


def _bytes(consultation, name, variant="public"):
    return build_bytes(ExportContext(consultation=consultation, variant=variant), name)


def test_geopackage_holds_every_public_drawing_in_one_table(drawn, tmp_path):
    path = tmp_path / "map.gpkg"
    path.write_bytes(_bytes(drawn, "map.gpkg"))
    layers = dict(pyogrio.list_layers(path))
    assert layers["drawn_answers"] == "Unknown"
    info = pyogrio.read_info(path, layer="drawn_answers")
    assert info["features"] == 3 and info["crs"] == "EPSG:4326"
    assert {"question", "kind", "author"} <= set(info["fields"]) and "comment" not in info["fields"]
    frame = pyogrio.raw.read(path, layer="drawn_answers")
    kinds = sorted(shape.geom_type for shape in shapely.from_wkb(frame[2]))
    assert kinds == ["LineString", "Point", "Polygon"]
    content = path.read_bytes()
    assert SECRET.encode() not in content and b"Hidden rant" not in content


def test_full_geopackage_has_names_comments_and_hidden_answers(drawn, tmp_path):
    path = tmp_path / "map.gpkg"
    path.write_bytes(_bytes(drawn, "map.gpkg", "full"))
    info = pyogrio.read_info(path, layer="drawn_answers")
    assert info["features"] == 4 and {"comment", "hidden"} <= set(info["fields"])
    assert SECRET.encode() in path.read_bytes()


@pytest.mark.skipif(not shutil.which("ogrinfo"), reason="GDAL's ogrinfo is not installed")
def test_ogrinfo_reads_the_drawn_answers(drawn, tmp_path):
    path = tmp_path / "map.gpkg"
    path.write_bytes(_bytes(drawn, "map.gpkg"))
    answer = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
    )
    assert "Layer name: drawn_answers" in answer.stdout and "Feature Count: 3" in answer.stdout


def test_geojson_and_csv_with_wkt(drawn):
    collection = json.loads(_bytes(drawn, "drawn-answers.geojson"))
    assert sorted(f["geometry"]["type"] for f in collection["features"]) == [
        "LineString",
        "Point",
        "Polygon",
    ]
    assert all("comment" not in f["properties"] for f in collection["features"])
    text = _bytes(drawn, "drawn-answers.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert {row["geometry_wkt"].split(" ")[0] for row in rows} == {"POINT", "LINESTRING", "POLYGON"}
    assert json.loads(rows[0]["geometry_geojson"])["type"]
    assert {row["author"] for row in rows} <= {"Participant 1", "Participant 2"}
    assert SECRET not in text and "Hidden rant" not in text and "Crossing here" not in text


def test_workbook_and_archive_hold_the_drawn_answers(drawn):
    workbook = load_workbook(io.BytesIO(_bytes(drawn, "data.xlsx", "full")), read_only=True)
    assert "Drawn answers" in workbook.sheetnames
    with zipfile.ZipFile(io.BytesIO(_bytes(drawn, "archive.zip", "full"))) as archive:
        features = json.loads(archive.read("data/drawn-answers.geojson"))["features"]
        names = archive.namelist()
    assert len(features) == 4 and "data/drawn_answers.csv" in names


def test_drawn_answer_files_are_offered_for_map_surveys_only(drawn):
    ideas = factories.ConsultationFactory()
    assert FORMATS["drawn-answers.csv"].offered_for(drawn)
    assert not FORMATS["drawn-answers.csv"].offered_for(ideas)
    workbook = load_workbook(io.BytesIO(_bytes(ideas, "data.xlsx")), read_only=True)
    assert "Drawn answers" not in workbook.sheetnames


def test_static_map_and_briefing_draw_the_answers_with_a_legend(drawn, client):
    from django.urls import reverse
    from docx import Document
    from pypdf import PdfReader

    from consultations.survey_selectors import QUESTION_COLOURS
    from reports.documents import render_docx, render_pdf

    svg = client.get(reverse("maps:static-svg", args=[drawn.slug])).content.decode()
    line_colour = QUESTION_COLOURS[1]  # the second question draws lines
    assert f'stroke="{line_colour}"' in svg and SECRET not in svg
    assert client.get(reverse("maps:static-png", args=[drawn.slug])).status_code == 200
    pdf = render_pdf(drawn, include_hidden_counts=False)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Drawn answers on the map" in text and "Draw a line – 1 answer" in text
    assert "Draw a area – 1 answer" in text  # the hidden area is not counted
    document = Document(io.BytesIO(render_docx(drawn, include_hidden_counts=False)))
    assert f"Draw a line ({line_colour}): 1 answer" in [p.text for p in document.paragraphs]
    client.force_login(factories.CouncillorFactory())
    page = client.get(f"/reports/c/{drawn.slug}/").content.decode()
    assert "Drawn answers on the map" in page and f'stroke="{line_colour}"' in page
