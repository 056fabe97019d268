"""Previews before publishing: a resident previews an idea (with and without JavaScript) and a
planner looks at a draft consultation as residents will see it. Screenshots and axe on each."""

from pathlib import Path

import pytest
from PIL import Image

from consultations.models import Consultation
from ideas.models import Idea
from tests import factories
from tests.browser.conftest import TEST_PASSWORD, a11y_check, login, screenshot, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _fill(page, title: str) -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_description").fill("A bath on the quay, with **sand** and benches.")
    lon, lat = factories.INSIDE
    page.locator("#id_latitude").fill(str(lat))
    page.locator("#id_longitude").fill(str(lon))
    page.locator("#id_address_label").fill("Papirøen, south quay")


def _log_in_without_script(page, user) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").first.click()


@pytest.mark.parametrize("locale", ["en-GB", "da-DK", "nb-NO"])
def test_idea_preview_keeps_the_photo_and_sends(new_page, live_server, tmp_path, locale):
    consultation = factories.ConsultationFactory(slug=f"preview-{locale.lower()}")
    author = factories.UserFactory()
    photo = Path(tmp_path) / "quay.jpg"
    Image.new("RGB", (320, 200), (30, 120, 160)).save(photo, "JPEG")
    page = new_page(locale)
    login(page, live_server, author)
    visit(page, f"/ideas/c/{consultation.slug}/new/", f"idea-form-{locale}")
    _fill(page, "Harbour bath")
    page.locator("#id_photo0-photo").set_input_files(str(photo))
    page.locator("#id_photo0-alt_text").fill("Blue water by the quay")

    page.locator("[data-preview-button]").click()
    heading = page.locator("#idea-preview-heading")
    heading.wait_for()
    # Focus moves to the preview, so a screen reader user hears it.
    assert page.evaluate("document.activeElement.id") == "idea-preview-heading"
    assert page.locator(".idea-preview strong").inner_text() == "sand"
    a11y_check(page, f"idea-preview-{locale}")
    assert not Idea.objects.exists()
    # The chosen photo is still chosen: the preview did not reload the page.
    assert page.evaluate("document.querySelector('#id_photo0-photo').files.length") == 1

    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"idea-preview-narrow-{locale}")
    with page.expect_navigation():
        page.locator("form[data-preview-form] button[type=submit]").first.click()
    # The idea's page loads its map and pictures after the navigation: let them finish, so the
    # live server is not still answering while the test's database is emptied.
    page.wait_for_load_state("networkidle")
    idea = Idea.objects.get()
    assert idea.images.count() == 1


def test_idea_preview_without_javascript(new_page, live_server):
    """axe needs scripts; the same page is checked with them above. Here the plain form must do."""
    consultation = factories.ConsultationFactory(slug="preview-nojs")
    page = new_page("en-GB", javascript=False)
    page.goto("/accounts/login/")
    author = factories.UserFactory()
    _log_in_without_script(page, author)
    page.goto(f"/ideas/c/{consultation.slug}/new/")
    _fill(page, "Harbour bath without script")
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    assert page.get_by_role("heading", name="Preview: this is how your idea will look").is_visible()
    screenshot(page, "idea-preview-nojs")
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the idea").click()
    assert Idea.objects.get().title == "Harbour bath without script"


def test_planner_previews_a_draft_then_publishes(page, live_server):
    planner = factories.PlannerFactory()
    draft = factories.ConsultationFactory(
        status=Consultation.Status.DRAFT, title="Harbour baths", slug="harbour-baths-draft"
    )
    login(page, live_server, planner)
    visit(page, f"/{draft.slug}/", "draft-preview")
    assert page.get_by_text("Preview of a draft.").is_visible()
    page.get_by_role("link", name="Publish…").first.click()
    a11y_check(page, "draft-publish-confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    draft.refresh_from_db()
    assert draft.status == Consultation.Status.PUBLISHED
    assert not page.get_by_text("Preview of a draft.").is_visible()
