import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from consultations.models import Consultation
from maps.static_map import Pin, clamp_size, render_svg
from tests.factories import CHRISTIANSHOLM_AREA, CategoryFactory, ConsultationFactory, IdeaFactory

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text):
    """Parse our own output; it never holds a DOCTYPE, so no entity tricks are possible."""
    assert b"<!DOCTYPE" not in (text if isinstance(text, bytes) else text.encode())
    return ET.fromstring(text)  # noqa: S314


def test_svg_draws_the_area_and_every_pin_inside_the_picture():
    pins = [Pin(12.5930, 55.6785, "#ff0000"), Pin(12.5990, 55.6810, "not-a-colour")]
    root = parse_svg(render_svg(CHRISTIANSHOLM_AREA, pins, size=(600, 400), title="A & <b>"))
    assert root.tag == f"{SVG}svg" and root.get("width") == "600" and root.get("height") == "400"
    assert root.find(f"{SVG}title").text == "A & <b>"
    assert len(root.findall(f".//{SVG}path")) == 1
    circles = root.findall(f".//{SVG}circle")
    assert [c.get("fill") for c in circles] == ["#ff0000", "#4a5568"]
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= 600 and 0 <= float(circle.get("cy")) <= 400
    # North is up: the northern pin is drawn higher.
    assert float(circles[1].get("cy")) < float(circles[0].get("cy"))


def test_svg_keeps_the_shape_true_with_cos_latitude():
    root = parse_svg(render_svg(CHRISTIANSHOLM_AREA, [], size=(1000, 1000)))
    numbers = [
        float(v)
        for token in root.find(f".//{SVG}path")
        .get("d")
        .replace("M", " ")
        .replace("L", " ")
        .replace("Z", " ")
        .split()
        for v in token.split(",")
    ]
    xs, ys = numbers[0::2], numbers[1::2]
    ratio = (max(xs) - min(xs)) / (max(ys) - min(ys))
    # 0.007 deg of longitude * cos(55.68) against 0.0035 deg of latitude.
    assert ratio == pytest.approx(0.007 * 0.5636 / 0.0035, rel=0.01)


def test_svg_without_area_frames_the_pins():
    root = parse_svg(render_svg(None, [Pin(10, 50), Pin(11, 51)], size=(300, 300)))
    assert len(root.findall(f".//{SVG}circle")) == 2
    empty = parse_svg(render_svg(None, [], size=(300, 300)))
    assert empty.findall(f".//{SVG}circle") == []


@pytest.mark.parametrize(
    "width, height, expected",
    [(800, 600, (800, 600)), ("x", 600, (1200, 630)), (10, 99999, (64, 4000))],
)
def test_sizes_are_clamped(width, height, expected):
    assert clamp_size(width, height) == expected


@pytest.mark.django_db
def test_static_svg_endpoint(client, consultation, django_assert_max_num_queries):
    category = CategoryFactory(consultation=consultation, colour="#aa3300")
    IdeaFactory(consultation=consultation, category=category)
    IdeaFactory(consultation=consultation, is_hidden=True)
    with django_assert_max_num_queries(3):  # consultation, pins, plan shapes
        response = client.get(f"/maps/c/{consultation.slug}/static.svg?width=800&height=420")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = parse_svg(response.content)
    assert root.get("width") == "800"
    assert [c.get("fill") for c in root.findall(f".//{SVG}circle")] == ["#aa3300"]


@pytest.mark.django_db
def test_static_png_endpoint(client, consultation):
    IdeaFactory(consultation=consultation)
    response = client.get(f"/maps/c/{consultation.slug}/static.png?width=400&height=300")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (400, 300)
    assert image.getpixel((200, 150)) != image.getpixel((1, 1))  # the area is filled


@pytest.mark.django_db
def test_static_map_of_a_draft_is_not_found(client):
    draft = ConsultationFactory(status=Consultation.Status.DRAFT)
    assert client.get(f"/maps/c/{draft.slug}/static.svg").status_code == 404
    assert client.get(f"/maps/c/{draft.slug}/static.png").status_code == 404


def test_plan_shapes_are_drawn_in_svg_and_png():
    import io

    from PIL import Image

    from maps.static_map import PlanShape, render_png, render_svg

    area = {
        "type": "Polygon",
        "coordinates": [
            [[16.50, 68.78], [16.59, 68.78], [16.59, 68.82], [16.50, 68.82], [16.50, 68.78]]
        ],
    }
    route = PlanShape(
        geometry={"type": "LineString", "coordinates": [[16.51, 68.79], [16.58, 68.81]]},
        colour="#8b1a1a",
        width=5,
        dash="15 10",
    )
    portal = PlanShape(geometry={"type": "Point", "coordinates": [16.51, 68.79]}, colour="#1a4f8b")
    svg = render_svg(area, [], size=(400, 300), shapes=[route, portal])
    assert 'stroke="#8b1a1a" stroke-width="5" stroke-dasharray="15 10"' in svg
    assert "<circle" in svg and 'stroke="#1a4f8b"' in svg
    picture = Image.open(io.BytesIO(render_png(area, [], size=(400, 300), shapes=[route])))
    colours = {colour for _count, colour in picture.getcolors(100_000)}
    assert (0x8B, 0x1A, 0x1A) in colours


@pytest.mark.django_db
def test_static_svg_endpoint_draws_the_plan_layers(
    client, consultation, planner, tmp_path, django_assert_max_num_queries
):
    from consultations import services
    from tests.maps import plan_files

    consultation.planners.add(planner)
    for name in ("Tunnel", "Tunnel again"):
        services.plan_layer_upload(
            actor=planner,
            consultation=consultation,
            upload=plan_files.upload(plan_files.harstad_tunnel_gpkg(tmp_path)),
            data={"name": name, "colour": "#8b1a1a", "dash": "dashed"},
        )
    with django_assert_max_num_queries(3):
        response = client.get(f"/maps/c/{consultation.slug}/static.svg")
    paths = parse_svg(response.content).findall(f".//{SVG}path")
    dashed = [p for p in paths if p.get("stroke") == "#8b1a1a"]
    assert len(dashed) == 4 and dashed[0].get("stroke-dasharray") == "9 6"
