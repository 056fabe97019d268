"""Comments on the plan in the exports: the feature and point in the comment sheet, and a table
of comment anchors (points, no text, no author) in the GeoPackage."""

import csv
import io
import json

import pyogrio
import pytest

from consultations.models import PlanFeature, PlanLayer
from debate.models import Comment
from reports.exports import ExportContext
from reports.formats import build_bytes
from tests.debate.factories import CommentFactory
from tests.factories import TopicFactory

ROUTE = {"type": "LineString", "coordinates": [[16.50, 68.80], [16.60, 68.80]]}


@pytest.fixture
def anchored(consultation):
    topic = TopicFactory(consultation=consultation)
    layer = PlanLayer.objects.create(consultation=consultation, name="Tunnel routes")
    route = PlanFeature.objects.create(
        layer=layer, number=1, name="Route A", kind="line", geometry=json.dumps(ROUTE)
    )
    shown = CommentFactory(
        topic=topic,
        body="Public point",
        stance="against",
        plan_feature=route,
        anchor_longitude=16.55,
        anchor_latitude=68.8,
        anchor_fraction=0.5,
    )
    CommentFactory(
        topic=topic,
        body="Hidden point",
        plan_feature=route,
        anchor_longitude=16.56,
        anchor_latitude=68.8,
        anchor_fraction=0.6,
        is_hidden=True,
    )
    CommentFactory(topic=topic, body="Not on the plan")
    return consultation, route, shown


def test_comment_sheet_names_the_feature_and_point(anchored):
    consultation, route, shown = anchored
    ctx = ExportContext(consultation=consultation, variant="public")
    text = build_bytes(ctx, "comments.csv").decode("utf-8-sig")
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text))}
    row = rows[shown.pk]
    assert row["plan_feature_id"] == str(route.pk)
    assert row["plan_feature"] == "Tunnel routes — Route A"
    assert float(row["anchor_longitude"]) == 16.55 and float(row["anchor_fraction"]) == 0.5
    plain = next(r for r in rows.values() if r["body"] == "Not on the plan")
    assert plain["plan_feature"] == "" and plain["anchor_longitude"] == ""


def test_geopackage_has_the_public_comment_anchors_without_text_or_names(anchored, tmp_path):
    consultation, route, shown = anchored
    path = tmp_path / "map.gpkg"
    ctx = ExportContext(consultation=consultation, variant="public")
    path.write_bytes(build_bytes(ctx, "map.gpkg"))
    assert dict(pyogrio.list_layers(path))["comment_anchors"] == "Point"
    info = pyogrio.read_info(path, layer="comment_anchors")
    assert info["features"] == 1
    assert list(info["fields"]) == [
        "comment_id",
        "plan_feature_id",
        "fraction",
        "stance",
        "created_at",
    ]
    data = path.read_bytes()
    assert b"Public point" not in data and shown.author.public_name.encode() not in data
    assert Comment.objects.count() == 3
