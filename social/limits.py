"""Per-platform text and image rules, counted the way each platform counts.

The composer calls `check_post` on every keystroke to show live counters; the adapters call it
again before sending, so a post over the limit never reaches the platform.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import regex
from django.utils.translation import gettext, ngettext

from social.adapters import config

# Scheme URLs as every platform links them; trailing punctuation belongs to the sentence.
_SCHEME_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# X (twitter-text) also links bare domains whose top-level domain is a real one, of any kind:
# bit.ly/x, aarhus.city, kk.dk/høring. Bluesky's app links them the same way. The domain itself
# must be ASCII (or punycode); the path may hold any characters.
_BARE_DOMAIN = re.compile(
    r"(?<![\w@./#:-])(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?P<tld>xn--[a-z0-9-]{1,59}|[a-z]{2,63}))"
    r"(?![\w-])(?P<path>/[^\s<>\"'`]*)?",
    re.IGNORECASE,
)
_TLDS = frozenset(
    line.strip().lower()
    for line in (Path(__file__).with_name("tlds.txt")).read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
_TRAILING_PUNCTUATION = ".,;:!?'\"»”’"
_HASHTAG = regex.compile(r"(?<![\w#&])#(\p{L}[\p{L}\p{N}_]*|[\p{N}_]+\p{L}[\p{L}\p{N}_]*)")
_MASTODON_MENTION = re.compile(r"(?<![\w/])@(\w+)@[\w.-]+\w")
_GRAPHEME = regex.compile(r"\X")
_EMOJI_START = regex.compile(
    r"\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3"
)


# Platforms that cap image descriptions; the others take any reasonable length.
MAX_ALT_TEXT = {
    config.X: config.X_MAX_ALT_TEXT,
    config.MASTODON: config.MASTODON_MAX_DESCRIPTION,
}


class ImageLike(Protocol):
    alt_text: str


@dataclass(frozen=True)
class UrlSpan:
    """A URL in the text, by character (code point) offsets."""

    start: int
    end: int
    url: str


@dataclass(frozen=True)
class LimitResult:
    platform: str
    length: int
    limit: int
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    # What publishing costs where the platform charges per post (X), in US dollars.
    cost_usd: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def remaining(self) -> int:
        return self.limit - self.length


def _trim_url(url: str) -> str:
    while url and url[-1] in _TRAILING_PUNCTUATION:
        url = url[:-1]
    # A closing bracket ends the URL unless the URL opened it, as in Wikipedia links.
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def find_urls(
    text: str, *, bare_domains: bool = False, every_bare_domain: bool = False
) -> list[UrlSpan]:
    """Return the URLs a platform would link, in order, without overlaps.

    `bare_domains` links domains without a scheme by twitter-text's rules (X);
    `every_bare_domain` links every one with a real TLD, as the Bluesky app does (kk.dk too).
    """
    bare_domains = bare_domains or every_bare_domain
    spans: list[UrlSpan] = []
    for match in _SCHEME_URL.finditer(text):
        url = _trim_url(match.group())
        if "." in url.split("://", 1)[1]:
            spans.append(UrlSpan(match.start(), match.start() + len(url), url))
    if bare_domains:
        for match in _BARE_DOMAIN.finditer(text):
            if any(s.start <= match.start() < s.end for s in spans):
                continue
            if not every_bare_domain and not _is_linked_bare_domain(match):
                continue
            if every_bare_domain and match.group("tld").lower() not in _TLDS:
                continue
            url = _trim_url(match.group())
            spans.append(UrlSpan(match.start(), match.start() + len(url), url))
    return sorted(spans, key=lambda span: span.start)


def _is_linked_bare_domain(match: re.Match) -> bool:
    """twitter-text's rules for a domain written without a scheme: its TLD must be a real one,
    and a single name on a country TLD (kk.dk, bit.ly) is linked only with a path (kk.dk/x),
    except on .co and .tv (t.co); www.kk.dk and aarhus.city are always links."""
    tld = match.group("tld").lower()
    if tld not in _TLDS:
        return False
    single_name = match.group("host").count(".") == 1
    if len(tld) == 2 and single_name and not match.group("path"):
        return tld in ("co", "tv")
    return True


def find_hashtags(text: str) -> list[tuple[int, int, str]]:
    """Return (start, end, tag without '#') for every hashtag, by character offsets."""
    return [(m.start(), m.end(), m.group(1)) for m in _HASHTAG.finditer(text)]


def grapheme_count(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def _is_emoji(cluster: str) -> bool:
    if not _EMOJI_START.match(cluster):
        return False
    # Text-style symbols such as © or ™ are emoji only when asked to be (VS16 or a sequence).
    return ord(cluster[0]) > 0x10FF or len(cluster) > 1


def _code_point_weight(char: str) -> int:
    code = ord(char)
    for start, end, weight in config.X_TEXT_CONFIG["ranges"]:
        if start <= code <= end:
            return weight
    return config.X_TEXT_CONFIG["default_weight"]


def x_weighted_length(text: str) -> int:
    """Weighted length per twitter-text v3: NFC, ranges, emoji sequences and URLs as 23."""
    cfg = config.X_TEXT_CONFIG
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for span in find_urls(text, bare_domains=True):
        total += _weigh_plain(text[position : span.start])
        total += cfg["transformed_url_length"] * cfg["scale"]
        position = span.end
    total += _weigh_plain(text[position:])
    # twitter-text rounds down, so half a unit never tips a post over the limit.
    return total // cfg["scale"]


def _weigh_plain(text: str) -> int:
    total = 0
    for cluster in _GRAPHEME.findall(text):
        if _is_emoji(cluster):
            total += config.X_TEXT_CONFIG["default_weight"]
        else:
            total += sum(_code_point_weight(char) for char in cluster)
    return total


def mastodon_length(text: str, *, url_length: int = config.MASTODON_DEFAULT_URL_LENGTH) -> int:
    """Mastodon's count: graphemes, each URL as `url_length`, remote mentions by username only."""
    text = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), text)
    total = 0
    position = 0
    for span in find_urls(text):
        total += grapheme_count(text[position : span.start]) + url_length
        position = span.end
    return total + grapheme_count(text[position:])


def _alt_text_errors(
    images: Sequence[ImageLike], max_images: int | None, max_alt_text: int | None
) -> list[str]:
    errors: list[str] = []
    missing = sum(1 for image in images if not (getattr(image, "alt_text", "") or "").strip())
    if missing:
        errors.append(
            ngettext(
                "%(count)d image has no alternative text. Describe every image for people "
                "who cannot see it.",
                "%(count)d images have no alternative text. Describe every image for people "
                "who cannot see it.",
                missing,
            )
            % {"count": missing}
        )
    too_long = [
        len(image.alt_text)
        for image in images
        if max_alt_text is not None and len(getattr(image, "alt_text", "") or "") > max_alt_text
    ]
    if too_long:
        errors.append(
            gettext(
                "An image description has %(length)d characters; this platform accepts at most "
                "%(limit)d."
            )
            % {"length": max(too_long), "limit": max_alt_text}
        )
    if max_images is not None and len(images) > max_images:
        errors.append(
            ngettext(
                "This platform takes at most %(limit)d image per post.",
                "This platform takes at most %(limit)d images per post.",
                max_images,
            )
            % {"limit": max_images}
        )
    return errors


def _too_long(length: int, limit: int) -> str:
    over = length - limit
    return ngettext(
        "The text is %(over)d character too long (%(length)d of %(limit)d).",
        "The text is %(over)d characters too long (%(length)d of %(limit)d).",
        over,
    ) % {"over": over, "length": length, "limit": limit}


def check_post(
    platform: str,
    text: str,
    *,
    images: Sequence[ImageLike] = (),
    max_characters: int | None = None,
    url_length: int | None = None,
    max_images: int | None = None,
) -> LimitResult:
    """Check a post for one platform.

    `max_characters`, `url_length` and `max_images` override the defaults where the platform
    lets each server choose them (a Mastodon instance's own configuration).
    """
    errors: list[str] = []
    warnings: list[str] = []
    cost_usd = None
    if platform == config.X:
        length, limit = x_weighted_length(text), config.X_TEXT_CONFIG["max_weighted_length"]
        default_max_images = config.X_MAX_IMAGES
        has_url = bool(find_urls(text, bare_domains=True))
        cost_usd = Decimal(
            config.X_COST_PER_POST_WITH_URL_USD if has_url else config.X_COST_PER_POST_USD
        )
    elif platform == config.MASTODON:
        limit = max_characters or config.MASTODON_DEFAULT_MAX_CHARACTERS
        length = mastodon_length(text, url_length=url_length or config.MASTODON_DEFAULT_URL_LENGTH)
        default_max_images = config.MASTODON_DEFAULT_MAX_MEDIA
    elif platform == config.BLUESKY:
        length, limit = grapheme_count(text), config.BLUESKY_MAX_GRAPHEMES
        default_max_images = config.BLUESKY_MAX_IMAGES
        size = len(text.encode("utf-8"))
        if size > config.BLUESKY_MAX_BYTES:
            errors.append(
                gettext("The text takes %(size)d bytes; Bluesky accepts at most %(limit)d.")
                % {"size": size, "limit": config.BLUESKY_MAX_BYTES}
            )
    elif platform == config.INSTAGRAM:
        length, limit = len(text), config.INSTAGRAM_MAX_CAPTION
        default_max_images = config.INSTAGRAM_MAX_IMAGES
        if not images:
            errors.append(gettext("Instagram needs an image."))
        tags = len(find_hashtags(text))
        if tags > config.INSTAGRAM_MAX_HASHTAGS:
            errors.append(
                gettext("Instagram accepts at most %(limit)d hashtags; this caption has %(count)d.")
                % {"limit": config.INSTAGRAM_MAX_HASHTAGS, "count": tags}
            )
        elif tags > config.INSTAGRAM_ADVISED_HASHTAGS:
            warnings.append(
                gettext("Instagram advises at most %(limit)d hashtags; this caption has %(count)d.")
                % {"limit": config.INSTAGRAM_ADVISED_HASHTAGS, "count": tags}
            )
        if find_urls(text):
            warnings.append(gettext("Links in Instagram captions cannot be clicked."))
    elif platform == config.FACEBOOK:
        length, limit = len(text), config.FACEBOOK_MAX_MESSAGE
        default_max_images = config.FACEBOOK_MAX_IMAGES
    else:
        raise ValueError(f"Unknown platform {platform!r}")

    if not text.strip() and not images:
        errors.append(gettext("Write a text or add an image."))
    if length > limit:
        errors.insert(0, _too_long(length, limit))
    errors.extend(
        _alt_text_errors(images, max_images or default_max_images, MAX_ALT_TEXT.get(platform))
    )
    return LimitResult(
        platform=platform,
        length=length,
        limit=limit,
        errors=tuple(errors),
        warnings=tuple(warnings),
        cost_usd=cost_usd,
    )


# --- Images --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImageRules:
    """What one platform accepts as an attached image; `social.images` prepares images to fit.

    `aspect` is (narrowest, widest) width/height, or None where any shape is taken;
    `formats` are Pillow format names, the first one is used when the image must be re-encoded.
    """

    max_bytes: int
    max_side: int
    max_pixels: int
    formats: tuple[str, ...]
    aspect: tuple[float, float] | None = None
    min_side: int = 1


IMAGE_RULES = {
    # Photos up to 10 MB; Facebook shows them at most 2048 px wide, so larger is only weight.
    config.FACEBOOK: ImageRules(
        max_bytes=config.FACEBOOK_MAX_IMAGE_BYTES,
        max_side=2048,
        max_pixels=2048 * 2048,
        formats=("PNG", "JPEG"),
    ),
    # JPEG only, under 8 MiB, between 4:5 (portrait) and 1.91:1 (landscape); 1440 px wide at
    # most and 320 at least, or Instagram rescales it itself.
    config.INSTAGRAM: ImageRules(
        max_bytes=config.INSTAGRAM_MAX_IMAGE_BYTES,
        max_side=1440,
        max_pixels=1440 * 1800,
        formats=("JPEG",),
        aspect=(4 / 5, 1.91),
        min_side=320,
    ),
    # X: images up to 5 MB.
    config.X: ImageRules(
        max_bytes=5 * 1024 * 1024,
        max_side=4096,
        max_pixels=4096 * 4096,
        formats=("PNG", "JPEG", "WEBP"),
    ),
    # Mastodon's defaults (each instance may raise them): 10 MB before 4.4 raised it to 16 MB,
    # and at most 3840x2160 pixels' worth (8,294,400), which the server scales down to.
    config.MASTODON: ImageRules(
        max_bytes=10 * 1024 * 1024,
        max_side=3840,
        max_pixels=3840 * 2160,
        formats=("PNG", "JPEG", "WEBP"),
    ),
    # Bluesky blobs: at most 1,000,000 bytes; the app shows images at most 2000 px on a side.
    config.BLUESKY: ImageRules(
        max_bytes=config.BLUESKY_MAX_BLOB_BYTES,
        max_side=2000,
        max_pixels=2000 * 2000,
        formats=("PNG", "JPEG", "WEBP"),
    ),
}
