"""Serve the five fake social platforms and the stand-in map services (WMS, WMTS) for the demo:
`manage.py runfakes`."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from devsite.fakes import FAKES, hostile
from devsite.fakes.wms import FakeWMS
from devsite.fakes.wmts import FakeWMTS
from social.adapters import config

LOGIN_SETTINGS = {
    config.X: ("SOCIAL_X_CLIENT_ID", "SOCIAL_X_CLIENT_SECRET"),
    config.FACEBOOK: ("SOCIAL_FACEBOOK_APP_ID", "SOCIAL_FACEBOOK_APP_SECRET"),
    config.INSTAGRAM: ("SOCIAL_INSTAGRAM_APP_ID", "SOCIAL_INSTAGRAM_APP_SECRET"),
}


class Command(BaseCommand):
    help = (
        "Serve local fakes of Facebook, Instagram, X, Mastodon and Bluesky, and stand-in WMS and "
        "WMTS map services, until interrupted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.SOCIAL_FAKES_HOST)
        parser.add_argument(
            "--base-port",
            type=int,
            default=settings.SOCIAL_FAKES_BASE_PORT,
            help="Port of the first fake; the others follow in the order "
            + ", ".join(config.PLATFORMS)
            + ", wms, wmts",
        )
        parser.add_argument(
            "--hostile",
            action="append",
            default=[],
            choices=hostile.MODES,
            help="Answer every request the hostile way (repeat for several modes); see "
            'devsite.fakes.hostile. POST /_fake/hostile {"modes": [], "path"} changes it.',
        )
        parser.add_argument(
            "--seconds",
            type=float,
            default=None,
            help="Stop after this many seconds (default: serve until Ctrl-C).",
        )

    def handle(
        self,
        *args,
        host: str,
        base_port: int,
        seconds: float | None,
        hostile: list[str] = (),
        **options,
    ) -> None:
        fakes = []
        try:
            for offset, platform in enumerate(config.PLATFORMS):
                port = base_port + offset if base_port else 0
                fake = FAKES[platform](host=host, port=port).start()
                if hostile:
                    fake.make_hostile(*hostile)
                fakes.append(fake)
                credentials = " ".join(f"{k}={v}" for k, v in fake.credentials().items() if v)
                self.stdout.write(f"{platform:10} {fake.base_url}  {credentials}")
                login = fake.oauth_client()
                if login:
                    # The settings that offer "Connect with <platform>" against this fake.
                    prefix = LOGIN_SETTINGS[platform]
                    self.stdout.write(
                        f"{'':10} {prefix[0]}={login['client_id']} "
                        f"{prefix[1]}={login['client_secret']}"
                    )
            # The map services: a planner adds them on a consultation's "Map layers" page.
            for offset, (name, fake_class) in enumerate(
                (("wms", FakeWMS), ("wmts", FakeWMTS)), start=len(config.PLATFORMS)
            ):
                fake = fake_class(host=host, port=base_port + offset if base_port else 0).start()
                fakes.append(fake)
                self.stdout.write(f"{name:10} {fake.base_url}")
            self.stdout.write(
                f"{'':10} WMS base address {fakes[-2].base_url}/wms; WMTS capabilities "
                f"{fakes[-1].kvp_capabilities_url} or {fakes[-1].rest_capabilities_url}"
            )
            self.stdout.write(
                "Steer them over HTTP: GET /_fake/posts, POST /_fake/engagement "
                '{"id", "figures": {"reach", "views", "reactions", "shares"}}, POST /_fake/replies '
                '{"id", "text", "author"}, POST /_fake/script {"kind", "times", "method", "path"}, '
                'POST /_fake/hostile {"modes", "method", "path", "size"}, '
                'POST /_fake/clock {"advance_seconds"}, POST /_fake/limits {"blocked"} (Facebook) '
                '{"credits"} (X) {"publishing_limit"} (Instagram), '
                'POST /_fake/oauth {"consent": "allow"|"deny", "advance_seconds"}.'
            )
            self.stdout.write(self.style.SUCCESS("Fake platforms are serving. Ctrl-C stops them."))
            self.stdout.flush()
            threading.Event().wait(seconds)
        except KeyboardInterrupt:
            pass
        finally:
            for fake in fakes:
                fake.stop()
