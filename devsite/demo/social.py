"""Demo social channels on the bundled fakes (`manage.py runfakes`), Christiansholm's published
Facebook post with the seed's figures ("Nået ud til 14.952 personer"), two public comments and
a Mastodon draft waiting for a second planner. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from consultations.models import Consultation
from devsite.demo.municipalities import inside
from devsite.fakes import FAKES
from social import services
from social.adapters import config
from social.models import Channel, ImportedComment, Origin, PostState, SocialPost

DEMO_PLATFORMS = (config.FACEBOOK, config.MASTODON, config.X, config.BLUESKY)
SEED_METRICS = {"reach": 14952, "views": None, "reactions": 148, "comments": 3, "shares": 14}
DEMO_REMOTE_ID = "100200300_900001"


def _fake_base_url(platform: str) -> str:
    port = settings.SOCIAL_FAKES_BASE_PORT + config.PLATFORMS.index(platform)
    return f"http://{settings.SOCIAL_FAKES_HOST}:{port}"


def _channels(users) -> dict[str, Channel]:
    channels = {}
    for platform in DEMO_PLATFORMS:
        base_url = _fake_base_url(platform)
        channel = Channel.objects.filter(platform=platform, base_url=base_url).first()
        if channel is None:
            fake = FAKES[platform]()
            channel = Channel(
                platform=platform,
                name=f"Københavns Kommune (demo {platform})",
                base_url=base_url,
                max_characters=500 if platform == config.MASTODON else None,
            )
            # The fakes' own demo credentials; not verified here since the fakes may not run yet.
            channel.credentials = fake.credentials()
            channel.save()
            channel.owners.add(users["administrator"])
        channels[platform] = channel
    return channels


def load(stdout, users):
    with inside("kobenhavn"):
        _load(stdout, users)


def _load(stdout, users):
    channels = _channels(users)
    cph = Consultation.objects.filter(slug="christiansholm").first()
    if cph is None:
        stdout.write("  social: demo channels on the fakes; no Christiansholm consultation")
        return
    facebook = channels[config.FACEBOOK]
    published_at = timezone.now() - timedelta(days=10)
    post, created = SocialPost.objects.get_or_create(
        consultation=cph,
        channel=facebook,
        origin=Origin.OPENED,
        origin_key="opened",
        defaults={
            "text": "Hvad skal Papirøen bruges til? Sæt din idé på kortet og støt de bedste. "
            + services.tracked_link(cph, config.FACEBOOK)
            + " #voreskbh",
            "link": services.tracked_link(cph, config.FACEBOOK),
            "state": PostState.PUBLISHED,
            "created_by": users["planner"],
            "approved_by": users.get("planner2") or users["administrator"],
            "approved_at": published_at,
            "published_at": published_at,
            "remote_id": DEMO_REMOTE_ID,
            "remote_url": f"https://www.facebook.com/{DEMO_REMOTE_ID}",
            "metrics": SEED_METRICS,
            "metrics_fetched_at": timezone.now(),
        },
    )
    for number, (author, text) in enumerate(
        [
            ("Mette Holm", "Et udendørs bad ved kajen ville være fantastisk!"),
            ("Jonas Berg", "Husk cykelparkering, når der kommer flere besøgende."),
        ],
        start=1,
    ):
        ImportedComment.objects.get_or_create(
            post=post,
            remote_id=f"900001_{number}",
            defaults={
                "platform": config.FACEBOOK,
                "author_name": author,
                "text": text,
                "created_at": published_at + timedelta(hours=number * 3),
            },
        )
    mastodon = channels[config.MASTODON]
    if not SocialPost.objects.filter(consultation=cph, channel=mastodon).exists():
        services.post_create(
            actor=users["planner"],
            channel=mastodon,
            consultation=cph,
            text="Sidste uge til at støtte idéerne til Papirøen! "
            + services.tracked_link(cph, config.MASTODON)
            + " #voreskbh",
        )
    stdout.write(
        f"  social: {len(channels)} demo channels on the fakes (manage.py runfakes); "
        f"Christiansholm's Facebook post {'added' if created else 'already in place'}"
    )
