"""Local stand-ins for the social platforms, for tests and for the demo (`manage.py runfakes`)."""

from __future__ import annotations

from devsite.fakes.base import BEHAVIOURS, FakePlatform, FakeRequest, FakeResponse
from devsite.fakes.bluesky import FakeBluesky
from devsite.fakes.facebook import FakeFacebook
from devsite.fakes.instagram import FakeInstagram
from devsite.fakes.mastodon import FakeMastodon
from devsite.fakes.x import FakeX
from social.adapters import config

FAKES: dict[str, type[FakePlatform]] = {
    config.FACEBOOK: FakeFacebook,
    config.INSTAGRAM: FakeInstagram,
    config.X: FakeX,
    config.MASTODON: FakeMastodon,
    config.BLUESKY: FakeBluesky,
}

__all__ = [
    "BEHAVIOURS",
    "FAKES",
    "FakeBluesky",
    "FakeFacebook",
    "FakeInstagram",
    "FakeMastodon",
    "FakePlatform",
    "FakeRequest",
    "FakeResponse",
    "FakeX",
]
