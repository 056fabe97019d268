"""X's weighted length as twitter-text counts it, and the links Bluesky needs facets for."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from social import limits
from social.adapters import MediaImage
from social.adapters.bluesky import link_facets
from tests.social.conftest import make_post

URL = 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hej", 3),
        # Every URL counts 23, with or without a scheme, whatever its length.
        ("https://kk.dk", URL),
        ("https://www.kk.dk/borgerdialog/hoeringer/christiansholm-2026-forslag", URL),
        ("bit.ly/x", URL),
        ("Se bit.ly/x nu", 3 + URL + 3),
        ("www.kk.dk", URL),
        ("oslo.kommune.no", URL),
        ("aarhus.city", URL),
        ("Mød os på aarhus.city i aften", len("Mød os på ") + URL + len(" i aften")),
        ("kommune.berlin", URL),
        ("example.photography/galleri", URL),
        # Non-ASCII paths and query strings stay inside the URL.
        ("kk.dk/høring?emne=cykelsti&område=Østerbro", URL),
        ("https://kk.dk/søg?q=æøå", URL),
        # Sentence punctuation after a link is text.
        ("Læs mere: www.kk.dk.", len("Læs mere: ") + URL + 1),
        ("(se https://kk.dk)", 1 + 3 + URL + 1),
        # Not links: unknown TLDs, a single name on a country TLD without a path (except .co
        # and .tv), e-mail addresses, times.
        ("file.txt", 8),
        ("kk.dk", 5),
        ("bit.ly", 6),
        ("kk.dk/x", URL),
        ("t.co", URL),
        ("kanal.tv", URL),
        ("skriv til plan@kk.dk", 20),
        ("kl. 19.30", 9),
        # CJK and emoji weigh 2; Latin, Nordic letters and typographic quotes 1.
        ("æøå ÆØÅ", 7),
        ("“citat” – svar", 14),
        ("東京", 4),
        ("한국어", 6),
        ("👍", 2),
        ("👍🏽", 2),  # emoji with skin tone: one emoji
        ("👨‍👩‍👧", 2),  # a family (ZWJ sequence): one emoji
        ("🇩🇰", 2),  # a flag
        # NFC: a decomposed å counts as one character.
        ("a\u030a", 1),
    ],
)
def test_x_weighted_length_matches_twitter_text(text, expected):
    assert limits.x_weighted_length(text) == expected


def test_x_limit_is_280_weighted():
    assert limits.check_post("x", "a" * 280).ok
    assert not limits.check_post("x", "a" * 281).ok
    assert limits.check_post("x", "東" * 140).ok
    assert not limits.check_post("x", "東" * 141).ok
    # A long address still costs only 23.
    assert limits.check_post("x", "a" * 256 + " " + "kk.dk/" + "x" * 200).ok


def _facet_spans(text: str) -> list[tuple[str, str]]:
    raw = text.encode("utf-8")
    return [
        (
            raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"),
            f["features"][0].get("uri", ""),
        )
        for f in link_facets(text)
        if f["features"][0]["$type"].endswith("#link")
    ]


def test_bluesky_bare_domains_get_link_facets_with_utf8_byte_offsets():
    text = "Ørestad før høringen: kk.dk/høring og aarhus.city – og https://bsky.app/ø"
    assert _facet_spans(text) == [
        ("kk.dk/høring", "https://kk.dk/høring"),
        ("aarhus.city", "https://aarhus.city"),
        ("https://bsky.app/ø", "https://bsky.app/ø"),
    ]
    # Unlike X, the Bluesky app links a single name on a country TLD (detectFacets).
    assert _facet_spans("fil.txt og kk.dk.") == [("kk.dk", "https://kk.dk")]


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(buffer, "PNG")
    return buffer.getvalue()


def test_bluesky_record_carries_facets_and_image_aspect_ratio(bluesky, bluesky_fake):
    image = MediaImage(data=_png(1200, 630), alt_text="Kort", mime_type="image/png")
    text = "Høring på kk.dk/høring 🚲"
    result = bluesky.publish(make_post(text, images=(image,)), "key-aspect")
    record = next(r for r in bluesky_fake.posts() if r.uri == result.remote_id).value
    (embedded,) = record["embed"]["images"]
    assert embedded["aspectRatio"] == {"width": 1200, "height": 630}
    (facet,) = [f for f in record["facets"] if f["features"][0]["$type"].endswith("#link")]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode("utf-8")[start:end].decode("utf-8") == "kk.dk/høring"
    assert facet["features"][0]["uri"] == "https://kk.dk/høring"
