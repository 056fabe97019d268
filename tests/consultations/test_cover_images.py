"""Cover images lose every kind of metadata on upload, through the planner's form and the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from consultations.models import Consultation
from tests import factories
from tests.consultations.factories import form_post
from tests.social.hostile_images import assert_no_metadata, image_with_metadata

pytestmark = pytest.mark.django_db


def _stored(consultation: Consultation) -> bytes:
    consultation.refresh_from_db()
    with consultation.cover_image.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_cover_uploaded_in_the_form_keeps_no_metadata(client, planner, image_format):
    client.force_login(planner)
    data = image_with_metadata(image_format)
    upload = SimpleUploadedFile("harbour.jpg", data, content_type="image/jpeg")
    response = client.post(
        reverse("consultations:create"),
        {**form_post(cover_alt="The harbour"), "cover_image": upload},
    )
    assert response.status_code == 302
    image = assert_no_metadata(_stored(Consultation.objects.get()))
    assert image.format == image_format and image.size == (320, 240)


def test_a_cover_uploaded_through_the_api_keeps_no_metadata(planner):
    consultation = factories.ConsultationFactory()
    api = APIClient()
    api.force_authenticate(planner)
    upload = SimpleUploadedFile("quay.jpg", image_with_metadata("JPEG"), content_type="image/jpeg")
    response = api.patch(
        f"/api/v1/consultations/{consultation.slug}/",
        {"cover_image": upload, "cover_alt": "The quay"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    image = assert_no_metadata(_stored(consultation))
    assert image.format == "JPEG"
