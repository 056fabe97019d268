"""Helpers for the ideas tests: images with EXIF, answer templates, follows."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ideas.models import AnswerTemplate, Follow
from tests.factories import ConsultationFactory, UserFactory


def image_file(
    name="photo.jpg", image_format="JPEG", size=(64, 48), with_gps=False, colour="teal"
) -> SimpleUploadedFile:
    """A real image; with_gps writes an EXIF block with a GPS position as phones do."""
    image = Image.new("RGB", size, colour)
    output = io.BytesIO()
    kwargs = {}
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = exif.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (55.0, 40.0, 47.0)
        gps[3] = "E"
        gps[4] = (12.0, 35.0, 45.0)
        kwargs["exif"] = exif.tobytes()
    image.save(output, image_format, **kwargs)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(name, output.getvalue(), content_type=content_type)


class AnswerTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnswerTemplate

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Template {n}")
    status = "under_review"
    body = "Thank you. We are looking into your idea."


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    user = factory.SubFactory(UserFactory)
