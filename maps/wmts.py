"""OGC WMTS 1.0.0 services: read a service's capabilities and turn a chosen layer into a tile
address the map script can draw.

The capabilities come from an address a planner typed and are parsed as hostile input:
defusedxml (no entities, no external references), a size cap, a timeout, redirects only on the
same host, and every address inside checked by the same rules as the planner's own
(`services_config.validate_service_url`). Titles are kept as plain text; templates escape them.

Leaflet draws Web Mercator tiles only, so a tile matrix set is usable when its CRS is EPSG:3857
(or an alias) and its matrices are levels of the standard pyramid: each scale denominator is
the Google Maps compatible one for some zoom, the top-left corner is the pyramid's, the tiles
are 256 pixels. Any other set (e.g. EPSG:25833, UTM 33N) gets a reason the planner can read.
"""

from __future__ import annotations

import ipaddress
import math
import socket
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urljoin, urlsplit

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .services_config import LOCAL_HOSTS, validate_service_url

NS = {
    "wmts": "http://www.opengis.net/wmts/1.0",
    "ows": "http://www.opengis.net/ows/1.1",
    "xlink": "http://www.w3.org/1999/xlink",
}
TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
# OGC WMTS 1.0.0 annex E.4: GoogleMapsCompatible, zoom 0 at 0.28 mm pixels.
ZOOM0_SCALE = 559082264.0287178
PYRAMID_CORNER = (-20037508.3427892, 20037508.3427892)
WEB_MERCATOR_CODES = {"3857", "900913", "3785", "102100", "102113"}
MAX_ZOOM = 24
BROWSER_FORMATS = ("image/png", "image/jpeg", "image/png8", "image/webp", "image/gif")

# Why a matrix set cannot be drawn: codes, rendered by `unusable_reason`.
CRS_NOT_WEB_MERCATOR = "crs"
NOT_THE_PYRAMID = "pyramid"
NO_MATRICES = "empty"


@dataclass
class MatrixSet:
    identifier: str
    crs: str
    # zoom -> TileMatrix identifier, for the matrices that are levels of the Web Mercator pyramid
    zooms: dict[int, str] = field(default_factory=dict)
    problem: str = ""

    @property
    def usable(self) -> bool:
        return not self.problem


@dataclass
class Layer:
    identifier: str
    title: str
    styles: list[str]
    default_style: str
    formats: list[str]
    matrix_sets: list[str]
    # format -> RESTful tile template, as the capabilities give it
    resource_urls: dict[str, str]
    bounds: list[float] | None


@dataclass
class Capabilities:
    address: str
    layers: dict[str, Layer]
    matrix_sets: dict[str, MatrixSet]
    provider: str
    get_tile_kvp: str

    def usable_sets(self, layer: Layer) -> list[MatrixSet]:
        sets = (self.matrix_sets.get(name) for name in layer.matrix_sets)
        return [matrix_set for matrix_set in sets if matrix_set and matrix_set.usable]


@dataclass
class TileSource:
    """What a MapService stores for a WMTS layer."""

    url: str
    layer: str
    style: str
    image_format: str
    matrix_set: str
    matrices: dict[str, str]
    bounds: list[float] | None
    provider: str


def unusable_reason(matrix_set: MatrixSet) -> str:
    if matrix_set.problem == CRS_NOT_WEB_MERCATOR:
        return _(
            "its coordinate system is %(crs)s; this map draws tiles in Web Mercator "
            "(EPSG:3857) only, and tiles in another system would land in the wrong places."
        ) % {"crs": _crs_label(matrix_set.crs)}
    if matrix_set.problem == NOT_THE_PYRAMID:
        return _(
            "it is in Web Mercator, but its scales, tile size or top-left corner are not "
            "those of the standard tile pyramid (GoogleMapsCompatible)."
        )
    return _("it has no tile matrices.")


# --- fetching ---------------------------------------------------------------------------------


def read_capabilities(address: str) -> Capabilities:
    """Fetch and parse a WMTS capabilities document; a ValidationError on "url" says why not."""
    address = (address or "").strip()
    _check_address(address)
    return parse_capabilities(_fetch(address), address)


def _url_error(message: str, code: str) -> ValidationError:
    return ValidationError({"url": [ValidationError(message, code=code)]})


def _check_address(address: str) -> None:
    try:
        validate_service_url(address, "capabilities")
    except ValidationError as error:
        raise _url_error(error.messages[0], "address") from None
    host = urlsplit(address).hostname or ""
    local_test_server = host in LOCAL_HOSTS and (settings.DEBUG or settings.TESTING)
    if local_test_server or host in settings.MAP_SERVICE_HTTP_HOSTS:
        return
    # The server fetches this address: never one inside the server's own networks.
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise _url_error(
            _("The host name %(host)s could not be found.") % {"host": host}, "unreachable"
        ) from None
    for info in infos:
        if not ipaddress.ip_address(info[4][0].split("%", 1)[0]).is_global:
            raise _url_error(
                _("The address points into a private network; give the service's public address."),
                "private",
            )


def _fetch(address: str) -> bytes:
    limit = settings.MAP_SERVICE_CAPABILITIES_MAX_BYTES
    current = address
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                with client.stream("GET", current, headers={"Accept": "application/xml"}) as reply:
                    if reply.is_redirect:
                        target = urljoin(current, reply.headers.get("Location", ""))
                        if urlsplit(target).hostname != urlsplit(address).hostname:
                            raise _url_error(
                                _(
                                    "The service sends the request on to another host "
                                    "(%(host)s); give that address instead."
                                )
                                % {"host": urlsplit(target).hostname or "?"},
                                "redirect",
                            )
                        _check_address(target)
                        current = target
                        continue
                    body = _read_capped(reply, limit)
                    if reply.status_code >= 400 and not body.lstrip().startswith(b"<"):
                        raise _url_error(
                            _("The service answered with HTTP status %(status)s.")
                            % {"status": reply.status_code},
                            "status",
                        )
                    return body
            except httpx.HTTPError as error:
                raise _url_error(
                    _("The service did not answer (%(reason)s).")
                    % {"reason": type(error).__name__},
                    "unreachable",
                ) from None
    raise _url_error(_("The service redirects too many times."), "redirect")


def _read_capped(reply: httpx.Response, limit: int) -> bytes:
    declared = reply.headers.get("Content-Length", "")
    too_large = _url_error(
        _("The capabilities document is larger than %(size)s.") % {"size": filesizeformat(limit)},
        "too_large",
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    for chunk in reply.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


# --- parsing ----------------------------------------------------------------------------------


def parse_capabilities(body: bytes, address: str) -> Capabilities:
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise _url_error(
            _("The address did not answer with an XML capabilities document."), "not_xml"
        ) from None
    if root.tag == f"{{{NS['ows']}}}ExceptionReport" or root.tag.endswith("ExceptionReport"):
        raise _url_error(_exception_text(root), "exception")
    if root.tag != f"{{{NS['wmts']}}}Capabilities":
        raise _url_error(_("This is not a WMTS 1.0.0 capabilities document."), "not_wmts")
    contents = root.find("wmts:Contents", NS)
    if contents is None:
        raise _url_error(_("The capabilities name no layer."), "no_layer")
    matrix_sets = {
        matrix_set.identifier: matrix_set
        for matrix_set in map(_matrix_set, contents.findall("wmts:TileMatrixSet", NS))
        if matrix_set.identifier
    }
    layers = {}
    for element in contents.findall("wmts:Layer", NS):
        layer = _layer(element)
        if layer.identifier:
            layers[layer.identifier] = layer
    if not layers:
        raise _url_error(_("The capabilities name no layer."), "no_layer")
    return Capabilities(
        address=address,
        layers=layers,
        matrix_sets=matrix_sets,
        provider=_text(root.find("ows:ServiceProvider/ows:ProviderName", NS))[:200],
        get_tile_kvp=_get_tile_kvp(root, address),
    )


def _text(element) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _exception_text(root) -> str:
    exception = next(iter(root), None)
    code = exception.get("exceptionCode", "") if exception is not None else ""
    text = " ".join(_text(item) for item in root.iter() if item.tag.endswith("ExceptionText"))
    return _("The service reported an error: %(code)s %(text)s") % {
        "code": code[:80],
        "text": text[:300],
    }


def _get_tile_kvp(root, address: str) -> str:
    """The GetTile address for key-value requests, if the service offers them."""
    for operation in root.findall("ows:OperationsMetadata/ows:Operation", NS):
        if operation.get("name") != "GetTile":
            continue
        for get in operation.findall("ows:DCP/ows:HTTP/ows:Get", NS):
            encodings = {_text(value) for value in get.iter(f"{{{NS['ows']}}}Value")}
            if encodings and "KVP" not in encodings:
                continue
            href = get.get(f"{{{NS['xlink']}}}href", "")
            if href:
                return href
    return ""


def _matrix_set(element) -> MatrixSet:
    identifier = _text(element.find("ows:Identifier", NS))
    crs = _text(element.find("ows:SupportedCRS", NS))
    matrix_set = MatrixSet(identifier=identifier[:200], crs=crs[:200])
    matrices = element.findall("wmts:TileMatrix", NS)
    if not matrices:
        matrix_set.problem = NO_MATRICES
        return matrix_set
    if _crs_code(crs) not in WEB_MERCATOR_CODES:
        matrix_set.problem = CRS_NOT_WEB_MERCATOR
        return matrix_set
    for matrix in matrices:
        zoom = _pyramid_zoom(matrix)
        if zoom is not None and zoom not in matrix_set.zooms:
            matrix_set.zooms[zoom] = _text(matrix.find("ows:Identifier", NS))[:100]
    if not matrix_set.zooms:
        matrix_set.problem = NOT_THE_PYRAMID
    return matrix_set


def _crs_label(crs: str) -> str:
    code = _crs_code(crs)
    return f"EPSG:{code}" if code.isdigit() else (crs or "?")


def _crs_code(crs: str) -> str:
    # "EPSG:3857", "urn:ogc:def:crs:EPSG::3857", "urn:ogc:def:crs:EPSG:6.18:3:3857"
    return crs.rsplit(":", 1)[-1].strip() if ":" in crs else ""


def _pyramid_zoom(matrix) -> int | None:
    try:
        scale = float(_text(matrix.find("wmts:ScaleDenominator", NS)))
        corner = [float(part) for part in _text(matrix.find("wmts:TopLeftCorner", NS)).split()]
        size = (
            int(_text(matrix.find("wmts:TileWidth", NS))),
            int(_text(matrix.find("wmts:TileHeight", NS))),
        )
    except ValueError:
        return None
    if scale <= 0 or len(corner) != 2 or size != (256, 256) or not math.isfinite(scale):
        return None
    zoom = math.log2(ZOOM0_SCALE / scale)
    if not (0 <= round(zoom) <= MAX_ZOOM) or abs(zoom - round(zoom)) > 0.001:
        return None
    # One metre is far below a pixel at any zoom Leaflet draws.
    if any(abs(a - b) > 1.0 for a, b in zip(corner, PYRAMID_CORNER, strict=True)):
        return None
    return round(zoom)


def _layer(element) -> Layer:
    styles, default_style = [], ""
    for style in element.findall("wmts:Style", NS):
        name = _text(style.find("ows:Identifier", NS))[:200]
        if name:
            styles.append(name)
            if style.get("isDefault") == "true":
                default_style = name
    resource_urls = {}
    for resource in element.findall("wmts:ResourceURL", NS):
        if resource.get("resourceType") == "tile" and resource.get("template"):
            resource_urls.setdefault(resource.get("format", ""), resource.get("template"))
    return Layer(
        identifier=_text(element.find("ows:Identifier", NS))[:250],
        title=_text(element.find("ows:Title", NS))[:200],
        styles=styles,
        default_style=default_style or (styles[0] if styles else ""),
        formats=[_text(item) for item in element.findall("wmts:Format", NS)],
        matrix_sets=[
            _text(link.find("wmts:TileMatrixSet", NS))
            for link in element.findall("wmts:TileMatrixSetLink", NS)
        ],
        resource_urls=resource_urls,
        bounds=_bounds(element.find("ows:WGS84BoundingBox", NS)),
    )


def _bounds(element) -> list[float] | None:
    if element is None:
        return None
    try:
        west, south = (float(v) for v in _text(element.find("ows:LowerCorner", NS)).split())
        east, north = (float(v) for v in _text(element.find("ows:UpperCorner", NS)).split())
    except ValueError:
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return [west, south, east, north]


# --- choosing ---------------------------------------------------------------------------------


def tile_source(
    capabilities: Capabilities, *, layer: str, style: str, image_format: str, matrix_set: str
) -> TileSource:
    """The tile address of one layer in one style, format and matrix set, checked against the
    capabilities; a ValidationError names the field that does not fit."""
    chosen = capabilities.layers.get(layer)
    if chosen is None:
        raise ValidationError(
            {"layer": _("The service has no layer “%(name)s”.") % {"name": layer}}
        )
    errors = {}
    style = style or chosen.default_style
    if chosen.styles and style not in chosen.styles:
        errors["style"] = _("The layer offers the styles: %(names)s.") % {
            "names": ", ".join(chosen.styles)
        }
    if image_format not in chosen.formats or image_format not in BROWSER_FORMATS:
        offered = [name for name in chosen.formats if name in BROWSER_FORMATS]
        errors["image_format"] = _(
            "The layer offers these formats a browser can show: %(names)s."
        ) % {"names": ", ".join(offered) or "—"}
    usable = {item.identifier: item for item in capabilities.usable_sets(chosen)}
    if matrix_set not in usable:
        errors["tile_matrix_set"] = _no_usable_set_message(capabilities, chosen, matrix_set)
    if errors:
        raise ValidationError(errors)
    matrices = {str(zoom): ident for zoom, ident in sorted(usable[matrix_set].zooms.items())}
    return TileSource(
        url=_tile_template(capabilities, chosen, style, image_format, matrix_set),
        layer=layer,
        style=style,
        image_format=image_format,
        matrix_set=matrix_set,
        matrices=matrices,
        bounds=chosen.bounds,
        provider=capabilities.provider,
    )


def _no_usable_set_message(capabilities: Capabilities, layer: Layer, asked: str) -> str:
    usable = [item.identifier for item in capabilities.usable_sets(layer)]
    if asked in layer.matrix_sets and asked in capabilities.matrix_sets:
        reason = unusable_reason(capabilities.matrix_sets[asked])
        return _("The tile matrix set %(name)s cannot be drawn on this map: %(reason)s") % {
            "name": asked,
            "reason": reason,
        }
    if usable:
        return _("Choose one of the layer's tile matrix sets: %(names)s.") % {
            "names": ", ".join(usable)
        }
    return _("None of the layer's tile matrix sets can be drawn on this map (Web Mercator).")


def _tile_template(
    capabilities: Capabilities, layer: Layer, style: str, image_format: str, matrix_set: str
) -> str:
    template = layer.resource_urls.get(image_format)
    if template:
        url = template.replace("{Style}", quote(style, safe="")).replace(
            "{TileMatrixSet}", quote(matrix_set, safe="")
        )
        url = urljoin(capabilities.address, url)
        leftover = {part.split("}", 1)[0] for part in url.split("{")[1:]}
        if leftover - {"TileMatrix", "TileRow", "TileCol"}:
            raise ValidationError(
                {
                    "layer": _(
                        "The layer's tile address asks for dimensions this map cannot fill "
                        "(%(names)s)."
                    )
                    % {"names": ", ".join(sorted(leftover))}
                }
            )
    elif layer.resource_urls and not capabilities.get_tile_kvp:
        # A RESTful-only service: its capabilities address is no GetTile endpoint to guess at.
        raise ValidationError(
            {
                "image_format": _("The layer gives tile addresses for: %(names)s.")
                % {"names": ", ".join(sorted(layer.resource_urls))}
            }
        )
    else:
        base = capabilities.get_tile_kvp or capabilities.address.split("?", 1)[0]
        base = urljoin(capabilities.address, base)
        query = urlencode(
            {
                "SERVICE": "WMTS",
                "REQUEST": "GetTile",
                "VERSION": "1.0.0",
                "LAYER": layer.identifier,
                "STYLE": style,
                "TILEMATRIXSET": matrix_set,
                "FORMAT": image_format,
            }
        )
        kept = [part for part in urlsplit(base).query.split("&") if part and "=" in part]
        kept = [part for part in kept if part.split("=", 1)[0].upper() not in _KVP_KEYS]
        url = (
            base.split("?", 1)[0]
            + "?"
            + "&".join(
                [*kept, query, "TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}"]
            )
        )
    try:
        validate_service_url(url, "wmts")
    except ValidationError as error:
        raise ValidationError(
            {
                "url": _("The capabilities give a tile address this map refuses: %(reason)s")
                % {"reason": error.messages[0]}
            }
        ) from None
    return url


_KVP_KEYS = {
    "SERVICE",
    "REQUEST",
    "VERSION",
    "LAYER",
    "STYLE",
    "TILEMATRIXSET",
    "TILEMATRIX",
    "TILEROW",
    "TILECOL",
    "FORMAT",
}
