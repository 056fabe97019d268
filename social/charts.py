"""The results picture of a consultation: its most supported ideas as a bar chart.

Drawn with Pillow in the municipality's colour; the description lists every figure, so people
who cannot see the picture get the same information.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from PIL import Image, ImageDraw

from civic import branding, imaging

WIDTH, HEIGHT = 1200, 675
MAX_BARS = 5
BACKGROUND = (255, 255, 255)
TRACK = (230, 234, 240)
# The shortest image description limit among the platforms (X: 1,000 characters).
MAX_ALT_TEXT = 1000
_MARGIN = 60


def leading_ideas(consultation, limit: int = MAX_BARS) -> list:
    """The public ideas with the most supporters, most first (ties by age)."""
    return list(
        consultation.ideas.published()
        .filter(support_count__gt=0)
        .order_by("-support_count", "created_at", "pk")[:limit]
    )


def heading(consultation) -> str:
    return gettext("Most supported ideas: %(title)s") % {"title": consultation.title}


def supporters(count: int) -> str:
    return ngettext("%(count)s supporter", "%(count)s supporters", count) % {"count": count}


def alt_text(consultation, ideas) -> str:
    """ "Bar chart …: A, 12 supporters; B, 7 supporters." within every platform's limit."""
    for title_chars in (140, 80, 50, 30):
        figures = "; ".join(
            gettext("%(idea)s, %(supporters)s")
            % {
                "idea": Truncator(idea.title).chars(title_chars),
                "supporters": supporters(idea.support_count),
            }
            for idea in ideas
        )
        text = gettext("Bar chart of the most supported ideas in %(title)s: %(figures)s.") % {
            "title": Truncator(consultation.title).chars(120),
            "figures": figures,
        }
        if len(text) <= MAX_ALT_TEXT:
            return text
    return Truncator(text).chars(MAX_ALT_TEXT)


def render(consultation, ideas) -> bytes:
    """A PNG of horizontal bars: the idea's title above its bar, the count at the bar's end."""
    brand = imaging.rgb(branding.effective().colour)
    ink = imaging.INK
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=brand)
    text_width = WIDTH - 2 * _MARGIN

    title_face = imaging.font(40, bold=True)
    lines = imaging.wrap(heading(consultation), title_face, text_width, 2)
    top = 44
    for line in lines:
        draw.text((_MARGIN, top), line, font=title_face, fill=ink)
        top += 50
    top += 16

    label_face = imaging.font(26)
    count_face = imaging.font(26, bold=True)
    most = max((idea.support_count for idea in ideas), default=1) or 1
    count_width = max((count_face.getlength(str(idea.support_count)) for idea in ideas), default=0)
    bar_area = text_width - count_width - 16
    footer = 48
    row = (HEIGHT - top - footer) / max(len(ideas), 1)
    row = min(row, 110)
    bar_height = max(int(row * 0.38), 14)
    for number, idea in enumerate(ideas):
        y = top + number * row
        label = imaging.wrap(idea.title, label_face, text_width, 1)
        draw.text((_MARGIN, y), label[0] if label else "", font=label_face, fill=ink)
        bar_top = y + 36
        draw.rectangle((_MARGIN, bar_top, _MARGIN + bar_area, bar_top + bar_height), fill=TRACK)
        length = max(int(bar_area * idea.support_count / most), 4)
        draw.rectangle((_MARGIN, bar_top, _MARGIN + length, bar_top + bar_height), fill=brand)
        draw.text(
            (_MARGIN + length + 12, bar_top + (bar_height - 26) / 2 - 2),
            str(idea.support_count),
            font=count_face,
            fill=ink,
        )

    footer_face = imaging.font(22)
    draw.text(
        (_MARGIN, HEIGHT - footer + 6),
        f"{branding.effective().name} · {settings.SITE_NAME} · " + gettext("Supporters per idea"),
        font=footer_face,
        fill=(74, 85, 104),
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
