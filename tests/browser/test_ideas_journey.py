"""A resident pins an idea with a photo, another supports it, a planner answers, the first
reads the official answer. Every page is screenshotted and checked with axe-core."""

from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from ideas.models import Idea
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _serve_media(page) -> None:
    """The test server serves no uploads; answer /media/ requests from MEDIA_ROOT instead."""
    root = Path(settings.MEDIA_ROOT)

    def handle(route):
        relative = route.request.url.split("/media/", 1)[1].split("?", 1)[0]
        path = (root / relative).resolve()
        if root.resolve() in path.parents and path.is_file():
            route.fulfill(path=str(path))
        else:
            route.fulfill(status=404, body="")

    page.route("**/media/**", handle)


def test_pin_photo_support_answer(page, new_page, live_server, tmp_path):
    consultation = factories.ConsultationFactory(
        title="Christiansholm", slug="christiansholm-journey", support_limit=5
    )
    factories.CategoryFactory(consultation=consultation, name="Bad og vand")
    author = factories.UserFactory(display_name="Mette", show_name_publicly=True)
    supporter = factories.UserFactory()
    planner = factories.PlannerFactory(display_name="Line, Byudvikling", show_name_publicly=True)
    photo = tmp_path / "quay.jpg"
    Image.new("RGB", (640, 400), (30, 120, 160)).save(photo, "JPEG")

    # 1. The author pins an idea with a photo.
    login(page, live_server, author)
    _serve_media(page)
    visit(page, f"/ideas/c/{consultation.slug}/new/", "submit-form")
    page.locator("#id_title").fill("Harbour bath with sand under your feet")
    page.locator("#id_description").fill("A public bath on the quay, with **sand** and benches.")
    page.locator("#id_category").select_option(label="Bad og vand")
    lon, lat = factories.INSIDE
    page.locator("#id_latitude").fill(str(lat))
    page.locator("#id_longitude").fill(str(lon))
    page.locator("#id_address_label").fill("Papirøen, south quay")
    page.locator("#id_photo0-photo").set_input_files(str(photo))
    page.locator("#id_photo0-alt_text").fill("Blue water by the empty quay")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the idea").click()
    idea = Idea.objects.get()
    assert page.url.endswith(idea.get_absolute_url())
    visit(page, idea.get_absolute_url(), "idea-by-author")
    # The description is the photo's caption, read once as the figure's name.
    image = page.get_by_role("figure", name="Blue water by the empty quay").locator("img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.get_by_text("Submitted by Mette").is_visible()

    # 2. Another resident supports it.
    other = new_page(locale="en-GB")
    login(other, live_server, supporter)
    _serve_media(other)
    visit(other, idea.get_absolute_url(), "idea-before-support")
    with other.expect_navigation():
        other.get_by_role("button", name="Support this idea").click()
    a11y_check(other, "idea-after-support")
    assert other.get_by_text("You have 4 of 5 supports left.").is_visible()
    assert other.get_by_role("button", name="Withdraw my support").is_visible()
    idea.refresh_from_db()
    assert idea.support_count == 1

    # 3. A planner answers it officially.
    desk = new_page(locale="en-GB")
    login(desk, live_server, planner)
    _serve_media(desk)
    visit(desk, idea.get_absolute_url(), "idea-planner")
    desk.locator("#id_status").select_option("accepted")
    desk.locator("#id_answer").fill("We will build the bath next summer. Thank you!")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Publish the answer").click()
    a11y_check(desk, "idea-answered-planner")

    # 4. The author sees the answer at the top of the idea.
    visit(page, idea.get_absolute_url(), "idea-answer-seen-by-author")
    answer = page.locator(".official-answer")
    assert answer.get_by_role("heading", name="Official answer from the municipality").is_visible()
    assert "We will build the bath next summer." in answer.inner_text()
    assert "Accepted" in answer.inner_text()
    assert page.get_by_text("1 support", exact=True).is_visible()

    # The consultation's idea list shows it.
    visit(page, f"/ideas/c/{consultation.slug}/", "idea-list")
    assert page.get_by_role("link", name="Harbour bath with sand under your feet").is_visible()


def test_notification_settings_and_unsubscribe(page, live_server):
    from civic.notifications import unsubscribe_token

    resident = factories.UserFactory()
    login(page, live_server, resident)
    visit(page, "/me/", "profile-notifications")
    page.get_by_label("Once a day (digest)").check()
    page.get_by_label("Status changes of ideas").uncheck()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    resident.refresh_from_db()
    assert resident.notification_frequency == "daily"

    # The link in an e-mail works without a session.
    page.context.clear_cookies()
    visit(page, f"/me/unsubscribe/{unsubscribe_token(resident, 'idea_answer')}/", "unsubscribe")
    with page.expect_navigation():
        page.get_by_role("button", name="Unsubscribe").click()
    a11y_check(page, "unsubscribed")
    assert page.get_by_role("status").is_visible()
