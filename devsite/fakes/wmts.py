"""A stand-in for an OGC WMTS 1.0.0 service, for tests and the demo.

Two capabilities documents describe the same layers: the key-value one
(`/wmts?SERVICE=WMTS&REQUEST=GetCapabilities`, tiles by GetTile) and the RESTful one
(`/wmts/1.0.0/WMTSCapabilities.xml`, tiles by a ResourceURL template). Each layer has two
tile matrix sets: "GoogleMapsCompatible" in Web Mercator, whose matrices are named
"EPSG:3857:0" … "EPSG:3857:18" as GeoWebCache names them, and "utm33n" in EUREF89 UTM 33N
(EPSG:25833), as Norwegian services offer. GetTile answers a 256 px PNG (the picture the
stand-in WMS draws), or an OWS ExceptionReport for a wrong layer, matrix or tile.

Tests steer it: `fake.down = True` answers 503 to everything; `fake.capabilities_answer =
(status, content_type, body)` replaces both capabilities documents; `fake.redirect_to = url`
sends every capabilities request there with a 302.

    with FakeWMTS() as fake:
        fake.kvp_capabilities_url, fake.rest_capabilities_url
"""

from __future__ import annotations

from urllib.parse import unquote
from xml.sax.saxutils import escape, quoteattr

from devsite.fakes.map_server import FakeMapServer, hatched_png
from devsite.fakes.wms import LAYERS

REST_ROOT = "/wmts/1.0.0"
WEB_MERCATOR = "GoogleMapsCompatible"
UTM = "utm33n"
MAX_ZOOM = 18
ZOOM0_SCALE = 559082264.0287178
CORNER = 20037508.3427892
# Kartverket's UTM 33N pyramid: 21,664 m a pixel at level 0, halved at each level.
UTM_ZOOM0_SCALE = 77371428.57142858
TITLES = {"reguleringsplan": "Reguleringsplan & planforslag", "kommuneplan": "Kommuneplan"}


class FakeWMTS(FakeMapServer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.capabilities_answer: tuple[int, str, bytes] | None = None
        self.redirect_to: str | None = None

    @property
    def kvp_capabilities_url(self) -> str:
        return self.base_url + "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"

    @property
    def rest_capabilities_url(self) -> str:
        return self.base_url + REST_ROOT + "/WMTSCapabilities.xml"

    def answer(self, handler, path: str, query: dict[str, str]) -> None:
        if path == REST_ROOT + "/WMTSCapabilities.xml":
            return self._capabilities(handler, restful=True)
        if path.startswith(REST_ROOT + "/"):
            parts = [unquote(part) for part in path[len(REST_ROOT) + 1 :].split("/")]
            if len(parts) != 6 or not parts[5].endswith(".png"):
                return self.send(handler, 404, "text/plain", b"Not found")
            layer, style, matrix_set, matrix, row, col = parts
            return self._tile(handler, layer, style, matrix_set, matrix, row, col[:-4], "image/png")
        if path != "/wmts":
            return self.send(handler, 404, "text/plain", b"Not found")
        if query.get("SERVICE", "").upper() != "WMTS":
            return self._exception(handler, "MissingParameterValue", "service")
        request = query.get("REQUEST", "")
        if request == "GetCapabilities":
            return self._capabilities(handler, restful=False)
        if request != "GetTile":
            return self._exception(handler, "OperationNotSupported", "request")
        missing = [
            name
            for name in ("LAYER", "STYLE", "TILEMATRIXSET", "TILEMATRIX", "TILEROW", "TILECOL")
            if name not in query
        ]
        if missing or not query.get("FORMAT"):
            return self._exception(handler, "MissingParameterValue", (missing or ["FORMAT"])[0])
        return self._tile(
            handler,
            query["LAYER"],
            query["STYLE"],
            query["TILEMATRIXSET"],
            query["TILEMATRIX"],
            query["TILEROW"],
            query["TILECOL"],
            query["FORMAT"],
        )

    def _capabilities(self, handler, *, restful: bool) -> None:
        if self.redirect_to:
            return self.send(handler, 302, "text/plain", b"", {"Location": self.redirect_to})
        if self.capabilities_answer:
            return self.send(handler, *self.capabilities_answer)
        return self.send(handler, 200, "application/xml", capabilities(self.base_url, restful))

    def _tile(self, handler, layer, style, matrix_set, matrix, row, col, image_format) -> None:
        if layer not in LAYERS:
            return self._exception(handler, "InvalidParameterValue", "layer")
        if style != "default":
            return self._exception(handler, "InvalidParameterValue", "style")
        if image_format != "image/png":
            return self._exception(handler, "InvalidParameterValue", "format")
        zoom = _zoom_of(matrix_set, matrix)
        if zoom is None:
            return self._exception(handler, "InvalidParameterValue", "tilematrix")
        try:
            row_number, col_number = int(row), int(col)
        except ValueError:
            return self._exception(handler, "InvalidParameterValue", "tilerow")
        if not (0 <= row_number < 2**zoom and 0 <= col_number < 2**zoom):
            return self._exception(handler, "TileOutOfRange", "tilerow")
        self.send(handler, 200, "image/png", hatched_png(256, 256, LAYERS[layer]))

    def _exception(self, handler, code: str, locator: str) -> None:
        self.send(handler, 400, "application/xml", exception_report(code, locator))


def exception_report(code: str, locator: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.1.0">'
        f"<ows:Exception exceptionCode={quoteattr(code)} locator={quoteattr(locator)}>"
        f"<ows:ExceptionText>{escape(code)}: {escape(locator)}</ows:ExceptionText>"
        "</ows:Exception></ows:ExceptionReport>"
    ).encode()


def _zoom_of(matrix_set: str, matrix: str) -> int | None:
    prefix = "EPSG:3857:" if matrix_set == WEB_MERCATOR else "" if matrix_set == UTM else None
    if prefix is None or not matrix.startswith(prefix) or not matrix[len(prefix) :].isdigit():
        return None
    zoom = int(matrix[len(prefix) :])
    return zoom if zoom <= MAX_ZOOM else None


def _matrix(identifier: str, scale: float, corner: str, size: int) -> str:
    return (
        f"<TileMatrix><ows:Identifier>{identifier}</ows:Identifier>"
        f"<ScaleDenominator>{scale!r}</ScaleDenominator><TopLeftCorner>{corner}</TopLeftCorner>"
        "<TileWidth>256</TileWidth><TileHeight>256</TileHeight>"
        f"<MatrixWidth>{size}</MatrixWidth><MatrixHeight>{size}</MatrixHeight></TileMatrix>"
    )


def _matrix_sets() -> str:
    mercator = "".join(
        _matrix(f"EPSG:3857:{z}", ZOOM0_SCALE / 2**z, f"{-CORNER} {CORNER}", 2**z)
        for z in range(MAX_ZOOM + 1)
    )
    utm = "".join(
        _matrix(str(z), UTM_ZOOM0_SCALE / 2**z, "-2500000.0 9045984.0", 2**z)
        for z in range(MAX_ZOOM + 1)
    )
    return (
        f"<TileMatrixSet><ows:Identifier>{WEB_MERCATOR}</ows:Identifier>"
        "<ows:SupportedCRS>urn:ogc:def:crs:EPSG::3857</ows:SupportedCRS>"
        "<WellKnownScaleSet>urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible</WellKnownScaleSet>"
        f"{mercator}</TileMatrixSet>"
        f"<TileMatrixSet><ows:Identifier>{UTM}</ows:Identifier>"
        f"<ows:SupportedCRS>urn:ogc:def:crs:EPSG::25833</ows:SupportedCRS>{utm}</TileMatrixSet>"
    )


def _layer(base_url: str, name: str, restful: bool) -> str:
    resource = (
        f'<ResourceURL format="image/png" resourceType="tile" template='
        f"{quoteattr(base_url + REST_ROOT + '/' + name + '/{Style}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png')}/>"  # noqa: E501
        if restful
        else ""
    )
    return (
        f"<Layer><ows:Title>{escape(TITLES[name])}</ows:Title>"
        "<ows:WGS84BoundingBox><ows:LowerCorner>4.0 57.9</ows:LowerCorner>"
        "<ows:UpperCorner>31.2 71.2</ows:UpperCorner></ows:WGS84BoundingBox>"
        f"<ows:Identifier>{name}</ows:Identifier>"
        '<Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>'
        "<Format>image/png</Format>"
        f"<TileMatrixSetLink><TileMatrixSet>{WEB_MERCATOR}</TileMatrixSet></TileMatrixSetLink>"
        f"<TileMatrixSetLink><TileMatrixSet>{UTM}</TileMatrixSet></TileMatrixSetLink>"
        f"{resource}</Layer>"
    )


def capabilities(base_url: str, restful: bool) -> bytes:
    operations = (
        ""
        if restful
        else (
            '<ows:OperationsMetadata><ows:Operation name="GetTile"><ows:DCP><ows:HTTP>'
            f"<ows:Get xlink:href={quoteattr(base_url + '/wmts?')}><ows:Constraint name="
            '"GetEncoding"><ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues>'
            "</ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation>"
            "</ows:OperationsMetadata>"
        )
    )
    layers = "".join(_layer(base_url, name, restful) for name in LAYERS)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Capabilities xmlns="http://www.opengis.net/wmts/1.0" '
        'xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'version="1.0.0">'
        "<ows:ServiceIdentification><ows:Title>Stand-in tile service</ows:Title>"
        "<ows:ServiceType>OGC WMTS</ows:ServiceType>"
        "<ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>"
        "<ows:ServiceProvider><ows:ProviderName>Stand-in kartverk</ows:ProviderName>"
        "</ows:ServiceProvider>"
        f"{operations}<Contents>{layers}{_matrix_sets()}</Contents></Capabilities>"
    ).encode()
