"""A planner creates a consultation with two phases in the site, publishes it, and residents
find it on the list page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Consultation
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def test_planner_creates_and_publishes_a_consultation(
    page, new_page, live_server, transactional_db
):
    factories.ConsultationFactory(title="An older consultation", slug="older")
    planner = factories.PlannerFactory()
    login(page, live_server, planner)

    visit(page, "/", "list-before")
    with page.expect_navigation():
        page.locator('a[href="/new/"]').click()
    a11y_check(page, "form-empty")

    # First an overlapping timeline, which the form refuses on the offending row.
    now = timezone.now()
    page.locator("#id_title").fill("Harbour bath at Christiansholm")
    page.locator("#id_summary").fill(
        "Where should the new harbour bath go, and what should it have?"
    )
    page.locator("#id_body").fill("The city wants a **harbour bath**. Tell us your ideas.")
    page.locator("#id_hashtag").fill("#harbourbath")
    page.locator("#id_reference_prefix").fill("BATH")
    page.locator("#id_phases-0-kind").select_option("ideas")
    page.locator("#id_phases-0-name").fill("Ideas and support")
    page.locator("#id_phases-0-starts_at").fill(_local(now - timedelta(days=1)))
    page.locator("#id_phases-0-ends_at").fill(_local(now + timedelta(days=14)))
    page.locator("#id_phases-0-allows_ideas").check()
    page.locator("#id_phases-0-allows_support").check()
    page.locator('[data-formset-add="phases"]').click()
    page.locator("#id_phases-1-kind").select_option("evaluation")
    page.locator("#id_phases-1-name").fill("Evaluation")
    page.locator("#id_phases-1-starts_at").fill(_local(now + timedelta(days=10)))
    page.locator("#id_phases-1-ends_at").fill(_local(now + timedelta(days=40)))
    page.locator("#id_categories-0-name").fill("Bathing")
    with page.expect_navigation():
        page.locator("form.consultation-form button[type=submit]").click()
    error = page.locator("#id_phases-1-starts_at_error")
    assert "overlaps" in error.inner_text()
    a11y_check(page, "form-with-errors")

    page.locator("#id_phases-1-starts_at").fill(_local(now + timedelta(days=14)))
    with page.expect_navigation():
        page.locator("form.consultation-form button[type=submit]").click()
    consultation = Consultation.objects.get(title="Harbour bath at Christiansholm")
    assert consultation.status == "draft"
    assert [p.name for p in consultation.phases.all()] == ["Ideas and support", "Evaluation"]
    assert page.url.endswith(consultation.get_absolute_url())
    a11y_check(page, "detail-draft")

    with page.expect_navigation():
        page.locator(f'.staff-tools a[href="/{consultation.slug}/publish/"]').click()
    a11y_check(page, "publish-confirm")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    consultation.refresh_from_db()
    assert consultation.status == "published"

    current = page.locator('.timeline [aria-current="step"]')
    assert "Ideas and support" in current.inner_text()
    assert (
        "You can submit ideas and support ideas until"
        in page.locator(".consultation-invitation").inner_text()
    )
    a11y_check(page, "detail-published")

    # A visitor who is not signed in finds it among the open consultations.
    other = new_page(locale="en-GB")
    visit(other, "/", "list-after")
    open_section = other.locator("section", has=other.locator("#open-heading"))
    assert "Harbour bath at Christiansholm" in open_section.inner_text()
    visit(other, f"/{consultation.slug}/", "detail-public")
    assert other.locator(f'a[href="/{consultation.slug}/edit/"]').count() == 0


def test_a_phase_kind_ticks_what_it_allows(new_page, live_server, transactional_db):
    planner = factories.PlannerFactory()
    page = new_page(locale="en-GB")
    login(page, live_server, planner)
    visit(page, "/new/", "new-consultation")
    row = page.locator("[data-formset-row]").filter(has=page.locator("select[data-phase-presets]"))
    row.first.locator("select[data-phase-presets]").select_option("ideas")
    boxes = row.first.locator("input[type=checkbox][name*='-allows_']")
    ticked = {box.get_attribute("name").rsplit("-", 1)[1]: box.is_checked() for box in boxes.all()}
    assert ticked == {
        "allows_ideas": True,
        "allows_support": True,
        "allows_comments": False,
        "allows_poll": False,
    }
    row.first.locator("select[data-phase-presets]").select_option("debate")
    assert row.first.locator("input[name$='-allows_comments']").is_checked()
    assert not row.first.locator("input[name$='-allows_ideas']").is_checked()
