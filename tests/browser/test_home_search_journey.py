"""The home page and the site-wide search in the browser: search from the header with the
keyboard alone, the map of everything open with its list, the page without JavaScript, axe in
Danish, Norwegian and English, and screenshots at desktop width and at 390 px."""

import re

import pytest

from tests import factories
from tests.browser.conftest import a11y_check, open_without_script, screenshot, visit
from tests.debate.factories import CommentFactory

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def city(transactional_db):
    harbour = factories.ConsultationFactory(
        slug="harbour", title="Christiansholm", summary="What should the harbour site become?"
    )
    factories.ConsultationFactory(
        slug="tunnel",
        title="Tunnel under the centre",
        summary="Does the town centre need a tunnel?",
        area=None,
    )
    factories.IdeaFactory(
        consultation=harbour,
        title="Floating sauna",
        description="A wood-fired sauna by the quay, open all year.",
    )
    topic = factories.TopicFactory(consultation=harbour, title="Sauna or swimming?")
    CommentFactory(topic=topic, body="A sauna <script>alert(1)</script> would be lovely.")
    hidden = CommentFactory(topic=topic, body="hidden sauna rant")
    hidden.is_hidden = True
    hidden.save()
    factories.ConsultationFactory(slug="secret", title="Secret sauna plan", status="draft")
    return harbour


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO", "en-GB"])
def test_search_from_the_header_with_the_keyboard(new_page, city, locale):
    page = new_page(locale=locale)
    visit(page, "/", "home")
    # Tab from the skip link into the header's search box, type, press Enter: no mouse.
    page.keyboard.press("Tab")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "header-search-q":
            break
    assert page.evaluate("() => document.activeElement.id") == "header-search-q"
    page.keyboard.type("sauna")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search/?q=sauna" in page.url
    a11y_check(page, f"results-{locale}")
    marks = page.locator("mark")
    assert marks.count() >= 4
    body = page.locator("main").inner_text()
    assert "Floating sauna" in body and "Sauna or swimming?" in body
    assert "<script>alert(1)</script>" in body  # shown as text
    assert "hidden sauna rant" not in body and "Secret sauna plan" not in body
    # The comment's link lands on it, focused in its thread.
    link = page.locator(".search-group a[href*='?comment=']").first
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "?comment=" in page.url
    a11y_check(page, f"comment-landing-{locale}")


def test_a_too_long_search_is_explained(page, city):
    visit(page, "/search/?q=" + "x" * 201, "too-long", expect_status=400)
    assert re.search("200", page.locator("#search-error").inner_text())


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO", "en-GB"])
def test_home_page_map_and_list(new_page, city, locale):
    page = new_page(locale=locale)
    visit(page, "/", f"home-{locale}")
    widget = page.locator(".map-open-consultations")
    markers = widget.locator(".leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == 1
    listing = widget.locator(".map-list")
    assert listing.get_by_role("link", name="Christiansholm").count() == 1
    assert listing.get_by_role("link", name="Tunnel under the centre").count() == 1
    # Keyboard: Enter on the marker opens its popup, with a link to the consultation.
    markers.first.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup")
    popup.wait_for()
    # Leaflet fades the popup in; axe reads colours mid-fade as too faint, so wait for the end.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    assert popup.locator("a[href$='/harbour/']").count() == 1
    a11y_check(page, f"home-map-popup-{locale}")
    figures = page.locator(".figures li")
    assert figures.count() == 5


def test_home_and_search_at_390_px(new_page, city):
    page = new_page(locale="en-GB")
    page.set_viewport_size(PHONE)
    visit(page, "/", "home-390")
    # Nothing wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("#header-search-q").bounding_box()
    assert box["width"] >= 150
    visit(page, "/search/?q=sauna", "search-390")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "search-desktop")


def test_home_page_without_javascript(new_page, city):
    """axe needs scripts (it runs in the other journeys on the same page); here the picture must
    load and the list be there. Nothing here evaluates script in the page: with JavaScript off,
    Playwright's evaluate waits for ever."""
    page = new_page(locale="en-GB", javascript=False)
    pictures = open_without_script(page, "/", "home-no-js", picture="open.svg")
    widget = page.locator(".map-open-consultations")
    assert widget.locator(".leaflet-marker-icon").count() == 0
    assert widget.get_by_role("link", name="Christiansholm").count() == 1
    assert widget.locator("img.map-static").count() == 1
    assert pictures == [200]
    # The header's search works as a plain form.
    page.locator("#header-search-q").fill("sauna")
    with page.expect_navigation():
        page.locator("#header-search-q").press("Enter")
    assert page.locator("mark").count() >= 4
