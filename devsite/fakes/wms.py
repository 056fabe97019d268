"""A stand-in for an official map service (OGC WMS 1.1.1 and 1.3.0, plus XYZ/WMTS-style tiles)
for tests and the demo.

GetCapabilities answers a small capabilities document naming its layers; GetMap answers a PNG of
the asked WIDTH x HEIGHT (a translucent hatch in the layer's colour, so a screenshot shows
where the overlay is); an unknown layer or a missing parameter answers a ServiceException as
the standard says. `/tiles/{z}/{x}/{y}.png` answers the same picture for tile addresses.
`fake.down = True` makes every request fail with 503, as a service under maintenance does;
the consultation map must keep working without it.

    with FakeWMS() as fake:
        fake.base_url + "/wms"        # the WMS base address
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

LAYERS = {"reguleringsplan": (179, 38, 30), "kommuneplan": (26, 79, 139)}
MAX_SIZE = 2048


class FakeWMS:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self.down = False
        self.requests: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                fake._handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeWMS:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeWMS:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- answers ------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        # Parameter names are case-insensitive in WMS; values are not.
        query = {key.upper(): value for key, value in parse_qsl(parts.query)}
        self.requests.append({"path": parts.path, **query})
        if self.down:
            return self._send(handler, 503, "text/plain", b"Service temporarily unavailable")
        if parts.path.startswith("/tiles/"):
            return self._send(handler, 200, "image/png", _picture(256, 256, LAYERS["kommuneplan"]))
        if parts.path != "/wms":
            return self._send(handler, 404, "text/plain", b"Not found")
        if query.get("SERVICE", "").upper() != "WMS":
            return self._exception(handler, "MissingParameterValue", "SERVICE=WMS is required")
        request = query.get("REQUEST", "")
        if request == "GetCapabilities":
            return self._send(handler, 200, "text/xml", _capabilities(self.base_url))
        if request != "GetMap":
            return self._exception(handler, "OperationNotSupported", f"No operation {request}")
        missing = [
            name for name in ("LAYERS", "BBOX", "WIDTH", "HEIGHT", "FORMAT") if not query.get(name)
        ]
        if not query.get("SRS") and not query.get("CRS"):
            missing.append("CRS")
        if missing:
            return self._exception(handler, "MissingParameterValue", ", ".join(missing))
        layers = query["LAYERS"].split(",")
        unknown = [layer for layer in layers if layer not in LAYERS]
        if unknown:
            return self._exception(handler, "LayerNotDefined", ", ".join(unknown))
        if query["FORMAT"] not in ("image/png", "image/jpeg"):
            return self._exception(handler, "InvalidFormat", query["FORMAT"])
        try:
            width, height = int(query["WIDTH"]), int(query["HEIGHT"])
        except ValueError:
            return self._exception(handler, "InvalidDimensionValue", "WIDTH and HEIGHT")
        if not (0 < width <= MAX_SIZE and 0 < height <= MAX_SIZE):
            return self._exception(handler, "InvalidDimensionValue", "WIDTH and HEIGHT")
        return self._send(handler, 200, "image/png", _picture(width, height, LAYERS[layers[0]]))

    def _exception(self, handler, code: str, text: str) -> None:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<ServiceExceptionReport version="1.3.0" '
            f'xmlns="http://www.opengis.net/ogc"><ServiceException code="{escape(code)}">'
            f"{escape(text)}</ServiceException></ServiceExceptionReport>"
        )
        self._send(handler, 400, "text/xml", body.encode())

    @staticmethod
    def _send(handler, status: int, content_type: str, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Access-Control-Allow-Origin", "*")
        handler.end_headers()
        handler.wfile.write(body)


def _picture(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for offset in range(-height, width, 16):
        draw.line([(offset, height), (offset + height, 0)], fill=(*colour, 150), width=3)
    draw.rectangle([0, 0, width - 1, height - 1], outline=(*colour, 200), width=1)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _capabilities(base_url: str) -> bytes:
    layers = "".join(
        f'<Layer queryable="0"><Name>{name}</Name><Title>{name.title()}</Title></Layer>'
        for name in LAYERS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms">'
        "<Service><Name>WMS</Name><Title>Stand-in map service</Title></Service>"
        "<Capability><Request><GetMap><Format>image/png</Format><Format>image/jpeg</Format>"
        f'<DCPType><HTTP><Get><OnlineResource href="{escape(base_url)}/wms"/></Get></HTTP>'
        "</DCPType></GetMap></Request>"
        f"<Layer><Title>Plans</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>{layers}</Layer>"
        "</Capability></WMS_Capabilities>"
    ).encode()
