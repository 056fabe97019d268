"""Drawing helpers shared by the pictures the platform makes itself (link cards, charts), and
the one way every uploaded picture loses its metadata (`without_metadata`, `reencoded`).

Text is drawn with a system font that has the Nordic letters (DejaVu, Liberation or Noto, as
Debian's font packages install them); Pillow's built-in font is the last resort and lacks æ, ø
and å, so production images should carry one of those packages.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from PIL import Image, ImageCms, ImageColor, ImageFont, ImageOps, UnidentifiedImageError

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


# --- Uploaded pictures without metadata ----------------------------------------------------------
# Of everything a decoded picture carries in `info`, only what draws it is kept: a palette's
# transparent colour. EXIF (camera, time, GPS position), XMP, JPEG comments, PNG text chunks and
# the ICC profile all go; colours are first converted to sRGB so the picture still looks right.
_DRAWING_INFO = ("transparency",)
_SRGB = ImageCms.createProfile("sRGB")


def _in_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc:
        return image.convert("RGB") if image.mode in ("CMYK", "YCbCr", "LAB", "HSV") else image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode in ("P", "PA", "LA", "1", "I", "I;16", "F"):
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        output_mode = "RGBA" if image.mode == "RGBA" else ("L" if image.mode == "L" else "RGB")
        if output_mode == "L":
            # A grey profile: the grey values are kept as they are, only the profile goes.
            return image
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile describes nothing: keep the pixel values as they are.
        return image.convert("RGB") if image.mode not in ("RGB", "RGBA", "L") else image


# What decoders put in `info` that says only how to draw or play the picture, nothing about
# where, when or with what it was taken. Anything else (EXIF, XMP, ICC, comments, PNG text
# chunks under any key) is metadata.
_DRAWING_ONLY = frozenset(
    {
        "transparency",
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "dpi",
        "progressive",
        "progression",
        "interlace",
        "gamma",
        "aspect",
        "loop",
        "background",
        "timestamp",
        "duration",
        "version",
    }
)


def carries_metadata(image: Image.Image) -> bool:
    """Whether a decoded picture holds anything beyond how to draw it (after `load()`)."""
    return bool(set(image.info) - _DRAWING_ONLY)


def without_metadata(image: Image.Image) -> Image.Image:
    """The picture upright, in sRGB, with nothing in `info` that an encoder would write back."""
    image.load()
    upright = ImageOps.exif_transpose(image)
    upright = _in_srgb(upright)
    if upright is image:
        upright = image.copy()
    upright.info = {key: image.info[key] for key in _DRAWING_INFO if key in image.info}
    # The EXIF read when turning the picture upright is cached on the object: drop it too.
    upright._exif = None
    return upright


def encode_clean(image: Image.Image, image_format: str, *, quality: int = 85) -> bytes:
    """Encode a picture from `without_metadata` without writing any metadata segment."""
    output = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=quality, optimize=True)
    elif image_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    elif image_format == "WEBP":
        image.save(output, "WEBP", quality=quality)
    else:
        raise ValueError(f"no clean encoding for {image_format}")
    return output.getvalue()


def reencoded(data: bytes, *, formats=("JPEG", "PNG", "WEBP")) -> tuple[bytes, str] | None:
    """(clean bytes, format) of an uploaded picture, or None when it is no picture in `formats`.

    None leaves refusing the file to the caller's own validation with its own message.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            if image_format not in formats:
                return None
            return encode_clean(without_metadata(image), image_format), image_format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
