"""Images prepared for each platform's limits, and the results chart attached to results posts."""

from __future__ import annotations

import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from social import charts, images, services
from social.adapters import config
from social.limits import IMAGE_RULES
from social.models import Origin
from tests import factories
from tests.social.factories import channel_for


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def noise(size: tuple[int, int], seed: int = 7) -> Image.Image:
    """A picture no encoder can shrink much: the worst case for the byte limits."""
    width, height = size
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(width * height * 3))


def assert_within(prepared: images.PreparedImage, platform: str) -> Image.Image:
    rules = IMAGE_RULES[platform]
    image = Image.open(io.BytesIO(prepared.data))
    assert image.format == prepared.format and prepared.format in rules.formats
    assert image.size == (prepared.width, prepared.height)
    assert len(prepared.data) <= rules.max_bytes
    assert max(image.size) <= rules.max_side and min(image.size) >= rules.min_side
    assert image.width * image.height <= rules.max_pixels
    if rules.aspect:
        narrowest, widest = rules.aspect
        assert narrowest - 0.01 <= image.width / image.height <= widest + 0.01
    return image


SOURCES = {
    # 1500x1500 of noise: about 6.7 MB as PNG, over Bluesky's and X's byte limits.
    "heavy photo": lambda: encoded(noise((1500, 1500))),
    "panorama": lambda: encoded(Image.new("RGB", (4000, 1000), "#336699"), "JPEG"),
    "tall": lambda: encoded(Image.new("RGB", (900, 3000), "#336699")),
    "tiny": lambda: encoded(Image.new("RGB", (120, 90), "#336699")),
    "transparent": lambda: encoded(Image.new("RGBA", (800, 600), (20, 40, 60, 0))),
    "palette gif": lambda: encoded(Image.new("P", (600, 400)), "GIF"),
    "webp": lambda: encoded(Image.new("RGB", (1000, 700), "#336699"), "WEBP"),
}


@pytest.mark.parametrize("platform", config.PLATFORMS)
@pytest.mark.parametrize("source", SOURCES)
def test_every_platform_gets_an_image_within_its_limits(platform, source):
    assert_within(images.prepare(SOURCES[source](), platform), platform)


def test_bluesky_images_stay_under_a_million_bytes():
    prepared = images.prepare(encoded(noise((2200, 1400), seed=3)), config.BLUESKY)
    assert len(prepared.data) <= 1_000_000
    assert max(prepared.width, prepared.height) <= 2000


def test_x_takes_at_most_five_megabytes():
    data = encoded(noise((1500, 1500)))
    assert len(data) > 5 * 1024 * 1024
    assert len(images.prepare(data, config.X).data) <= 5 * 1024 * 1024
    # Facebook takes the same file as it is (under 10 MB, within 2048 px).
    assert images.prepare(data, config.FACEBOOK).data == data


def test_instagram_gets_jpeg_letterboxed_into_its_aspect_range():
    panorama = images.prepare(encoded(Image.new("RGB", (3000, 1000), "#336699")), "instagram")
    assert panorama.format == "JPEG" and panorama.mime_type == "image/jpeg"
    assert panorama.width / panorama.height == pytest.approx(1.91, abs=0.01)
    picture = Image.open(io.BytesIO(panorama.data)).convert("RGB")
    # Bands above and below, the picture itself kept whole in the middle.
    assert picture.getpixel((panorama.width // 2, 2)) == (255, 255, 255)
    red, green, blue = picture.getpixel((panorama.width // 2, panorama.height // 2))
    assert abs(red - 0x33) < 8 and abs(green - 0x66) < 8 and abs(blue - 0x99) < 8
    tall = images.prepare(encoded(Image.new("RGB", (500, 1500))), "instagram")
    assert tall.width / tall.height == pytest.approx(0.8, abs=0.01)


def test_a_fitting_image_goes_out_byte_for_byte():
    data = encoded(Image.new("RGB", (1200, 630), "#336699"))
    for platform in (config.FACEBOOK, config.X, config.MASTODON, config.BLUESKY):
        prepared = images.prepare(data, platform)
        assert prepared.data == data and prepared.mime_type == "image/png"
    # Instagram takes no PNG.
    assert images.prepare(data, config.INSTAGRAM).format == "JPEG"


def test_a_file_that_is_no_image_is_refused():
    with pytest.raises(ValidationError) as error:
        images.prepare(b"not an image at all", config.X)
    assert "image" in error.value.message_dict


# --- Where posts get their images ----------------------------------------------------------------
@pytest.mark.django_db
def test_drafted_map_images_fit_each_channel(mastodon_fake, instagram_fake, bluesky_fake):
    for fake in (mastodon_fake, instagram_fake, bluesky_fake):
        channel_for(fake)
    consultation = factories.ConsultationFactory()
    posts = services.event_post_draft(
        consultation=consultation, origin=Origin.OPENED, origin_key="opened"
    )
    assert len(posts) == 3
    for post in posts:
        with post.image.open("rb") as handle:
            data = handle.read()
        image = Image.open(io.BytesIO(data))
        expected = "JPEG" if post.channel.platform == config.INSTAGRAM else "PNG"
        assert image.format == expected
        assert len(data) <= IMAGE_RULES[post.channel.platform].max_bytes
        (media,) = services.image_of(post)
        # Prepared when drafted: sent as stored; only Instagram, which fetches the image
        # itself, gets an address, a signed one naming the stored file.
        assert media.data == data
        if post.channel.platform == config.INSTAGRAM:
            token = media.url.rstrip("/").rsplit("/", 1)[1]
            assert images.public_image_name(token) == post.image.name
        else:
            assert media.url == ""


@pytest.mark.django_db
def test_a_planners_heavy_upload_is_fitted_to_bluesky(bluesky_fake):
    post = services.post_create(
        actor=factories.PlannerFactory(),
        channel=channel_for(bluesky_fake),
        text="Borgermøde",
        image=ContentFile(encoded(noise((1500, 1500))), name="moede.png"),
        alt_text="Salen før mødet",
    )
    with post.image.open("rb") as handle:
        assert len(handle.read()) <= 1_000_000
    assert post.image.name.endswith(".jpg")


@pytest.mark.django_db
def test_an_upload_that_is_no_image_is_a_form_error(mastodon_fake):
    with pytest.raises(ValidationError) as error:
        services.post_create(
            actor=factories.PlannerFactory(),
            channel=channel_for(mastodon_fake),
            text="t",
            image=ContentFile(b"%PDF-1.4", name="x.png"),
            alt_text="a",
        )
    assert "image" in error.value.message_dict


@pytest.mark.django_db
def test_an_image_stored_before_is_fitted_when_sent(instagram_fake):
    post = services.post_create(
        actor=factories.PlannerFactory(),
        channel=channel_for(instagram_fake),
        text="Havnen",
        image=ContentFile(encoded(Image.new("RGB", (800, 800))), name="havn.jpg"),
        alt_text="Havnen",
    )
    # An older draft kept a PNG that Instagram does not take.
    post.image.save("old.png", ContentFile(encoded(Image.new("RGB", (800, 800)))))
    (media,) = services.image_of(post)
    assert media.mime_type == "image/jpeg" and media.filename.endswith("-instagram.jpg")
    assert Image.open(io.BytesIO(media.data)).format == "JPEG"
    # Instagram fetches by address: the signed address names the fitted copy.
    stored = images.public_image_name(media.url.rstrip("/").rsplit("/", 1)[1])
    assert stored.endswith("-instagram.jpg") and stored != post.image.name
    (again,) = services.image_of(post)
    assert again.data == media.data
    assert images.public_image_name(again.url.rstrip("/").rsplit("/", 1)[1]) == stored


# --- The results chart ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_results_posts_carry_a_chart_of_the_leading_ideas(mastodon_fake, instagram_fake):
    channel_for(mastodon_fake)
    channel_for(instagram_fake)
    consultation = factories.ConsultationFactory(
        title="Christiansholm", language="en", results_published_at=timezone.now()
    )
    factories.IdeaFactory(consultation=consultation, title="Badezone", support_count=42)
    factories.IdeaFactory(consultation=consultation, title="Bænke", support_count=7)
    factories.IdeaFactory(
        consultation=consultation, title="Skjult", support_count=99, is_hidden=True
    )
    factories.IdeaFactory(consultation=consultation, title="Ingen", support_count=0)
    posts = services.event_post_draft(
        consultation=consultation, origin=Origin.RESULTS, origin_key="results"
    )
    assert len(posts) == 2
    for post in posts:
        assert post.alt_text == (
            "Bar chart of the most supported ideas in Christiansholm: "
            "Badezone, 42 supporters; Bænke, 7 supporters."
        )
        assert "results" in post.image.name
        with post.image.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
        if post.channel.platform == config.INSTAGRAM:
            assert image.format == "JPEG"
            assert 0.8 <= image.width / image.height <= 1.91
        else:
            assert image.format == "PNG" and image.size == (charts.WIDTH, charts.HEIGHT)
        assert services.check_text(
            post.channel, post.text, has_image=True, alt_text=post.alt_text
        ).ok


@pytest.mark.django_db
def test_results_without_supporters_show_the_map(mastodon_fake):
    channel_for(mastodon_fake)
    consultation = factories.ConsultationFactory(language="en", results_published_at=timezone.now())
    (post,) = services.event_post_draft(
        consultation=consultation, origin=Origin.RESULTS, origin_key="results"
    )
    assert post.alt_text.startswith("Map of the area")


@pytest.mark.django_db
def test_chart_bars_are_proportional_to_the_supporters():
    from civic import imaging

    consultation = factories.ConsultationFactory()
    factories.IdeaFactory(consultation=consultation, support_count=100)
    factories.IdeaFactory(consultation=consultation, support_count=50)
    ideas = charts.leading_ideas(consultation)
    image = Image.open(io.BytesIO(charts.render(consultation, ideas))).convert("RGB")
    brand = imaging.rgb(charts.settings.BRAND_COLOUR)
    rows = [y for y in range(20, image.height) if image.getpixel((charts._MARGIN + 2, y)) == brand]
    lengths = []
    for y in (rows[len(rows) // 4], rows[-1]):
        row = [x for x in range(image.width) if image.getpixel((x, y)) == brand]
        lengths.append(max(row) - charts._MARGIN)
    assert lengths[1] == pytest.approx(lengths[0] / 2, abs=3)


@pytest.mark.django_db
def test_chart_description_stays_within_every_platforms_limit():
    consultation = factories.ConsultationFactory(title="T" * 200)
    for number in range(5):
        factories.IdeaFactory(
            consultation=consultation, title=f"{number} " + "lang titel " * 12, support_count=9
        )
    text = charts.alt_text(consultation, charts.leading_ideas(consultation))
    assert len(text) <= min(config.X_MAX_ALT_TEXT, config.MASTODON_MAX_DESCRIPTION)
    assert text.count("9 supporters") == 5


# --- Metadata ------------------------------------------------------------------------------------
@pytest.mark.parametrize("platform", config.PLATFORMS)
@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_a_photo_goes_out_without_its_metadata(platform, image_format):
    from tests.social.hostile_images import assert_no_metadata, image_with_metadata

    # Small enough to fit every platform as it is: only its metadata makes it re-encoded.
    prepared = images.prepare(image_with_metadata(image_format, size=(800, 600)), platform)
    assert_no_metadata(prepared.data)
    assert (prepared.width, prepared.height) == (800, 600) or platform == config.INSTAGRAM


@pytest.mark.django_db
def test_a_planners_photo_is_stored_and_sent_without_metadata(mastodon_fake):
    from tests.social.hostile_images import assert_no_metadata, image_with_metadata

    post = services.post_create(
        actor=factories.PlannerFactory(),
        channel=channel_for(mastodon_fake),
        text="Havnen i morges",
        image=ContentFile(image_with_metadata("JPEG", size=(800, 600)), name="havn.jpg"),
        alt_text="Havnen",
    )
    with post.image.open("rb") as handle:
        assert_no_metadata(handle.read())
    (media,) = services.image_of(post)
    assert_no_metadata(media.data)
