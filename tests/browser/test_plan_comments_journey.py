"""Comments on the plan in the browser: a resident clicks the tunnel route on the map, comments
on that section, sees the label in the debate and filters the debate by the route; another
resident takes the keyboard path through the list beside the map; in English and Danish, and at
390 px wide."""

import re
import shutil
from pathlib import Path

import pytest

from consultations import services
from debate import services as debate_services
from debate.models import Comment
from tests import factories
from tests.browser.conftest import SCREENSHOTS, a11y_check, login, visit
from tests.maps import plan_files as pf

SHOTS = Path("/tmp/shots_plan2")


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def harstad(transactional_db, tmp_path):
    consultation = factories.ConsultationFactory(
        slug="sentrum", title="Harstad sentrum", area=pf.HARSTAD_AREA
    )
    topic = factories.TopicFactory(consultation=consultation, title="The tunnel")
    planner = factories.PlannerFactory()
    services.plan_layer_upload(
        actor=planner,
        consultation=consultation,
        upload=pf.upload(pf.harstad_tunnel_gpkg(tmp_path)),
        data={"name": "Tunnel alternatives", "legend": "Route A", "line_width": 6},
    )
    return consultation, topic


def keep_shots():
    SHOTS.mkdir(exist_ok=True)
    for shot in SCREENSHOTS.glob("test_resident_*"):
        shutil.copy(shot, SHOTS / shot.name)


def click_on_the_route(page) -> None:
    """Click the middle of the route's drawn line (the first plan path), where Leaflet listens."""
    route = page.locator('.leaflet-overlay-pane path[stroke="#b3261e"]').first
    route.wait_for()
    page.locator(".map-canvas").first.scroll_into_view_if_needed()
    x, y = route.evaluate(
        """path => {
            const p = path.getPointAtLength(path.getTotalLength() * 0.3);
            const m = path.getScreenCTM();
            return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
        }"""
    )
    page.mouse.click(x, y)


def test_resident_comments_on_a_route_section_from_the_map(page, new_page, live_server, harstad):
    consultation, topic = harstad
    resident = factories.UserFactory()
    login(page, live_server, resident)
    visit(page, f"/{consultation.slug}/", "map")
    click_on_the_route(page)
    link = page.get_by_role("link", name="Comment on this spot of Tunnel alternatives")
    link.wait_for()
    # Leaflet fades a popup in; its colours are checked once it is fully shown, not mid-fade.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    a11y_check(page, "popup")
    with page.expect_navigation():
        link.click()
    assert "feature=" in page.url and "lon=" in page.url
    assert page.locator("#id_plan_feature option:checked").inner_text() == "Tunnel alternative A"
    assert "Your comment is placed near" in page.locator("[data-plan-anchor-note]").inner_text()
    a11y_check(page, "form-with-feature")
    page.locator("#id_body").fill("The portal section is too close to the school.")
    page.locator("#id_stance").get_by_text("Against").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish comment").click()
    comment = Comment.objects.get()
    assert comment.plan_feature.name == "Tunnel alternative A"
    assert 0 <= comment.anchor_fraction <= 1
    label = page.locator(f"#comment-{comment.pk} .badge-plan")
    assert label.inner_text() == "On: Tunnel alternatives — Tunnel alternative A"
    a11y_check(page, "debate-with-label")

    # Another argument about the topic as a whole, then the filter by the route.
    factories_comment = debate_services.comment_create(
        author=resident, target=topic, body="About the whole plan."
    )
    page.goto(f"{live_server.url}{topic.get_absolute_url()}")
    assert "About the whole plan." in page.content()
    page.locator("#plan-filter-feature").select_option(str(comment.plan_feature_id))
    with page.expect_navigation():
        page.get_by_role("button", name="Show", exact=True).click()
    assert "Showing only comments on Tunnel alternatives — Tunnel alternative A." in page.content()
    assert factories_comment.body not in page.locator("#threads").inner_text()
    a11y_check(page, "debate-filtered")

    # The map counts the comment on its section, and the label leads back to the feature.
    page.goto(f"{live_server.url}/{consultation.slug}/")
    page.locator(".plan-comment-count").first.wait_for()
    assert page.locator(".plan-comment-count").first.inner_text() == "1"
    assert "1 comment" in page.locator(f"#plan-feature-{comment.plan_feature_id}").inner_text()
    a11y_check(page, "map-with-comment-circles")

    # Danish, and at phone width.
    danish = new_page("da-DK")
    visit(danish, f"{live_server.url}{topic.get_absolute_url()}", "debate-da")
    assert "Om: Tunnel alternatives — Tunnel alternative A" in danish.content()
    visit(danish, f"{live_server.url}/{consultation.slug}/", "map-da")
    assert "Kommentarer til planen" in danish.content()
    narrow = new_page("nb-NO")
    narrow.set_viewport_size({"width": 390, "height": 844})
    visit(
        narrow,
        f"{live_server.url}{topic.get_absolute_url()}?feature={comment.plan_feature_id}",
        "debate-390",
    )
    width = narrow.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    visit(narrow, f"{live_server.url}/{consultation.slug}/", "map-390")
    width = narrow.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the map page scrolls sideways at 390 px ({width} px)"
    keep_shots()


def test_resident_takes_the_keyboard_path_through_the_list(page, live_server, harstad):
    consultation, topic = harstad
    login(page, live_server, factories.UserFactory())
    visit(page, f"/{consultation.slug}/", "list")
    link = page.get_by_role("link", name=re.compile(r"Comment on this feature\W+Zoning area"))
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#id_plan_feature option:checked").inner_text() == "Zoning area"
    page.locator("#id_body").focus()
    page.keyboard.type("Keep the trees in this area.")
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.get_by_role("button", name="Publish comment").press("Enter")
    comment = Comment.objects.get()
    assert comment.plan_feature.name == "Zoning area" and comment.anchor_longitude is None
    a11y_check(page, "keyboard-posted")
    keep_shots()
