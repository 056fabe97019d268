"""Link cards: the title, description and 1200x630 picture a shared link shows elsewhere.

Every public page gets its Open Graph and Twitter card tags from `card_for_context`, which
looks at what the page shows (an idea, a debate topic, a consultation) and falls back to a
card for the whole site. The picture is drawn here with Pillow in the municipality's colour
and served by `frontend.views.card_image`; it is cached under a digest of everything drawn
on it, so a changed title or a new pin gives a new picture and nothing is drawn twice.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from civic import branding, imaging, tenancy
from civic.external_urls import safe_url
from civic.markdown import markdown_to_text

WIDTH, HEIGHT = 1200, 630
KINDS = ("site", "consultation", "idea", "topic")
SITE_KEY = "default"
DESCRIPTION_CHARS = 200
CACHE_SECONDS = 7 * 24 * 3600
# Bump when the drawing changes so cached pictures are drawn again.
DRAWING_VERSION = "1"
_MARGIN = 56
_PICTURE_WIDTH = 540
_MAX_PINS = 500


@dataclass(frozen=True)
class LinkCard:
    """What the meta tags of one page say."""

    title: str
    description: str
    image_url: str
    image_alt: str
    width: int = WIDTH
    height: int = HEIGHT


# --- Which card a page gets ----------------------------------------------------------------------
def _is_public_consultation(consultation) -> bool:
    return consultation is not None and consultation.status != "draft"


def _is_public_idea(idea) -> bool:
    return bool(getattr(idea, "is_public", False)) and _is_public_consultation(idea.consultation)


def _plain(markdown: str) -> str:
    text = " ".join(markdown_to_text(markdown or "").split())
    return Truncator(text).chars(DESCRIPTION_CHARS)


def _image_url(kind: str, key: str, version) -> str:
    path = reverse("card_image", kwargs={"kind": kind, "key": key})
    stamp = int(version.timestamp()) if version is not None else 0
    # Other sites fetch this address to draw the card: only ever an absolute http(s) one.
    return safe_url(f"{tenancy.site_url()}{path}?v={stamp}")


def site_description() -> str:
    # The same sentence as the pages' own description (base.html).
    return gettext("Take part in how %(MUNICIPALITY_NAME)s changes.") % {
        "MUNICIPALITY_NAME": branding.effective().name
    }


def site_card() -> LinkCard:
    title = f"{settings.SITE_NAME} · {branding.effective().name}"
    return LinkCard(
        title=title,
        description=site_description(),
        image_url=_image_url("site", SITE_KEY, None),
        image_alt=gettext("%(site)s, %(municipality)s: take part in how the area changes.")
        % {"site": settings.SITE_NAME, "municipality": branding.effective().name},
    )


def consultation_card(consultation) -> LinkCard:
    return LinkCard(
        title=consultation.title,
        description=Truncator(" ".join(consultation.summary.split())).chars(DESCRIPTION_CHARS),
        image_url=_image_url("consultation", consultation.slug, consultation.updated_at),
        image_alt=picture_alt("consultation", consultation.title, consultation),
    )


def idea_card(idea) -> LinkCard:
    return LinkCard(
        title=idea.title,
        description=_plain(idea.description),
        image_url=_image_url("idea", idea.reference, idea.updated_at),
        image_alt=picture_alt("idea", idea.title, idea.consultation),
    )


def topic_card(topic) -> LinkCard:
    consultation = topic.consultation
    return LinkCard(
        title=topic.title,
        description=_plain(topic.introduction) or consultation.summary,
        image_url=_image_url("topic", str(topic.pk), consultation.updated_at),
        image_alt=picture_alt("topic", topic.title, consultation),
    )


def card_for_context(context) -> LinkCard:
    """The card of the most specific public thing the page shows; the site's card otherwise.

    Staff pages about a draft consultation or a hidden idea fall back to the site's card, so
    their tags never point at a picture the public cannot load.
    """
    idea = context.get("idea")
    if idea is not None and hasattr(idea, "reference") and _is_public_idea(idea):
        return idea_card(idea)
    topic = context.get("topic")
    is_topic = topic is not None and hasattr(topic, "introduction")
    if is_topic and _is_public_consultation(topic.consultation):
        return topic_card(topic)
    consultation = context.get("consultation")
    if hasattr(consultation, "slug") and _is_public_consultation(consultation):
        return consultation_card(consultation)
    return site_card()


def picture_alt(kind: str, title: str, consultation) -> str:
    """The picture's description for people who cannot see it (og:image:alt)."""
    if kind == "consultation":
        text = gettext("%(title)s, a consultation in %(municipality)s.") % {
            "title": title,
            "municipality": branding.effective().name,
        }
        if consultation.cover_image and consultation.cover_alt:
            return f"{text} {consultation.cover_alt}"
        if consultation.area:
            return text + " " + gettext("A map of the area with the ideas marked.")
        return text
    if kind == "idea":
        return gettext("%(title)s, an idea in %(consultation)s, marked on the map of the area.") % {
            "title": title,
            "consultation": consultation.title,
        }
    return gettext("%(title)s, a debate in %(consultation)s.") % {
        "title": title,
        "consultation": consultation.title,
    }


# --- Finding what a picture is of ----------------------------------------------------------------
@dataclass(frozen=True)
class CardPicture:
    """Everything drawn on one card; its digest names the cached PNG."""

    title: str
    label: str
    language: str
    cover: str = ""
    area: object = None
    pins: tuple[tuple[float, float], ...] = ()
    highlight: tuple[float, float] | None = None
    stamp: str = ""

    def digest(self) -> str:
        parts = [
            DRAWING_VERSION,
            settings.SITE_NAME,
            branding.effective().name,
            branding.effective().colour,
            repr(self),
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _public_pins(consultation) -> tuple[tuple[float, float], ...]:
    from ideas.selectors import ideas_visible_to

    return tuple(
        ideas_visible_to(AnonymousUser())
        .filter(consultation=consultation)
        .order_by("-support_count", "pk")
        .values_list("longitude", "latitude")[:_MAX_PINS]
    )


def picture_for(kind: str, key: str) -> CardPicture | None:
    """What the card of a public object shows, or None when there is no such public object.

    What is public is the apps' own selectors' answer for an anonymous visitor; this module
    only draws."""
    from consultations.models import Consultation
    from consultations.selectors import consultation_for_viewer, topic_for_viewer
    from ideas.selectors import idea_for_viewer

    anonymous = AnonymousUser()

    if kind == "site":
        if key != SITE_KEY:
            return None
        # The municipality served: its name, address and language.
        language = branding.effective().language or settings.LANGUAGE_CODE
        with translation.override(language):
            return CardPicture(
                title=site_description(),
                label=tenancy.site_url().split("://", 1)[-1],
                language=language,
            )
    if kind == "consultation":
        try:
            consultation = consultation_for_viewer(
                anonymous, key, queryset=Consultation.objects.all()
            )
        except Http404:
            return None
        with translation.override(consultation.language):
            label = gettext("Consultation")
        return CardPicture(
            title=consultation.title,
            label=label,
            language=consultation.language,
            cover=consultation.cover_image.name if consultation.cover_image else "",
            area=consultation.area,
            pins=() if consultation.cover_image else _public_pins(consultation),
            stamp=consultation.updated_at.isoformat(),
        )
    if kind == "idea":
        idea = idea_for_viewer(reference=key, viewer=anonymous)
        if idea is None:
            return None
        consultation = idea.consultation
        with translation.override(consultation.language):
            label = gettext("Idea in %(consultation)s") % {"consultation": consultation.title}
        return CardPicture(
            title=idea.title,
            label=label,
            language=consultation.language,
            area=consultation.area,
            pins=_public_pins(consultation),
            highlight=(idea.longitude, idea.latitude),
            stamp=idea.updated_at.isoformat(),
        )
    if kind == "topic":
        if not key.isdigit():
            return None
        try:
            topic = topic_for_viewer(anonymous, int(key))
        except Http404:
            return None
        consultation = topic.consultation
        with translation.override(consultation.language):
            label = gettext("Debate in %(consultation)s") % {"consultation": consultation.title}
        return CardPicture(
            title=topic.title,
            label=label,
            language=consultation.language,
            cover=consultation.cover_image.name if consultation.cover_image else "",
            stamp=consultation.updated_at.isoformat(),
        )
    return None


def card_png(picture: CardPicture) -> tuple[bytes, str]:
    """The PNG of a card and its digest (used as ETag), drawn once per distinct content."""
    digest = picture.digest()
    cache_key = f"linkcard:{digest}"
    png = cache.get(cache_key)
    if png is None:
        png = render(picture)
        cache.set(cache_key, png, CACHE_SECONDS)
    return png, digest


# --- Drawing -------------------------------------------------------------------------------------
def _cover(name: str, size: tuple[int, int]) -> Image.Image | None:
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(name, "rb") as handle:
            image = Image.open(handle)
            image = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError):
        # A missing or broken cover file leaves the card without its picture, not broken.
        return None
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)


def _map(picture: CardPicture, size: tuple[int, int]) -> Image.Image | None:
    from maps.static_map import Pin, render_png

    if not picture.area and not picture.pins:
        return None
    pins = [Pin(lon, lat) for lon, lat in picture.pins if (lon, lat) != picture.highlight]
    if picture.highlight:
        brand = "#{:02x}{:02x}{:02x}".format(*imaging.rgb(branding.effective().colour))
        pins.append(Pin(*picture.highlight, colour=brand))
    return Image.open(io.BytesIO(render_png(picture.area, pins, size=size))).convert("RGB")


def _side_picture(picture: CardPicture) -> Image.Image | None:
    size = (_PICTURE_WIDTH, HEIGHT)
    if picture.cover:
        cover = _cover(picture.cover, size)
        if cover is not None:
            return cover
    return _map(picture, size)


def _title_face(title: str, width: int):
    for size in (68, 60, 52, 46, 40):
        face = imaging.font(size, bold=True)
        if imaging.fits(title, face, width, 4):
            return face
    return imaging.font(40, bold=True)


def render(picture: CardPicture) -> bytes:
    """Draw the card: the brand panel with names and title, the map or cover on the right."""
    brand = imaging.rgb(branding.effective().colour)
    ink = imaging.text_colour_on(brand)
    canvas = Image.new("RGB", (WIDTH, HEIGHT), brand)
    side = _side_picture(picture)
    panel_width = WIDTH - (_PICTURE_WIDTH if side is not None else 0)
    if side is not None:
        canvas.paste(side, (panel_width, 0))
    draw = ImageDraw.Draw(canvas)
    text_width = panel_width - 2 * _MARGIN

    municipality_face = imaging.font(30, bold=True)
    site_face = imaging.font(26)
    draw.text(
        (_MARGIN, _MARGIN),
        imaging.wrap(branding.effective().name, municipality_face, text_width, 1)[0],
        font=municipality_face,
        fill=ink,
    )
    draw.text(
        (_MARGIN, _MARGIN + 42),
        imaging.wrap(settings.SITE_NAME, site_face, text_width, 1)[0],
        font=site_face,
        fill=ink,
    )
    draw.line((_MARGIN, _MARGIN + 92, _MARGIN + 96, _MARGIN + 92), fill=ink, width=5)

    title_face = _title_face(picture.title, text_width)
    lines = imaging.wrap(picture.title or settings.SITE_NAME, title_face, text_width, 4)
    line_height = int(title_face.size * 1.18)
    top = _MARGIN + 130
    for number, line in enumerate(lines):
        draw.text((_MARGIN, top + number * line_height), line, font=title_face, fill=ink)

    label_face = imaging.font(28)
    label = imaging.wrap(picture.label, label_face, text_width, 1)
    if label:
        draw.text((_MARGIN, HEIGHT - _MARGIN - 34), label[0], font=label_face, fill=ink)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
