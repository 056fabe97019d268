"""Each platform's length rules, counted the way the platform counts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from social import limits
from social.adapters.bluesky import link_facets


def image(alt: str = "Havnebadet ved Christiansholm"):
    return SimpleNamespace(alt_text=alt)


# --- X: twitter-text v3 weighting ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("hello", 5),
        ("Æblegrød på Nørrebro", 20),  # Latin-1 and Latin Extended weigh 1
        ("日本語", 6),  # CJK weighs 2
        ("한국어", 6),
        ("😀", 2),  # an emoji weighs 2
        ("👩‍👩‍👧", 2),  # a ZWJ family is one emoji
        ("🇩🇰", 2),  # a flag is one emoji
        ("👍🏽", 2),  # with a skin tone
        ("e\u0301", 1),  # NFC turns e + combining accent into é
        ("“quoted” — dash", 15),  # typographic punctuation in the light ranges
        ("https://kk.example/a/very/long/path/that/is/much/longer/than/23", 23),
        ("see kk.dk/borgerforslag now", 4 + 23 + 4),  # bare domains are links on X
        ("https://kk.example/c.", 24),  # the full stop ends the sentence, not the URL
    ],
)
def test_x_weighted_length(text, weighted):
    assert limits.x_weighted_length(text) == weighted


def test_x_limit_boundary():
    assert limits.check_post("x", "a" * 280).ok
    result = limits.check_post("x", "a" * 281)
    assert not result.ok
    assert (result.length, result.limit, result.remaining) == (281, 280, -1)
    assert limits.check_post("x", "日" * 140).ok
    assert not limits.check_post("x", "日" * 141).ok


def test_x_many_links_each_count_23():
    text = " ".join(f"https://kk.example/{i}" for i in range(11))
    assert limits.x_weighted_length(text) == 11 * 23 + 10


def test_x_at_most_four_images():
    assert not limits.check_post("x", "a", images=[image()] * 5).ok


# --- Mastodon -----
def test_mastodon_uses_the_instance_limit_and_url_length():
    text = "x" * 480 + " https://kk.example/" + "a" * 100
    result = limits.check_post("mastodon", text)
    assert (result.length, result.limit, result.ok) == (480 + 1 + 23, 500, False)
    assert limits.check_post("mastodon", text, max_characters=1000).ok
    assert limits.check_post("mastodon", "https://kk.example/x", url_length=10).length == 10


def test_mastodon_counts_remote_mentions_by_username_and_graphemes():
    assert limits.mastodon_length("@kommune@social.example hej") == len("@kommune hej")
    assert limits.mastodon_length("👩‍👩‍👧") == 1


# --- Bluesky -----
def test_bluesky_counts_graphemes():
    assert limits.check_post("bluesky", "🇩🇰" * 300).ok
    assert not limits.check_post("bluesky", "a" * 301).ok
    assert limits.grapheme_count("e\u0301") == 1


def test_bluesky_also_has_a_byte_limit():
    # 300 graphemes of 11 bytes each (a ZWJ family) pass the grapheme count but not the bytes.
    result = limits.check_post("bluesky", "👩‍👩‍👧" * 300)
    assert result.length == 300
    assert not result.ok
    assert "bytes" in result.errors[0]


def test_bluesky_facets_use_utf8_byte_offsets():
    text = "Østerbro 🌳 https://kk.example/træer #Træer"
    facets = link_facets(text)
    data = text.encode()
    spans = [data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert spans == ["https://kk.example/træer", "#Træer"]
    assert facets[1]["features"][0]["tag"] == "Træer"


# --- Instagram and Facebook -----
def test_instagram_needs_an_image_and_advises_few_hashtags():
    assert not limits.check_post("instagram", "Hej").ok
    tags = " ".join(f"#tag{i}" for i in range(6))
    result = limits.check_post("instagram", tags, images=[image()])
    assert result.ok
    assert any("5" in w for w in result.warnings)
    too_many = " ".join(f"#tag{i}" for i in range(31))
    assert not limits.check_post("instagram", too_many, images=[image()]).ok
    assert not limits.check_post("instagram", "x" * 2201, images=[image()]).ok
    assert limits.check_post("instagram", "x" * 2200, images=[image()]).ok


def test_instagram_warns_that_links_are_not_clickable():
    result = limits.check_post("instagram", "Læs https://kk.example/c", images=[image()])
    assert result.ok and result.warnings


def test_facebook_limit():
    assert limits.check_post("facebook", "x" * 63206).ok
    assert not limits.check_post("facebook", "x" * 63207).ok


# --- Everywhere -----
@pytest.mark.parametrize("platform", ["facebook", "instagram", "x", "mastodon", "bluesky"])
def test_every_image_needs_alt_text(platform):
    result = limits.check_post(platform, "Tekst", images=[image("   ")])
    assert not result.ok
    assert "alternative text" in " ".join(result.errors)
    assert limits.check_post(platform, "Tekst", images=[image()]).ok


def test_an_empty_post_is_refused():
    assert not limits.check_post("mastodon", "   ").ok


def test_unknown_platform():
    with pytest.raises(ValueError):
        limits.check_post("myspace", "hi")


@pytest.mark.parametrize(
    ("language", "words"),
    [("da", "tegn for lang"), ("nb", "tegn for lang")],
)
def test_messages_are_translated(language, words):
    with translation.override(language):
        result = limits.check_post("x", "a" * 285)
    assert words in result.errors[0]


def test_alt_text_message_is_translated():
    with translation.override("nb"):
        result = limits.check_post("mastodon", "Tekst", images=[image("")])
    assert "alternativ tekst" in result.errors[0]


def test_alt_text_length_is_capped_where_the_platform_caps_it():
    long_alt = image("a" * 1001)
    assert not limits.check_post("x", "Tekst", images=[long_alt]).ok
    assert limits.check_post("mastodon", "Tekst", images=[long_alt]).ok
    assert not limits.check_post("mastodon", "Tekst", images=[image("a" * 1501)]).ok
    assert limits.check_post("bluesky", "Tekst", images=[long_alt]).ok


def test_x_shows_the_cost_of_a_post():
    from decimal import Decimal

    assert limits.check_post("x", "Borgermøde i aften").cost_usd == Decimal("0.015")
    assert limits.check_post("x", "Læs mere på kk.dk/høring").cost_usd == Decimal("0.20")
    # X does not link a single name on a country TLD without a path: no URL, no URL price.
    assert limits.check_post("x", "Læs mere på kk.dk").cost_usd == Decimal("0.015")
    assert limits.check_post("mastodon", "Borgermøde").cost_usd is None
