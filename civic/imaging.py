"""Drawing helpers shared by the pictures the platform makes itself (link cards, charts).

Text is drawn with a system font that has the Nordic letters (DejaVu, Liberation or Noto, as
Debian's font packages install them); Pillow's built-in font is the last resort and lacks æ, ø
and å, so production images should carry one of those packages.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageColor, ImageFont

FALLBACK_BRAND = "#1f4e79"
_FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts"))
_FONT_FILES = {
    False: (
        "dejavu/DejaVuSans.ttf",
        "liberation/LiberationSans-Regular.ttf",
        "noto/NotoSans-Regular.ttf",
    ),
    True: (
        "dejavu/DejaVuSans-Bold.ttf",
        "liberation/LiberationSans-Bold.ttf",
        "noto/NotoSans-Bold.ttf",
    ),
}
WHITE = (255, 255, 255)
INK = (26, 32, 44)


@functools.lru_cache(maxsize=64)
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    for folder in _FONT_DIRS:
        for name in _FONT_FILES[bold]:
            path = folder / name
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def rgb(colour: str, default: str = FALLBACK_BRAND) -> tuple[int, int, int]:
    """A colour setting as RGB; an unusable value falls back instead of breaking the picture."""
    try:
        return ImageColor.getrgb(colour)[:3]
    except (ValueError, TypeError, AttributeError):
        return ImageColor.getrgb(default)[:3]


def _luminance(colour: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        value = value / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or dark ink, whichever reads better on the background."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(INK, background) else INK


def wrap(text: str, face, max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `max_width` pixels; words wider than a line are broken; the last
    line ends with an ellipsis when the text does not fit in `max_lines`."""
    words = " ".join(text.split()).split(" ") if text.strip() else []
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if face.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while face.getlength(current) > max_width and len(current) > 1:
            cut = len(current)
            while cut > 1 and face.getlength(current[:cut]) > max_width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and face.getlength(last.rstrip() + "…") > max_width:
        last = last[:-1]
    kept[-1] = last.rstrip(" ,.;:-") + "…"
    return kept


def fits(text: str, face, max_width: float, max_lines: int) -> bool:
    """Whether the whole text fits in `max_lines` lines without being cut."""
    return len(wrap(text, face, max_width, 10_000)) <= max_lines
