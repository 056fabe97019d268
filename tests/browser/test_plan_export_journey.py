"""A councillor takes the plan home: the summary shows the plan layers' legend, the GeoPackage
download holds the ideas, every plan layer and the comments' anchors (read back with GDAL, and
with `ogrinfo` where it is installed), and the PDF briefing names the layers in its legend; at
desktop width and at 390 px."""

import shutil
import sqlite3
import subprocess

import pyogrio
import pytest
import shapely
from pypdf import PdfReader

from consultations import services
from consultations.models import PlanFeature
from debate import services as debate_services
from tests import factories
from tests.browser.conftest import login, visit
from tests.maps import plan_files as pf


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def harstad(transactional_db, tmp_path):
    consultation = factories.ConsultationFactory(
        slug="sentrum", title="Harstad sentrum", area=pf.HARSTAD_AREA
    )
    factories.IdeaFactory(
        consultation=consultation, title="Lift at the north portal", latitude=68.80, longitude=16.54
    )
    planner = factories.PlannerFactory()
    services.plan_layer_upload(
        actor=planner,
        consultation=consultation,
        upload=pf.upload(pf.harstad_tunnel_gpkg(tmp_path)),
        data={"name": "Tunnel alternatives", "legend": "Route A and B", "line_width": 6},
    )
    topic = factories.TopicFactory(consultation=consultation, title="The tunnel")
    route = PlanFeature.objects.filter(
        layer__consultation=consultation, kind=PlanFeature.Kind.LINE
    ).first()
    middle = shapely.from_geojson(route.geometry).interpolate(0.5, normalized=True)
    debate_services.comment_create(
        anchor_longitude=middle.x,
        anchor_latitude=middle.y,
        author=factories.UserFactory(),
        target=topic,
        body="The portal is too close to the school.",
        plan_feature=route,
    )
    return consultation


def test_councillor_exports_the_geopackage_and_the_briefing_shows_the_layers(
    page, live_server, harstad, tmp_path
):
    login(page, live_server, factories.CouncillorFactory())
    visit(page, f"/reports/c/{harstad.slug}/", "summary")
    legend = page.locator(".report-plan-legend")
    assert "Tunnel alternatives" in legend.inner_text()
    assert "Route A and B" in legend.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name="Map data (ideas and plan layers) (GeoPackage), Public (anonymised)"
        ).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".gpkg")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    layers = {name for name, _kind in pyogrio.list_layers(path)}
    assert {"ideas", "comment_anchors"} <= layers
    plan_tables = [name for name in layers if name.startswith("plan_")]
    assert len(plan_tables) == 1
    with sqlite3.connect(path) as db:
        titles = {title for (title,) in db.execute('SELECT "title" FROM "ideas"')}
        # The table's name comes from the file itself (gpkg_contents), not from outside.
        (count,) = db.execute(f'SELECT count(*) FROM "{plan_tables[0]}"').fetchone()  # noqa: S608
        (srs,) = db.execute(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (plan_tables[0],)
        ).fetchone()
    assert "Lift at the north portal" in titles
    assert count > 0 and srs == 4326
    if shutil.which("ogrinfo"):
        listing = subprocess.run(
            ["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "Tunnel alternatives" in listing or plan_tables[0] in listing

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Briefing").first.click()
    text = "\n".join(p.extract_text() for p in PdfReader(str(download_info.value.path())).pages)
    assert "Tunnel alternatives" in text and "Route A and B" in text

    page.set_viewport_size({"width": 390, "height": 844})
    visit(page, f"/reports/c/{harstad.slug}/", "summary-390")
    assert page.locator(".report-plan-legend").is_visible()
    # What sticks out, named in the failure, so a regression says where it is.
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 390)
            .map(e => e.tagName + '.' + e.className).slice(0, 10)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
