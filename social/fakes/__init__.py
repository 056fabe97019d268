"""Local stand-ins for the social platforms, for tests and for the demo (`manage.py runfakes`)."""

from __future__ import annotations

from social.adapters import config
from social.fakes.base import BEHAVIOURS, FakePlatform, FakeRequest, FakeResponse
from social.fakes.bluesky import FakeBluesky
from social.fakes.facebook import FakeFacebook
from social.fakes.instagram import FakeInstagram
from social.fakes.mastodon import FakeMastodon
from social.fakes.x import FakeX

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
