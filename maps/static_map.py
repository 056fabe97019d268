"""A map picture without tiles: the area outline, the plan's shapes and the pins, as SVG or PNG.

Used where a live map cannot go: social posts, PDF briefings, exports. The projection is
equirectangular with longitudes scaled by cos(latitude) at the centre, which keeps a city
district's shape true enough and needs no map library.
"""

import io
import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw

DEFAULT_SIZE = (1200, 630)
MIN_SIZE, MAX_SIZE = 64, 4000
PADDING = 0.06
PIN_COLOUR = "#4a5568"
AREA_STROKE = "#1a4f8b"
AREA_FILL = "#dbe8f6"
BACKGROUND = "#f7f7f4"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Pin:
    longitude: float
    latitude: float
    colour: str = PIN_COLOUR


@dataclass(frozen=True)
class PlanShape:
    """A plan layer's feature as drawn: a GeoJSON geometry (WGS 84) with its layer's style."""

    geometry: dict
    colour: str = AREA_STROKE
    width: int = 3
    fill: str = AREA_FILL
    fill_opacity: float = 0.2
    dash: str = ""  # SVG stroke-dasharray, e.g. "9 6"


def _parts(geometry: dict) -> tuple[list, list, list]:
    """(polygons, lines, points) of a GeoJSON geometry, each as lists of coordinates."""
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coordinates], [], []
    if kind == "MultiPolygon":
        return list(coordinates), [], []
    if kind == "LineString":
        return [], [coordinates], []
    if kind == "MultiLineString":
        return [], list(coordinates), []
    if kind == "Point":
        return [], [], [coordinates]
    if kind == "MultiPoint":
        return [], [], list(coordinates)
    return [], [], []


def _rgba(colour: str, opacity: float) -> tuple[int, int, int, int]:
    colour = _colour(colour)
    return (
        int(colour[1:3], 16),
        int(colour[3:5], 16),
        int(colour[5:7], 16),
        max(0, min(255, round(opacity * 255))),
    )


def clamp_size(width, height) -> tuple[int, int]:
    """Width and height as integers within limits; defaults for anything unusable."""
    try:
        width, height = int(width), int(height)
    except (TypeError, ValueError):
        return DEFAULT_SIZE
    return (min(max(width, MIN_SIZE), MAX_SIZE), min(max(height, MIN_SIZE), MAX_SIZE))


def _polygons(area: dict | None) -> list[list[list[tuple[float, float]]]]:
    if not area:
        return []
    if area.get("type") == "Polygon":
        return [area["coordinates"]]
    if area.get("type") == "MultiPolygon":
        return list(area["coordinates"])
    return []


class Projection:
    """Maps (lon, lat) to pixels so that the area (or the pins) fill the picture."""

    def __init__(self, positions: list[tuple[float, float]], width: int, height: int):
        self.width, self.height = width, height
        if not positions:
            positions = [(0.0, 0.0)]
        lons = [p[0] for p in positions]
        lats = [p[1] for p in positions]
        self.west, self.east = min(lons), max(lons)
        self.south, self.north = min(lats), max(lats)
        self.cos = max(math.cos(math.radians((self.south + self.north) / 2)), 0.01)
        span_x = max((self.east - self.west) * self.cos, 1e-9)
        span_y = max(self.north - self.south, 1e-9)
        usable_w, usable_h = width * (1 - 2 * PADDING), height * (1 - 2 * PADDING)
        self.scale = min(usable_w / span_x, usable_h / span_y)
        self.offset_x = (width - span_x * self.scale) / 2
        self.offset_y = (height - span_y * self.scale) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.offset_x + (lon - self.west) * self.cos * self.scale
        y = self.offset_y + (self.north - lat) * self.scale
        return round(x, 1), round(y, 1)


def _projection(area, pins, width, height) -> Projection:
    positions = [tuple(p[:2]) for poly in _polygons(area) for ring in poly for p in ring]
    if not positions:
        positions = [(pin.longitude, pin.latitude) for pin in pins]
    return Projection(positions, width, height)


def _colour(value: str) -> str:
    return value if isinstance(value, str) and _HEX.match(value) else PIN_COLOUR


def pin_radius(width: int, height: int, count: int) -> float:
    """Smaller dots when there are many, so a crowded map still shows its shape."""
    base = max(min(width, height) / 90, 2.5)
    return base if count < 500 else max(base / 2, 1.5)


def _svg_shape(shape: PlanShape, project, width: int, height: int) -> list[str]:
    polygons, lines, points = _parts(shape.geometry)
    colour, fill = _colour(shape.colour), _colour(shape.fill)
    dash = f' stroke-dasharray="{escape(shape.dash)}"' if shape.dash else ""
    stroke = f'stroke="{colour}" stroke-width="{int(shape.width)}"{dash} stroke-linejoin="round"'
    out = []
    for polygon in polygons:
        path = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (project(*p[:2]) for p in ring)) + " Z"
            for ring in polygon
        )
        out.append(
            f'<path d="{path}" fill="{fill}" fill-opacity="{shape.fill_opacity:.2f}" '
            f'fill-rule="evenodd" {stroke}/>'
        )
    for line in lines:
        path = "M" + " L".join(f"{x},{y}" for x, y in (project(*p[:2]) for p in line))
        out.append(f'<path d="{path}" fill="none" {stroke} stroke-linecap="round"/>')
    radius = pin_radius(width, height, 0) * 0.8
    for point in points:
        x, y = project(*point[:2])
        out.append(f'<circle cx="{x}" cy="{y}" r="{radius:.1f}" fill="{fill}" {stroke}/>')
    return out


def render_svg(
    area: dict | None,
    pins: list[Pin],
    *,
    size=DEFAULT_SIZE,
    title: str = "",
    shapes: list[PlanShape] = (),
) -> str:
    width, height = size
    project = _projection(area, pins, width, height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>',
    ]
    for polygon in _polygons(area):
        path = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (project(*p[:2]) for p in ring)) + " Z"
            for ring in polygon
        )
        parts.append(
            f'<path d="{path}" fill="{AREA_FILL}" fill-rule="evenodd" '
            f'stroke="{AREA_STROKE}" stroke-width="3" stroke-linejoin="round"/>'
        )
    for shape in shapes:
        parts.extend(_svg_shape(shape, project, width, height))
    radius = pin_radius(width, height, len(pins))
    parts.append('<g stroke="#ffffff" stroke-width="1">')
    for pin in pins:
        x, y = project(pin.longitude, pin.latitude)
        parts.append(f'<circle cx="{x}" cy="{y}" r="{radius:.1f}" fill="{_colour(pin.colour)}"/>')
    parts.append("</g></svg>")
    return "\n".join(parts)


def render_png(
    area: dict | None, pins: list[Pin], *, size=DEFAULT_SIZE, shapes: list[PlanShape] = ()
) -> bytes:
    width, height = size
    project = _projection(area, pins, width, height)
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for polygon in _polygons(area):
        outer, *holes = polygon
        draw.polygon([project(*p[:2]) for p in outer], fill=AREA_FILL, outline=AREA_STROKE)
        for hole in holes:
            draw.polygon([project(*p[:2]) for p in hole], fill=BACKGROUND, outline=AREA_STROKE)
        for ring in polygon:
            draw.line([project(*p[:2]) for p in ring], fill=AREA_STROKE, width=3, joint="curve")
    if shapes:
        # Translucent fills need a layer of their own, composed over the picture.
        overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        layer = ImageDraw.Draw(overlay)
        for shape in shapes:
            _png_shape(layer, shape, project, width, height)
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
        draw = ImageDraw.Draw(image)
    radius = pin_radius(width, height, len(pins))
    for pin in pins:
        x, y = project(pin.longitude, pin.latitude)
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=_colour(pin.colour),
            outline="#ffffff",
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _png_shape(draw, shape: PlanShape, project, width: int, height: int) -> None:
    polygons, lines, points = _parts(shape.geometry)
    stroke, fill = _rgba(shape.colour, 1), _rgba(shape.fill, shape.fill_opacity)
    line_width = max(1, int(shape.width))
    for polygon in polygons:
        outer, *holes = polygon
        draw.polygon([project(*p[:2]) for p in outer], fill=fill)
        for hole in holes:
            draw.polygon([project(*p[:2]) for p in hole], fill=(0, 0, 0, 0))
        for ring in polygon:
            draw.line([project(*p[:2]) for p in ring], fill=stroke, width=line_width)
    for line in lines:
        draw.line([project(*p[:2]) for p in line], fill=stroke, width=line_width, joint="curve")
    radius = pin_radius(width, height, 0) * 0.8
    for point in points:
        x, y = project(*point[:2])
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill, outline=stroke)
