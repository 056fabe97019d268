import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ideas.images import clean_idea_image

from .factories import image_file


def _reopen(upload):
    upload.seek(0)
    return Image.open(io.BytesIO(upload.read()))


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_exif_and_gps_are_stripped(image_format):
    original = image_file(name="phone.jpg", image_format=image_format, with_gps=True)
    assert _reopen(original).getexif().get_ifd(0x8825), "the fixture must carry GPS data"
    original.seek(0)
    cleaned = clean_idea_image(original)
    image = _reopen(cleaned)
    assert image.format == image_format
    exif = image.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif
    assert "exif" not in image.info


def test_png_is_kept_as_png():
    cleaned = clean_idea_image(image_file(name="map.png", image_format="PNG"))
    assert cleaned.name == "map.png"
    assert _reopen(cleaned).format == "PNG"


def test_name_does_not_decide_the_type():
    disguised = image_file(name="innocent.txt", image_format="PNG")
    assert clean_idea_image(disguised).name == "innocent.png"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4 not an image", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", b""],
)
def test_non_images_are_refused(content):
    upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        clean_idea_image(upload)
    assert "photos" in error.value.message_dict


def test_gif_is_refused():
    output = io.BytesIO()
    Image.new("RGB", (8, 8)).save(output, "GIF")
    upload = SimpleUploadedFile("anim.gif", output.getvalue(), content_type="image/gif")
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        clean_idea_image(upload)


def test_oversized_file_is_refused(settings):
    settings.IDEA_IMAGE_MAX_BYTES = 1000
    noise = Image.frombytes("RGB", (100, 100), os.urandom(100 * 100 * 3))
    output = io.BytesIO()
    noise.save(output, "PNG")
    assert len(output.getvalue()) > 1000
    upload = SimpleUploadedFile("noise.png", output.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError, match="larger than"):
        clean_idea_image(upload)


def test_truncated_jpeg_is_refused():
    whole = image_file(size=(200, 200)).read()
    upload = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 3], content_type="image/jpeg")
    with pytest.raises(ValidationError):
        clean_idea_image(upload)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_every_kind_of_metadata_is_removed(image_format):
    from tests.social.hostile_images import assert_no_metadata, image_with_metadata

    data = image_with_metadata(image_format)
    upload = SimpleUploadedFile(f"phone.{image_format.lower()}", data, content_type="image/jpeg")
    cleaned = clean_idea_image(upload)
    cleaned.seek(0)
    image = assert_no_metadata(cleaned.read())
    assert image.format == image_format
    # The colours survive the conversion to sRGB.
    red, green, blue = image.convert("RGB").getpixel((10, 10))[:3]
    assert abs(red - 200) < 12 and abs(green - 60) < 12 and abs(blue - 30) < 12
