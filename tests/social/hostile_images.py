"""Pictures that carry every kind of metadata a phone or editor writes, and the check that none
of it survived an upload: EXIF with a GPS position, XMP, an ICC profile, a JPEG comment (COM
segment) and PNG text chunks, each marked with a canary string found again by a byte search."""

from __future__ import annotations

import io

from PIL import Image, ImageCms, PngImagePlugin

CANARIES = (b"CANARY-CAMERA", b"CANARY-XMP", b"CANARY-COMMENT", b"CANARY-TEXT", b"CANARY-ICC")
GPS_IFD = 0x8825
MAKE = 0x010F
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'dc:creator="CANARY-XMP"/></rdf:RDF></x:xmpmeta>'
)


def _icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    # A profile description the byte search can find (the tag text is free to choose).
    return profile.tobytes() + b"CANARY-ICC"


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "CANARY-CAMERA"
    exif[0x0112] = 1  # upright
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 40.0, 12.5), 3: "E", 4: (12.0, 34.0, 5.0)})
    return exif


def image_with_metadata(image_format: str = "JPEG", size=(320, 240)) -> bytes:
    """A picture in `image_format` carrying GPS EXIF, XMP, ICC and a comment or text chunks."""
    picture = Image.new("RGB", size, (200, 60, 30))
    options: dict = {"exif": _exif(), "icc_profile": _icc(), "xmp": XMP}
    if image_format == "JPEG":
        options["comment"] = b"CANARY-COMMENT"
    if image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "CANARY-TEXT")
        text.add_itxt("Description", "CANARY-TEXT", zip=True)
        text.add_text("Author", "CANARY-COMMENT")
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = text
    output = io.BytesIO()
    picture.save(output, image_format, **options)
    data = output.getvalue()
    assert_carries_metadata(data)
    return data


def assert_carries_metadata(data: bytes) -> None:
    """The fixture must really carry what the test says is removed."""
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.getexif().get_ifd(GPS_IFD), "the fixture must carry a GPS position"
    assert image.info.get("icc_profile"), "the fixture must carry an ICC profile"
    if image.format == "JPEG":
        assert image.info.get("comment") == b"CANARY-COMMENT"
    assert b"CANARY-XMP" in data
    if image.format == "PNG":
        assert image.info.get("Comment") == "CANARY-TEXT"


def assert_no_metadata(data: bytes) -> Image.Image:
    """Nothing of the fixture's metadata is left, neither in Pillow's view nor in the bytes."""
    image = Image.open(io.BytesIO(data))
    image.load()
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD) and MAKE not in exif and not len(exif)
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "Comment"):
        assert key not in image.info, key
    for canary in CANARIES:
        assert canary not in data, canary
    assert b"Exif\x00\x00" not in data and b"http://ns.adobe.com/xap/1.0/" not in data
    assert b"ICC_PROFILE" not in data and b"iCCP" not in data and b"tEXt" not in data
    return image
