"""Open Graph and Twitter card tags on every public page, and the 1200x630 card pictures."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.template import Context
from PIL import Image

from consultations.models import Consultation
from frontend import cards
from ideas.models import Publication
from tests import factories
from tests.consultations.images import png_bytes

pytestmark = pytest.mark.django_db

REQUIRED = (
    "og:title",
    "og:description",
    "og:url",
    "og:image",
    "og:image:width",
    "og:image:height",
    "og:image:alt",
    "twitter:card",
    "twitter:title",
    "twitter:description",
    "twitter:image",
)


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "meta":
            attrs = dict(attrs)
            name = attrs.get("property") or attrs.get("name")
            if name and name not in self.tags:
                self.tags[name] = attrs.get("content", "")


def meta_of(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Meta()
    parser.feed(response.content.decode())
    return parser.tags


def picture(client, image_url: str) -> Image.Image:
    parts = urlsplit(image_url)
    response = client.get(parts.path)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content))


def assert_complete(tags: dict[str, str]) -> None:
    missing = [name for name in REQUIRED if not tags.get(name)]
    assert not missing, missing
    assert tags["og:image:width"] == "1200" and tags["og:image:height"] == "630"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["og:image"].startswith("http") and tags["twitter:image"] == tags["og:image"]


# --- Tags on the public pages --------------------------------------------------------------------
def test_home_page_has_the_site_card(client, settings):
    tags = meta_of(client, "/")
    assert_complete(tags)
    assert tags["og:title"] == f"{settings.SITE_NAME} · {settings.MUNICIPALITY_NAME}"
    assert settings.MUNICIPALITY_NAME in tags["og:description"]
    assert urlsplit(tags["og:image"]).path == "/cards/site/default.png"
    assert picture(client, tags["og:image"]).size == (1200, 630)


def test_consultation_page_and_its_idea_list_have_the_consultation_card(client):
    consultation = factories.ConsultationFactory(title="Havnebadet", summary="Hvad skal der ske?")
    for url in (consultation.get_absolute_url(), f"/ideas/c/{consultation.slug}/"):
        tags = meta_of(client, url)
        assert_complete(tags)
        assert tags["og:title"] == "Havnebadet"
        assert tags["og:description"] == "Hvad skal der ske?"
        assert tags["og:url"].endswith(url)
        assert urlsplit(tags["og:image"]).path == f"/cards/consultation/{consultation.slug}.png"
        assert "Havnebadet" in tags["og:image:alt"]


def test_idea_page_has_the_idea_card(client):
    idea = factories.IdeaFactory(
        title="Sandstrand", description="A **public** bath with sand\n\nunder your feet."
    )
    tags = meta_of(client, idea.get_absolute_url())
    assert_complete(tags)
    assert tags["og:title"] == "Sandstrand"
    # Markdown becomes plain text in the description.
    assert tags["og:description"] == "A public bath with sand under your feet."
    assert urlsplit(tags["og:image"]).path == f"/cards/idea/{idea.reference}.png"
    image = picture(client, tags["og:image"])
    assert image.size == (1200, 630) and image.format == "PNG"


def test_topic_page_has_the_topic_card(client):
    topic = factories.TopicFactory(title="Tunnel or not?", introduction="Should we *dig*?")
    tags = meta_of(client, topic.get_absolute_url())
    assert_complete(tags)
    assert tags["og:title"] == "Tunnel or not?"
    assert tags["og:description"] == "Should we dig?"
    assert picture(client, tags["og:image"]).size == (1200, 630)


def test_titles_are_escaped_in_the_tags(client):
    consultation = factories.ConsultationFactory(
        title='Bad "<script>alert(1)</script>" & co', summary="<b>Sum</b> & more"
    )
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert (
        '<meta property="og:title" content="Bad &quot;&lt;script&gt;alert(1)&lt;/script&gt;'
        '&quot; &amp; co">'
    ) in page
    assert '<meta name="twitter:description" content="&lt;b&gt;Sum&lt;/b&gt; &amp; more">' in page


def test_staff_pages_of_drafts_fall_back_to_the_site_card(settings):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    hidden = factories.IdeaFactory(is_hidden=True)
    assert cards.card_for_context(Context({"consultation": draft})) == cards.site_card()
    # A hidden idea's page shows the consultation's card, never the idea's.
    card = cards.card_for_context(Context({"idea": hidden, "consultation": hidden.consultation}))
    assert card == cards.consultation_card(hidden.consultation)


# --- The pictures --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["site", "consultation", "idea", "topic"])
def test_every_card_is_a_1200_by_630_png(client, kind):
    idea = factories.IdeaFactory(title=("Et meget langt forslag " * 6).strip())
    topic = factories.TopicFactory(consultation=idea.consultation)
    key = {
        "site": "default",
        "consultation": idea.consultation.slug,
        "idea": idea.reference,
        "topic": str(topic.pk),
    }[kind]
    response = client.get(f"/cards/{kind}/{key}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)


def test_the_card_has_the_brand_colour_and_the_cover(client, settings):
    settings.BRAND_COLOUR = "#884400"
    consultation = factories.ConsultationFactory(cover_alt="The quay")
    consultation.cover_image.save("cover.png", ContentFile(png_bytes((800, 600))))
    image = picture(client, f"/cards/consultation/{consultation.slug}.png").convert("RGB")
    assert image.getpixel((5, 5)) == (0x88, 0x44, 0x00)
    # The cover (one flat colour) fills the right-hand side.
    assert image.getpixel((1100, 315)) == (11, 110, 153)


def test_a_consultation_without_cover_shows_its_map_with_pins(client):
    from maps.static_map import AREA_FILL, BACKGROUND

    consultation = factories.ConsultationFactory()
    image = picture(client, f"/cards/consultation/{consultation.slug}.png").convert("RGB")
    colours = {colour for _, colour in image.crop((700, 0, 1200, 630)).getcolors(100_000)}
    assert Image.new("RGB", (1, 1), AREA_FILL).getpixel((0, 0)) in colours
    assert Image.new("RGB", (1, 1), BACKGROUND).getpixel((0, 0)) in colours


def test_cards_are_drawn_once_and_again_after_a_change(client, monkeypatch):
    drawn = []
    real = cards.render
    monkeypatch.setattr(cards, "render", lambda picture: drawn.append(picture) or real(picture))
    consultation = factories.ConsultationFactory(title="Before")
    url = f"/cards/consultation/{consultation.slug}.png"
    first = client.get(url)
    assert client.get(url).content == first.content
    assert len(drawn) == 1
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    consultation.title = "After"
    consultation.save()
    assert client.get(url).content != first.content
    assert len(drawn) == 2
    # A new public idea is a new pin on the map: drawn again.
    factories.IdeaFactory(consultation=consultation)
    client.get(url)
    assert len(drawn) == 3


def test_only_public_objects_have_cards(client):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    hidden = factories.IdeaFactory(is_hidden=True)
    unconfirmed = factories.IdeaFactory(publication=Publication.PENDING_MODERATION)
    in_draft = factories.IdeaFactory(consultation=draft)
    topic_in_draft = factories.TopicFactory(consultation=draft)
    for url in (
        f"/cards/consultation/{draft.slug}.png",
        f"/cards/idea/{hidden.reference}.png",
        f"/cards/idea/{unconfirmed.reference}.png",
        f"/cards/idea/{in_draft.reference}.png",
        f"/cards/topic/{topic_in_draft.pk}.png",
        "/cards/topic/not-a-number.png",
        "/cards/consultation/no-such-slug.png",
        "/cards/site/other.png",
        "/cards/user/1.png",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/cards/site/default.png").status_code == 405


def test_the_card_reads_well_on_a_light_brand_colour(settings):
    from civic import imaging

    assert imaging.text_colour_on(imaging.rgb("#ffe14d")) == imaging.INK
    assert imaging.text_colour_on(imaging.rgb("#1f4e79")) == imaging.WHITE
    # An unusable setting falls back instead of breaking every card.
    assert imaging.rgb("not a colour") == imaging.rgb(imaging.FALLBACK_BRAND)


def test_long_titles_are_wrapped_and_cut_with_an_ellipsis():
    from civic import imaging

    face = imaging.font(40, bold=True)
    lines = imaging.wrap("ord " * 200, face, 500, 4)
    assert len(lines) == 4 and lines[-1].endswith("…")
    assert all(face.getlength(line) <= 500 for line in lines)
    assert imaging.wrap("x" * 300, face, 200, 3)[-1].endswith("…")


@pytest.mark.parametrize("site_url", ["javascript:alert(1)//", "data:text/html,x", "/relative"])
def test_card_addresses_are_only_ever_http(client, settings, site_url):
    # Other sites fetch and link these addresses: a misconfigured site address gives no tag
    # rather than a script address in every shared link.
    settings.SITE_URL = site_url
    consultation = factories.ConsultationFactory()
    html = client.get(consultation.get_absolute_url()).content.decode()
    tags = meta_of(client, consultation.get_absolute_url())
    for name in ("og:url", "og:image", "twitter:image"):
        assert name not in tags, name
    assert f'content="{site_url}' not in html
    assert tags["og:title"] == consultation.title
