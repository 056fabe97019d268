"""Charts drawn on the server: SVG for the page and the PDF, PNG (Pillow) for the DOCX.

Each chart is a `Chart` holding its data, so the page can show the same numbers as a table for
people who cannot see the picture, and the DOCX and PDF draw from the one source.
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

TEXT = "#1a202c"
GRID = "#cbd5e0"
AXIS = "#4a5568"
# Distinct in hue and lightness, and the lines also differ in dash, so colour is not the only cue.
SERIES_STYLES = (("#1a4f8b", ""), ("#b7410e", "8 4"), ("#2f7d32", "2 3"))
DEFAULT_BAR = "#1a4f8b"
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


@dataclass
class Bar:
    label: str
    value: int
    colour: str = DEFAULT_BAR


@dataclass
class Series:
    name: str
    values: list[int]
    colour: str = ""
    dash: str = ""


@dataclass
class Chart:
    """A chart's title, description and data; `kind` is "bar" or "line"."""

    slug: str
    title: str
    description: str
    kind: str
    bars: list[Bar] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        if self.kind == "bar":
            return not any(bar.value for bar in self.bars)
        return not any(any(s.values) for s in self.series)

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """The line chart's data as table rows: (label, one value per series)."""
        return [
            (label, [item.values[index] for item in self.series])
            for index, label in enumerate(self.labels)
        ]

    def svg(self) -> str:
        return bar_chart_svg(self) if self.kind == "bar" else line_chart_svg(self)

    def png(self, width: int = 1200) -> bytes:
        return bar_chart_png(self, width) if self.kind == "bar" else line_chart_png(self, width)


def styled_series(series: list[Series]) -> list[Series]:
    for index, item in enumerate(series):
        colour, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        item.colour = item.colour or colour
        item.dash = item.dash or dash
    return series


def nice_max(value: int) -> int:
    """The axis end: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _ticks(top: int) -> list[int]:
    step = max(top // 5, 1) if top >= 5 else 1
    return list(range(0, top + 1, step))


def _svg_open(chart: Chart, width: int, height: int) -> list[str]:
    title_id = f"chart-{chart.slug}-title"
    desc_id = f"chart-{chart.slug}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="DejaVu Sans, Arial, sans-serif">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]


def bar_chart_svg(chart: Chart, width: int = 640) -> str:
    """Horizontal bars, the label left of each and the value at its end."""
    row, label_w, value_w, top_pad = 30, 200, 60, 10
    height = top_pad * 2 + row * max(len(chart.bars), 1)
    top = nice_max(max((bar.value for bar in chart.bars), default=0))
    usable = width - label_w - value_w
    parts = _svg_open(chart, width, height)
    for index, bar in enumerate(chart.bars):
        y = top_pad + index * row
        length = round(usable * bar.value / top, 1)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row / 2 + 5}" text-anchor="end" font-size="14" '
            f'fill="{TEXT}">{escape(_shorten(bar.label, 28))}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{length}" height="{row - 10}" '
            f"fill={quoteattr(_safe_colour(bar.colour))}/>"
        )
        parts.append(
            f'<text x="{label_w + length + 6}" y="{y + row / 2 + 5}" font-size="14" '
            f'fill="{TEXT}">{bar.value}</text>'
        )
    parts.append(
        f'<line x1="{label_w}" y1="{top_pad}" x2="{label_w}" y2="{height - top_pad}" '
        f'stroke="{AXIS}"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart_svg(chart: Chart, width: int = 640, height: int = 300) -> str:
    """Lines over time with a y axis, the first and last date under it and a legend."""
    left, right, top_pad, bottom = 50, 20, 40, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = nice_max(max((max(s.values, default=0) for s in chart.series), default=0))
    count = max(len(chart.labels), 1)
    parts = _svg_open(chart, width, height)
    for tick in _ticks(top):
        y = round(top_pad + plot_h - plot_h * tick / top, 1)
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="{GRID}" '
            f'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{tick}</text>'
        )

    def x_at(index: int) -> float:
        return round(left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2), 1)

    for item in chart.series:
        points = " ".join(
            f"{x_at(i)},{round(top_pad + plot_h - plot_h * v / top, 1)}"
            for i, v in enumerate(item.values)
        )
        dash = f' stroke-dasharray="{item.dash}"' if item.dash else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke={quoteattr(item.colour)} '
            f'stroke-width="2.5"{dash}/>'
        )
        # Markers keep a short series (a single day, say) visible, where a line has no length.
        if len(item.values) <= 60:
            for i, v in enumerate(item.values):
                y = round(top_pad + plot_h - plot_h * v / top, 1)
                parts.append(
                    f'<circle cx="{x_at(i)}" cy="{y}" r="3.5" fill={quoteattr(item.colour)}/>'
                )
    if chart.labels:
        parts.append(
            f'<text x="{left}" y="{height - bottom + 18}" font-size="12" '
            f'fill="{TEXT}">{escape(chart.labels[0])}</text>'
        )
        parts.append(
            f'<text x="{width - right}" y="{height - bottom + 18}" text-anchor="end" '
            f'font-size="12" fill="{TEXT}">{escape(chart.labels[-1])}</text>'
        )
    legend_x = left
    for item in chart.series:
        dash = f' stroke-dasharray="{item.dash}"' if item.dash else ""
        parts.append(
            f'<line x1="{legend_x}" y1="16" x2="{legend_x + 28}" y2="16" '
            f'stroke={quoteattr(item.colour)} stroke-width="3"{dash}/>'
        )
        parts.append(
            f'<text x="{legend_x + 34}" y="20" font-size="13" fill="{TEXT}">'
            f"{escape(item.name)}</text>"
        )
        legend_x += 44 + 8 * len(item.name)
    parts.append("</svg>")
    return "\n".join(parts)


# --- PNG for documents that cannot hold SVG ------------------------------------------------------


def _font(size: int):
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def bar_chart_png(chart: Chart, width: int = 1200) -> bytes:
    scale = width / 640
    row, label_w, value_w = int(30 * scale), int(200 * scale), int(60 * scale)
    pad = int(10 * scale)
    height = pad * 2 + row * max(len(chart.bars), 1)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font(int(14 * scale))
    top = nice_max(max((bar.value for bar in chart.bars), default=0))
    usable = width - label_w - value_w
    for index, bar in enumerate(chart.bars):
        y = pad + index * row
        length = int(usable * bar.value / top)
        label = _shorten(bar.label, 28)
        text_w = draw.textlength(label, font=font)
        draw.text((label_w - 8 * scale - text_w, y + row * 0.2), label, fill=TEXT, font=font)
        if length:
            draw.rectangle(
                (label_w, y + 5 * scale, label_w + length, y + row - 5 * scale),
                fill=_safe_colour(bar.colour),
            )
        draw.text(
            (label_w + length + 6 * scale, y + row * 0.2), str(bar.value), fill=TEXT, font=font
        )
    draw.line((label_w, pad, label_w, height - pad), fill=AXIS, width=max(int(scale), 1))
    return _png_bytes(image)


def line_chart_png(chart: Chart, width: int = 1200) -> bytes:
    scale = width / 640
    height = int(300 * scale)
    left, right, top_pad, bottom = (int(v * scale) for v in (50, 20, 40, 40))
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = _font(int(12 * scale))
    top = nice_max(max((max(s.values, default=0) for s in chart.series), default=0))
    count = max(len(chart.labels), 1)
    for tick in _ticks(top):
        y = top_pad + plot_h - plot_h * tick / top
        draw.line((left, y, width - right, y), fill=GRID, width=1)
        text = str(tick)
        draw.text(
            (left - 6 * scale - draw.textlength(text, font=font), y - 7 * scale),
            text,
            fill=TEXT,
            font=font,
        )

    def x_at(index: int) -> float:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    for item in chart.series:
        points = [(x_at(i), top_pad + plot_h - plot_h * v / top) for i, v in enumerate(item.values)]
        if len(points) > 1:
            draw.line(points, fill=item.colour, width=max(int(2.5 * scale), 2), joint="curve")
        for x, y in points if len(points) < 60 else []:
            r = 2.5 * scale
            draw.ellipse((x - r, y - r, x + r, y + r), fill=item.colour)
    if chart.labels:
        draw.text((left, height - bottom + 6 * scale), chart.labels[0], fill=TEXT, font=font)
        last = chart.labels[-1]
        draw.text(
            (width - right - draw.textlength(last, font=font), height - bottom + 6 * scale),
            last,
            fill=TEXT,
            font=font,
        )
    legend_x = left
    for item in chart.series:
        draw.line(
            (legend_x, 16 * scale, legend_x + 28 * scale, 16 * scale),
            fill=item.colour,
            width=max(int(3 * scale), 2),
        )
        draw.text((legend_x + 34 * scale, 8 * scale), item.name, fill=TEXT, font=font)
        legend_x += int((44 + 8 * len(item.name)) * scale)
    return _png_bytes(image)


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _safe_colour(value: str) -> str:
    if isinstance(value, str) and len(value) == 7 and value.startswith("#"):
        try:
            int(value[1:], 16)
            return value
        except ValueError:
            pass
    return DEFAULT_BAR
