"""Field rules shared by the model (so every service enforces them) and the planner's form."""

import contextlib

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Letters, digits and underscores after one "#": what Facebook, X, Mastodon and Bluesky all
# treat as one hashtag. Unicode letters are allowed because #næstvedby is a real tag.
validate_hashtag = RegexValidator(
    r"^#[^\W_][\w]*\Z",
    _("Write the hashtag as # followed by letters or digits without spaces, e.g. #voreskbh."),
    code="invalid_hashtag",
)

validate_reference_prefix = RegexValidator(
    r"^[A-Z]{2,8}\Z",
    _("Use 2 to 8 capital letters A-Z, e.g. CPH."),
    code="invalid_reference_prefix",
)

validate_hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}\Z",
    _("Write the colour as # and six hexadecimal digits, e.g. #1f77b4."),
    code="invalid_colour",
)

COVER_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
COVER_IMAGE_MAX_BYTES = 5 * 1024 * 1024


def validate_cover_image(upload) -> None:
    """Accept JPEG, PNG or WebP up to 5 MB, judged by the file's content, not its name."""
    if not upload:
        return
    size = getattr(upload, "size", None)
    if size is not None and size > COVER_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is too large (%(size)s MB); the limit is 5 MB."),
            code="image_too_large",
            params={"size": f"{size / 1024 / 1024:.1f}"},
        )
    # Images already stored were checked on upload; only a new file carries `image` from Pillow
    # (set by forms.ImageField) or needs opening here.
    image = getattr(upload, "image", None)
    image_format = getattr(image, "format", None)
    if (
        image_format is None
        and hasattr(upload, "open")
        and not getattr(upload, "_committed", False)
    ):
        image_format = _sniff_format(upload)
    elif image_format is None:
        return
    if image_format not in COVER_IMAGE_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="image_format")


def _sniff_format(upload) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            return image.format
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(_("Upload a JPEG, PNG or WebP image."), code="image_format") from None
    finally:
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
