"""The stand-in map service answers as a WMS does, and fails as a service under maintenance."""

import io
import urllib.error
import urllib.request

import pytest
from PIL import Image

from devsite.fakes.wms import FakeWMS


@pytest.fixture
def wms():
    with FakeWMS() as fake:
        yield fake


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local fake)
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


GETMAP = (
    "/wms?service=WMS&request=GetMap&version=1.1.1&layers=reguleringsplan&styles="
    "&format=image%2Fpng&transparent=true&srs=EPSG%3A3857&width=256&height=256"
    "&bbox=1838000,11000000,1840000,11002000"
)


def test_getmap_answers_a_png_of_the_asked_size(wms):
    status, content_type, body = get(wms.base_url + GETMAP)
    assert (status, content_type) == (200, "image/png")
    assert Image.open(io.BytesIO(body)).size == (256, 256)
    assert wms.requests[-1]["LAYERS"] == "reguleringsplan"


def test_unknown_layer_and_missing_parameters_are_service_exceptions(wms):
    status, _type, body = get(wms.base_url + GETMAP.replace("reguleringsplan", "nope"))
    assert status == 400 and b'code="LayerNotDefined"' in body
    status, _type, body = get(wms.base_url + "/wms?service=WMS&request=GetMap")
    assert b"MissingParameterValue" in body


def test_capabilities_name_the_layers(wms):
    status, _type, body = get(wms.base_url + "/wms?SERVICE=WMS&REQUEST=GetCapabilities")
    assert status == 200 and b"<Name>reguleringsplan</Name>" in body


def test_down_answers_503(wms):
    wms.down = True
    assert get(wms.base_url + GETMAP)[0] == 503
