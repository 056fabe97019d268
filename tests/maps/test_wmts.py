"""WMTS capabilities read over real HTTP from the stand-in service, and parsed as hostile input:
what the map can draw, what it cannot and why, and every way the answer can be wrong."""

import io

import httpx
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from devsite.fakes.wmts import FakeWMTS, exception_report
from maps import wmts

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakeWMTS() as server:
        yield server


def url_error(address):
    with pytest.raises(ValidationError) as caught:
        wmts.read_capabilities(address)
    return caught.value.message_dict["url"][0]


def resolve(source, zoom, row, col):
    return (
        source.url.replace("{TileMatrix}", source.matrices[str(zoom)])
        .replace("{TileRow}", str(row))
        .replace("{TileCol}", str(col))
    )


@pytest.mark.parametrize("restful", [False, True])
def test_capabilities_give_a_template_that_resolves_to_a_real_tile(fake, restful):
    address = fake.rest_capabilities_url if restful else fake.kvp_capabilities_url
    capabilities = wmts.read_capabilities(address)
    assert list(capabilities.layers) == ["reguleringsplan", "kommuneplan"]
    assert capabilities.layers["reguleringsplan"].title == "Reguleringsplan & planforslag"
    assert capabilities.provider == "Stand-in kartverk"
    source = wmts.tile_source(
        capabilities,
        layer="kommuneplan",
        style="",
        image_format="image/png",
        matrix_set="GoogleMapsCompatible",
    )
    # The identifiers are the service's own, not the zoom numbers.
    assert source.matrices["0"] == "EPSG:3857:0" and source.matrices["18"] == "EPSG:3857:18"
    assert source.style == "default" and source.bounds == [4.0, 57.9, 31.2, 71.2]
    if restful:
        assert "/kommuneplan/default/GoogleMapsCompatible/{TileMatrix}/" in source.url
    else:
        assert "REQUEST=GetTile" in source.url and "TILEMATRIX={TileMatrix}" in source.url
    # Harstad at zoom 12: the tile the map asks for answers a 256 px PNG.
    reply = httpx.get(resolve(source, 12, 470, 2235))
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(reply.content)).size == (256, 256)
    assert fake.requests[-1]["path"].startswith("/wmts")


def test_a_utm_matrix_set_is_refused_with_its_reason(fake):
    capabilities = wmts.read_capabilities(fake.kvp_capabilities_url)
    utm = capabilities.matrix_sets["utm33n"]
    assert not utm.usable and "EPSG:25833" in wmts.unusable_reason(utm)
    with pytest.raises(ValidationError) as caught:
        wmts.tile_source(
            capabilities,
            layer="kommuneplan",
            style="default",
            image_format="image/png",
            matrix_set="utm33n",
        )
    message = caught.value.message_dict["tile_matrix_set"][0]
    assert "utm33n cannot be drawn" in message and "EPSG:25833" in message


def test_wrong_style_and_format_name_their_fields(fake):
    capabilities = wmts.read_capabilities(fake.kvp_capabilities_url)
    with pytest.raises(ValidationError) as caught:
        wmts.tile_source(
            capabilities,
            layer="kommuneplan",
            style="night",
            image_format="image/tiff",
            matrix_set="GoogleMapsCompatible",
        )
    assert set(caught.value.message_dict) == {"style", "image_format"}
    with pytest.raises(ValidationError) as caught:
        wmts.tile_source(
            capabilities, layer="nope", style="", image_format="image/png", matrix_set="x"
        )
    assert "layer" in caught.value.message_dict


def test_tile_requests_out_of_range_answer_an_ows_exception(fake):
    reply = httpx.get(fake.base_url + "/wmts/1.0.0/kommuneplan/default/utm33n/3/99/0.png")
    assert reply.status_code == 400 and b'exceptionCode="TileOutOfRange"' in reply.content


def test_unreachable_service(fake):
    address = fake.kvp_capabilities_url
    fake.stop()
    assert "did not answer" in url_error(address)


def test_down_service(fake):
    fake.down = True
    assert "HTTP status 503" in url_error(fake.kvp_capabilities_url)


def test_not_xml(fake):
    fake.capabilities_answer = (200, "text/html", b"<html><body>Maintenance</body></html>")
    assert "not a WMTS 1.0.0 capabilities" in url_error(fake.kvp_capabilities_url)
    fake.capabilities_answer = (200, "text/plain", b"Service moved")
    assert "did not answer with an XML" in url_error(fake.kvp_capabilities_url)


def test_an_ows_exception_report_is_shown(fake):
    fake.capabilities_answer = (
        400,
        "application/xml",
        exception_report("InvalidParameterValue", "service"),
    )
    message = url_error(fake.kvp_capabilities_url)
    assert "reported an error: InvalidParameterValue" in message


def test_too_large(fake, settings):
    settings.MAP_SERVICE_CAPABILITIES_MAX_BYTES = 4000
    assert "larger than" in url_error(fake.kvp_capabilities_url)


def test_redirect_to_another_host_is_not_followed(fake):
    fake.redirect_to = "https://elsewhere.example/wmts.xml"
    assert "another host (elsewhere.example)" in url_error(fake.kvp_capabilities_url)


def test_http_outside_the_allowed_hosts(settings):
    assert "must start with https://" in url_error("http://wmts.example.org/wmts")
    settings.DEBUG, settings.TESTING = False, False
    assert "must start with https://" in url_error("http://127.0.0.1:9/wmts")


def test_private_network_addresses_are_refused(settings):
    settings.MAP_SERVICE_HTTP_HOSTS = []
    assert "private network" in url_error("https://10.0.0.8/wmts")
    settings.DEBUG, settings.TESTING = False, False
    assert "private network" in url_error("https://127.0.0.1:9/wmts")
    assert "private network" in url_error("https://localhost:9/wmts")


CAPS = """<?xml version="1.0"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1"
  version="1.0.0"><Contents>{layers}
<TileMatrixSet><ows:Identifier>g</ows:Identifier>
<ows:SupportedCRS>EPSG:900913</ows:SupportedCRS>
<TileMatrix><ows:Identifier>z5</ows:Identifier><ScaleDenominator>17471320.75089743</ScaleDenominator>
<TopLeftCorner>-20037508.34 20037508.34</TopLeftCorner><TileWidth>256</TileWidth>
<TileHeight>256</TileHeight><MatrixWidth>32</MatrixWidth><MatrixHeight>32</MatrixHeight>
</TileMatrix></TileMatrixSet>
<TileMatrixSet><ows:Identifier>shifted</ows:Identifier>
<ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>
<TileMatrix><ows:Identifier>0</ows:Identifier><ScaleDenominator>500000000</ScaleDenominator>
<TopLeftCorner>-20037508.34 20037508.34</TopLeftCorner><TileWidth>256</TileWidth>
<TileHeight>256</TileHeight><MatrixWidth>1</MatrixWidth><MatrixHeight>1</MatrixHeight>
</TileMatrix></TileMatrixSet></Contents></Capabilities>"""
LAYER = """<Layer><ows:Title>&lt;script&gt;alert(1)&lt;/script&gt;</ows:Title>
<ows:Identifier>plan</ows:Identifier><Style isDefault="true"><ows:Identifier>s</ows:Identifier>
</Style><Format>image/png</Format>
<TileMatrixSetLink><TileMatrixSet>g</TileMatrixSet></TileMatrixSetLink>
<TileMatrixSetLink><TileMatrixSet>shifted</TileMatrixSet></TileMatrixSetLink>
<ResourceURL format="image/png" resourceType="tile" template="{template}"/></Layer>"""


def parse(template="https://tiles.example.org/{TileMatrix}/{TileRow}/{TileCol}.png"):
    body = CAPS.format(layers=LAYER.replace("{template}", template))
    return wmts.parse_capabilities(body.encode(), "https://caps.example.org/wmts.xml")


def choose(capabilities, matrix_set="g"):
    return wmts.tile_source(
        capabilities, layer="plan", style="", image_format="image/png", matrix_set=matrix_set
    )


def test_a_900913_set_with_a_single_level_maps_that_zoom():
    capabilities = parse()
    assert capabilities.matrix_sets["g"].zooms == {5: "z5"}
    assert capabilities.matrix_sets["shifted"].problem == wmts.NOT_THE_PYRAMID
    assert choose(capabilities).matrices == {"5": "z5"}
    # The title stays text; the templates escape it.
    assert capabilities.layers["plan"].title == "<script>alert(1)</script>"
    with pytest.raises(ValidationError) as caught:
        choose(capabilities, "shifted")
    assert "standard tile pyramid" in caught.value.message_dict["tile_matrix_set"][0]


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("javascript:alert(1)//{TileMatrix}/{TileRow}/{TileCol}", "https://"),
        ("http://tiles.example.org/{TileMatrix}/{TileRow}/{TileCol}.png", "https://"),
        ("https://u:p@tiles.example.org/{TileMatrix}/{TileRow}/{TileCol}.png", "password"),
        ("https://tiles.example.org/{TileMatrix}/{TileRow}.png", "{TileCol}"),
        ("https://tiles.example.org/{Time}/{TileMatrix}/{TileRow}/{TileCol}.png", "Time"),
    ],
)
def test_resource_urls_are_checked_before_they_are_stored(template, reason):
    with pytest.raises(ValidationError) as caught:
        choose(parse(template))
    assert reason in " ".join(caught.value.messages)


def test_entities_and_doctypes_are_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Capabilities>&b;</Capabilities>"""
    with pytest.raises(ValidationError) as caught:
        wmts.parse_capabilities(bomb, "https://caps.example.org/")
    assert "did not answer with an XML" in caught.value.messages[0]
    external = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
    <Capabilities>&e;</Capabilities>"""
    with pytest.raises(ValidationError):
        wmts.parse_capabilities(external, "https://caps.example.org/")


def test_capabilities_without_layers():
    body = CAPS.format(layers="").encode()
    with pytest.raises(ValidationError) as caught:
        wmts.parse_capabilities(body, "https://caps.example.org/")
    assert "no layer" in caught.value.messages[0]


def test_a_kvp_address_keeps_its_own_parameters_but_not_the_operations():
    body = CAPS.format(
        layers=LAYER.replace(
            '<ResourceURL format="image/png" resourceType="tile" template="{template}"/>', ""
        )
    )
    body = body.replace(
        "<Contents>",
        '<ows:OperationsMetadata xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<ows:Operation name="GetTile"><ows:DCP><ows:HTTP><ows:Get '
        'xlink:href="https://tiles.example.org/wmts?token=abc&amp;request=GetCapabilities">'
        "</ows:Get></ows:HTTP></ows:DCP></ows:Operation></ows:OperationsMetadata><Contents>",
    )
    source = choose(wmts.parse_capabilities(body.encode(), "https://caps.example.org/wmts"))
    assert source.url.startswith("https://tiles.example.org/wmts?token=abc&SERVICE=WMTS&")
    assert "GetCapabilities" not in source.url and "REQUEST=GetTile" in source.url
    assert source.url.endswith("TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}")


def test_a_restful_service_without_a_tile_address_for_the_format():
    capabilities = parse()
    capabilities.layers["plan"].formats.append("image/jpeg")
    with pytest.raises(ValidationError) as caught:
        wmts.tile_source(
            capabilities, layer="plan", style="", image_format="image/jpeg", matrix_set="g"
        )
    assert "image/png" in caught.value.message_dict["image_format"][0]


def test_a_document_without_a_length_is_cut_at_the_cap():
    def endless(request):
        return httpx.Response(200, stream=httpx.ByteStream(b"<a>" + b"x" * 50_000))

    with (
        httpx.Client(transport=httpx.MockTransport(endless)) as client,
        client.stream("GET", "https://caps.example.org/") as reply,
    ):
        assert "Content-Length" not in reply.headers
        with pytest.raises(ValidationError) as caught:
            wmts._read_capped(reply, 1000)
    assert "larger than" in caught.value.message_dict["url"][0]
