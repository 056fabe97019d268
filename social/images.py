"""Images made to fit each platform's rules (`social.limits.IMAGE_RULES`) before they are sent.

An image that already fits and carries no metadata goes out byte for byte. Otherwise (and
always for a photo with EXIF, GPS, XMP, a colour profile or comments, which are removed) it
is letterboxed into the platform's aspect-ratio range (Instagram), scaled down to its size
limits, and re-encoded in an accepted format, stepping down JPEG quality and then size until
it is small enough.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from civic import imaging
from civic.notifications import absolute_url
from social.limits import IMAGE_RULES, ImageRules

MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# Letterbox bands and the background of transparent images re-encoded as JPEG.
BACKGROUND = (255, 255, 255)
_QUALITIES = (90, 82, 74, 66, 58, 50)
_SHRINK = 0.85
# Images this large are refused before decoding (a decompression bomb, not a photo).
MAX_INPUT_PIXELS = 80_000_000


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    format: str
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_INPUT_PIXELS:
            raise ValidationError({"image": gettext("The image is too large.")})
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"image": gettext("The file is not an image.")}) from exc
    return image


def _fits(image: Image.Image, size: int, rules: ImageRules) -> bool:
    width, height = image.size
    return (
        image.format in rules.formats
        and size <= rules.max_bytes
        and max(width, height) <= rules.max_side
        and min(width, height) >= rules.min_side
        and width * height <= rules.max_pixels
        and _aspect_ok(width, height, rules)
    )


def _aspect_ok(width: int, height: int, rules: ImageRules) -> bool:
    if rules.aspect is None:
        return True
    narrowest, widest = rules.aspect
    # A pixel of rounding either way is not a different shape.
    return narrowest * height - 1 <= width <= widest * height + 1


def _letterbox(image: Image.Image, rules: ImageRules) -> Image.Image:
    """Pad with bands (never crop: a map or chart must stay whole) into the aspect range."""
    if rules.aspect is None or _aspect_ok(image.width, image.height, rules):
        return image
    narrowest, widest = rules.aspect
    width, height = image.size
    if width > widest * height:
        size = (width, int(width / widest + 0.999))
    else:
        size = (int(height * narrowest + 0.999), height)
    canvas = Image.new(image.mode, size, _background(image.mode))
    canvas.paste(image, ((size[0] - width) // 2, (size[1] - height) // 2))
    return canvas


def _background(mode: str):
    if mode in ("RGBA", "LA"):
        return (*BACKGROUND, 0) if mode == "RGBA" else (255, 0)
    if mode == "L":
        return 255
    return BACKGROUND


def _scale(image: Image.Image, rules: ImageRules, factor: float = 1.0) -> Image.Image:
    width, height = image.size
    scale = min(
        1.0,
        rules.max_side / max(width, height),
        (rules.max_pixels / (width * height)) ** 0.5,
    )
    scale *= factor
    if min(width, height) * scale < rules.min_side:
        # Too small for the platform: enlarge rather than be refused.
        scale = rules.min_side / min(width, height)
    if scale == 1.0:
        return image
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency over white, palettes expanded."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, BACKGROUND)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB") if image.mode != "RGB" else image


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        _flatten(image).save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, fmt, quality=quality)
    return buffer.getvalue()


def _format_for(source_format: str | None, rules: ImageRules) -> str:
    # Flat pictures (maps, charts) stay PNG where it is taken: smaller and sharper than JPEG.
    if source_format in rules.formats and source_format in ("PNG", "JPEG"):
        return source_format
    return "JPEG" if "JPEG" in rules.formats else rules.formats[0]


def prepare(data: bytes, platform: str) -> PreparedImage:
    """The image as the platform accepts it; raises ValidationError for a file that is not an
    image or cannot be brought under the platform's limits."""
    rules = IMAGE_RULES[platform]
    source = _open(data)
    if _fits(source, len(data), rules) and not imaging.carries_metadata(source):
        return PreparedImage(data, source.format, source.width, source.height)
    # Upright, in sRGB, and without EXIF/GPS, XMP, comments or text chunks from here on.
    image = imaging.without_metadata(source)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    image = _letterbox(image, rules)
    fmt = _format_for(source.format, rules)
    factor = 1.0
    for _attempt in range(12):
        scaled = _scale(image, rules, factor)
        qualities = _QUALITIES if fmt in ("JPEG", "WEBP") else (0,)
        for quality in qualities:
            encoded = _encode(scaled, fmt, quality)
            if len(encoded) <= rules.max_bytes:
                return PreparedImage(encoded, fmt, scaled.width, scaled.height)
        if fmt == "PNG" and "JPEG" in rules.formats:
            # A photo saved as PNG: JPEG is the way to make it small.
            fmt = "JPEG"
            continue
        factor *= _SHRINK
    raise ValidationError(
        {"image": gettext("The image cannot be made small enough for this platform.")}
    )


# --- Public addresses for platforms that fetch images themselves ---------------------------------
# Instagram takes only an `image_url` and fetches it from its own servers. Media files are not
# served in production (and a storage bucket need not be public), so the platform gets a signed,
# expiring address of a view that serves the stored bytes: unguessable without SECRET_KEY, and
# useless once the post has gone out.
_SIGNING_SALT = "social.public-image"
PUBLIC_IMAGE_PREFIX = "social/"


def public_image_url(name: str) -> str:
    """An absolute, signed, expiring address that serves the stored file `name`."""
    token = signing.dumps(name, salt=_SIGNING_SALT, compress=True)
    return absolute_url(reverse("social:public_image", args=[token]))


def public_image_name(token: str) -> str | None:
    """The stored file a signed address names, or None if it is forged, expired or not a
    social image."""
    try:
        name = signing.loads(
            token, salt=_SIGNING_SALT, max_age=settings.SOCIAL_IMAGE_URL_MAX_AGE_SECONDS
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(name, str) or not name.startswith(PUBLIC_IMAGE_PREFIX) or ".." in name:
        return None
    return name if default_storage.exists(name) else None
