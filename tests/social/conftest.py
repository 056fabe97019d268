"""Fake platforms on free loopback ports, and adapters pointed at them."""

from __future__ import annotations

import pytest
from django.utils import translation

from devsite.fakes import FakeBluesky, FakeFacebook, FakeInstagram, FakeMastodon, FakeX
from social.adapters import MediaImage, OutgoingPost, build_adapter
from social.adapters.bluesky import BlueskyAdapter

# Short enough that slow-answer tests stay fast, long enough for a loaded CI machine.
TIMEOUT = 1.0
SLOW = 2.0

IMAGE = MediaImage(
    data=b"\xff\xd8\xff\xe0fake-jpeg-bytes",
    alt_text="Kort over Christiansholm med de foreslåede stier",
    url="https://kk.example/media/christiansholm.jpg",
)


def make_post(
    text: str = "Christiansholm: fortæl os din idé https://kk.example/c #Christiansholm",
    *,
    images=(IMAGE,),
    **kwargs,
) -> OutgoingPost:
    return OutgoingPost(text=text, images=tuple(images), **kwargs)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in their English source; the da and nb tests override this."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_bluesky_sessions():
    BlueskyAdapter.forget_sessions()
    yield
    BlueskyAdapter.forget_sessions()


def _serve(fake):
    fake.start()
    return fake


@pytest.fixture
def facebook_fake():
    fake = _serve(FakeFacebook())
    yield fake
    fake.stop()


@pytest.fixture
def instagram_fake():
    fake = _serve(FakeInstagram())
    yield fake
    fake.stop()


@pytest.fixture
def x_fake():
    fake = _serve(FakeX())
    yield fake
    fake.stop()


@pytest.fixture
def mastodon_fake():
    fake = _serve(FakeMastodon())
    yield fake
    fake.stop()


@pytest.fixture
def bluesky_fake():
    fake = _serve(FakeBluesky())
    yield fake
    fake.stop()


def adapter_for(fake, **options):
    if fake.platform == "instagram":
        options.setdefault("poll_interval", 0.01)
    return build_adapter(
        fake.platform,
        base_url=fake.base_url,
        credentials=fake.credentials(),
        timeout=TIMEOUT,
        **options,
    )


@pytest.fixture
def facebook(facebook_fake):
    with adapter_for(facebook_fake) as adapter:
        yield adapter


@pytest.fixture
def instagram(instagram_fake):
    with adapter_for(instagram_fake) as adapter:
        yield adapter


@pytest.fixture
def x(x_fake):
    with adapter_for(x_fake) as adapter:
        yield adapter


@pytest.fixture
def mastodon(mastodon_fake):
    with adapter_for(mastodon_fake) as adapter:
        yield adapter


@pytest.fixture
def bluesky(bluesky_fake):
    with adapter_for(bluesky_fake) as adapter:
        yield adapter


PLATFORMS = ("facebook", "instagram", "x", "mastodon", "bluesky")


@pytest.fixture(params=PLATFORMS)
def platform_pair(request):
    """(fake, adapter) for each platform in turn."""
    fake = request.getfixturevalue(f"{request.param}_fake")
    adapter = request.getfixturevalue(request.param)
    return fake, adapter


@pytest.fixture
def quick_outbox(settings):
    """Short timeouts and retry steps, for the outbox tests over real HTTP."""
    settings.SOCIAL_HTTP_TIMEOUT_SECONDS = TIMEOUT
    settings.SOCIAL_OUTBOX_RETRY_BASE_SECONDS = 30


@pytest.fixture
def mastodon_channel(db, mastodon_fake):
    from tests.social.factories import channel_for

    return channel_for(mastodon_fake)


def stored_texts(fake) -> list[str]:
    """The texts of the posts a fake holds for the municipality's own account."""
    with fake.lock:
        return [post["text"] for post in fake.published()]
