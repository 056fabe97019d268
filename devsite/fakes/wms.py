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

from xml.sax.saxutils import escape

from devsite.fakes.map_server import FakeMapServer, hatched_png

LAYERS = {"reguleringsplan": (179, 38, 30), "kommuneplan": (26, 79, 139)}
MAX_SIZE = 2048


class FakeWMS(FakeMapServer):
    def answer(self, handler, path: str, query: dict[str, str]) -> None:
        if path.startswith("/tiles/"):
            return self.send(
                handler, 200, "image/png", hatched_png(256, 256, LAYERS["kommuneplan"])
            )
        if path != "/wms":
            return self.send(handler, 404, "text/plain", b"Not found")
        if query.get("SERVICE", "").upper() != "WMS":
            return self._exception(handler, "MissingParameterValue", "SERVICE=WMS is required")
        request = query.get("REQUEST", "")
        if request == "GetCapabilities":
            return self.send(handler, 200, "text/xml", _capabilities(self.base_url))
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
        return self.send(handler, 200, "image/png", hatched_png(width, height, LAYERS[layers[0]]))

    def _exception(self, handler, code: str, text: str) -> None:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<ServiceExceptionReport version="1.3.0" '
            f'xmlns="http://www.opengis.net/ogc"><ServiceException code="{escape(code)}">'
            f"{escape(text)}</ServiceException></ServiceExceptionReport>"
        )
        self.send(handler, 400, "text/xml", body.encode())


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
