"""Checking and cleaning uploaded idea photos.

The file's content decides what it is (Pillow), never its name or the browser's content type.
Every photo is decoded and re-encoded, which drops EXIF, GPS positions, XMP, comments, text
chunks and the colour profile (after converting to sRGB), and rejects files that only pretend
to be images.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from civic import imaging

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Decompression bombs: a small file that expands to a huge bitmap.
MAX_PIXELS = 40_000_000
# Big enough for any screen; phone photos are scaled down so pages stay light.
MAX_SIDE = 2560


def clean_idea_image(upload, field: str = "photos") -> SimpleUploadedFile:
    """Return a re-encoded copy of an uploaded photo without metadata, or raise ValidationError."""
    name = Path(getattr(upload, "name", "") or "photo").stem[:60] or "photo"
    if upload.size > settings.IDEA_IMAGE_MAX_BYTES:
        raise ValidationError(
            {
                field: _("The photo %(name)s is larger than %(size)s MB.")
                % {"name": upload.name, "size": settings.IDEA_IMAGE_MAX_BYTES // (1024 * 1024)}
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError({field: _("Photos must be JPEG, PNG or WebP images.")})
        if width * height > MAX_PIXELS:
            raise ValidationError({field: _("The photo has too many pixels.")})
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            cleaned = _reencode(image, image_format)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            {
                field: _("The file %(name)s is not a JPEG, PNG or WebP image.")
                % {"name": upload.name}
            }
        ) from None
    extension = ALLOWED_FORMATS[image_format]
    return SimpleUploadedFile(
        f"{name}.{extension}", cleaned, content_type=f"image/{extension.replace('jpg', 'jpeg')}"
    )


def _reencode(image: Image.Image, image_format: str) -> bytes:
    # Upright first (the EXIF orientation), then every metadata segment goes (civic.imaging).
    image = imaging.without_metadata(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return imaging.encode_clean(image, image_format)
