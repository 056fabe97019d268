"""Images reach the platforms in production: bytes uploaded where the API takes them, a signed,
expiring address where the platform fetches the image itself (Instagram)."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from social import images, services
from social.outbox import run_due
from tests.social.factories import approved, channel_for

pytestmark = pytest.mark.django_db(transaction=True)


def _png(size=(1200, 630)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buffer, "PNG")
    return buffer.getvalue()


def _with_image(post, data: bytes):
    post.image.save("kort.png", ContentFile(data), save=False)
    post.alt_text = "Kort over stien"
    post.save(update_fields=["image", "alt_text"])
    return post


@pytest.fixture
def public_site(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.DEBUG = False
    return live_server


def test_instagram_fetches_the_image_from_a_signed_address_with_debug_off(
    instagram_fake, public_site
):
    from tests import factories

    instagram_fake.fetch_images = True
    post = services.post_create(
        actor=factories.PlannerFactory(),
        channel=channel_for(instagram_fake),
        text="Se kortet",
        image=ContentFile(_png(), name="kort.png"),
        alt_text="Kort over stien",
    )
    post = services.post_approve(actor=factories.PlannerFactory(), post=post)
    report = run_due()
    post.refresh_from_db()
    assert report.published == [post.pk], post.error
    (container,) = instagram_fake.containers.values()
    assert container.image_url.startswith(f"{public_site.url}/social/images/")
    assert "/media/" not in container.image_url
    # What Instagram fetched is the prepared image the outbox meant to send.
    (fetched,) = instagram_fake.fetched.values()
    (image,) = services.image_of(post)
    assert fetched == image.data
    assert Image.open(io.BytesIO(fetched)).format == "JPEG"


def test_instagram_refuses_an_address_it_cannot_fetch(instagram_fake, public_site):
    from social.adapters import Rejected
    from tests.social.conftest import adapter_for, make_post

    instagram_fake.fetch_images = True
    with adapter_for(instagram_fake) as adapter, pytest.raises(Rejected) as refused:
        adapter.publish(make_post(), "k")
    assert "Media download has failed" in str(refused.value)


def test_facebook_gets_the_image_bytes_as_multipart_source(facebook_fake):
    data = _png()
    post = _with_image(approved(channel_for(facebook_fake), text="Foto til Facebook"), data)
    assert run_due().published == [post.pk]
    (request,) = facebook_fake.requests_to("POST", "/photos")
    assert "url" not in request.form
    assert request.files["source"].data == data


def test_signed_address_serves_the_bytes_and_nothing_else(client, settings):
    settings.DEBUG = False
    name = default_storage.save("social/2026/12/kort.png", ContentFile(_png()))
    url = images.public_image_url(name)
    token = url.rstrip("/").rsplit("/", 1)[1]
    answer = client.get(f"/social/images/{token}/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert b"".join(answer.streaming_content) == default_storage.open(name).read()
    # A forged or altered token, or a file outside the social images, is not served.
    assert client.get(f"/social/images/{token[:-2]}xx/").status_code == 404
    outside = images.public_image_url("ideas/private.png")
    assert (
        client.get("/social/images/" + outside.rstrip("/").rsplit("/", 1)[1] + "/").status_code
        == 404
    )


def test_signed_address_expires(client, settings):
    from datetime import timedelta
    from unittest import mock

    name = default_storage.save("social/2026/12/gammel.png", ContentFile(_png()))
    token = images.public_image_url(name).rstrip("/").rsplit("/", 1)[1]
    settings.SOCIAL_IMAGE_URL_MAX_AGE_SECONDS = 3600
    import time as time_module

    later = time_module.time() + timedelta(hours=2).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(f"/social/images/{token}/").status_code == 404
    assert client.get(f"/social/images/{token}/").status_code == 200
