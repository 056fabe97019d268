"""The back office in the browser: an administrator changes a role, makes and revokes an API
token, reads and downloads the audit log, writes an answer template and sets the municipality's
name and colour; a planner (Danish) and a councillor (Norwegian) see their parts. Every page is
checked with axe, also 390 px wide."""

import re
from pathlib import Path

import pytest

from civic.models import ApiToken
from tests import factories
from tests.browser.conftest import a11y_check, login, visit

NARROW = {"width": 390, "height": 844}


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _narrow(page, name):
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    a11y_check(page, f"{name}-390")
    page.set_viewport_size(size)


def test_administrator_runs_the_back_office(page, live_server, transactional_db):
    admin = factories.AdministratorFactory(email="admin@kommune.example")
    factories.AdministratorFactory(email="second-admin@kommune.example")
    kim = factories.UserFactory(email="kim@example.org", display_name="Kim Holm")
    consultation = factories.ConsultationFactory(title="Harbour baths")
    login(page, live_server, admin)

    # The header leads to the back office, whose home lists every section.
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Back office").click()
    a11y_check(page, "home")
    cards = page.locator(".staff-cards")
    for title in ("Users and roles", "API tokens", "Audit log", "Answer templates"):
        assert cards.get_by_role("link", name=title).is_visible()
    assert page.get_by_role("link", name="Open Django Administration").is_visible()
    _narrow(page, "home")

    # Users and roles: find Kim and make her a planner limited to her consultations.
    with page.expect_navigation():
        cards.get_by_role("link", name="Users and roles").click()
    a11y_check(page, "users")
    page.get_by_label("Name or e-mail").fill("holm")
    with page.expect_navigation():
        page.get_by_role("search", name="Find people").get_by_role("button", name="Search").click()
    assert "1 person found." in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("link", name="Change role of kim@example.org").click()
    a11y_check(page, "user-role")
    page.get_by_label("Planner").check()
    page.get_by_label("Limited to assigned consultations").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save role").click()
    assert "kim@example.org is now: Planner." in page.inner_text(".messages")
    kim.refresh_from_db()
    assert (kim.role, kim.limited_to_assigned) == ("planner", True)
    _narrow(page, "users")
    visit(page, f"/staff/users/{admin.pk}/", "own-role")
    assert "You cannot change your own role" in page.inner_text("main")

    # API tokens: the key is shown once, works, and is gone from the page afterwards.
    visit(page, "/staff/tokens/", "tokens")
    page.get_by_label("Name").fill("Data warehouse")
    with page.expect_navigation():
        page.get_by_role("button", name="Create token").click()
    a11y_check(page, "token-created")
    key = page.get_by_label("Key").input_value()
    assert re.fullmatch(r"[0-9a-f]{40}", key)
    answer = page.request.get(
        f"{live_server.url}/api/v1/moderation/queue/", headers={"Authorization": f"Token {key}"}
    )
    assert answer.status == 200
    visit(page, "/staff/tokens/", "tokens-after")
    assert key not in page.content() and "Data warehouse" in page.inner_text("main")
    _narrow(page, "tokens")
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke Data warehouse").click()
    assert "is revoked" in page.inner_text(".messages")
    assert ApiToken.objects.get().revoked_at is not None

    # The audit log: the role change and the token, filtered, checked dates, as CSV.
    visit(page, "/staff/audit/", "audit")
    page.get_by_label("Action").select_option(label="Role changed")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    a11y_check(page, "audit-filtered")
    table = page.inner_text("table")
    assert "Role changed" in table and "Resident → Planner" in table
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these entries (CSV)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "Role changed" in text and "API token created" not in text
    page.get_by_label("From").fill("2026-03-10")
    page.get_by_label("To").fill("2026-03-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    a11y_check(page, "audit-bad-dates")
    assert "The end date is before the start date." in page.inner_text("main")
    _narrow(page, "audit")

    # Answer templates: a new one for the harbour consultation.
    visit(page, "/staff/answer-templates/", "templates")
    with page.expect_navigation():
        page.get_by_role("link", name="New template").click()
    a11y_check(page, "template-form")
    page.get_by_label("Consultation").select_option(label="Harbour baths")
    page.get_by_label("Title").fill("Thanks, we look into it")
    page.get_by_label("Answer").fill("Thank you. The planners look into it.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Thanks, we look into it" in page.inner_text("table")
    assert consultation.answer_templates.count() == 1
    _narrow(page, "templates")

    # Municipality settings: an unreadable colour is refused, then name and colour are saved.
    visit(page, "/staff/settings/", "settings")
    page.get_by_label("Municipality's name").fill("Harbourtown")
    page.get_by_label("Brand colour").fill("#ffcc00")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    a11y_check(page, "settings-error")
    assert "has a contrast of only" in page.inner_text("main")
    page.get_by_label("Brand colour").fill("#7a1f3d")
    with page.expect_navigation():
        page.get_by_role("button", name="Save settings").click()
    assert "The settings are saved." in page.inner_text(".messages")
    assert "Harbourtown" in page.inner_text(".site-header")
    _narrow(page, "settings")
    visit(page, "/", "home-rebranded")
    assert "Harbourtown" in page.inner_text(".site-header")


def test_planner_in_danish_and_councillor_in_norwegian(new_page, live_server, transactional_db):
    planner = factories.PlannerFactory(email="planner@kommune.example")
    page = new_page(locale="da-DK")
    login(page, live_server, planner)
    visit(page, "/staff/", "planner-home-da")
    main = page.inner_text("main")
    assert "API-nøgler" in main and "Svarskabeloner" in main and "Brugere og roller" not in main
    visit(page, "/staff/tokens/", "planner-tokens-da")
    visit(page, "/staff/answer-templates/", "planner-templates-da")
    visit(page, "/staff/users/", "planner-users-refused-da", expect_status=403)

    councillor = factories.CouncillorFactory(email="councillor@kommune.example")
    page = new_page(locale="nb-NO")
    login(page, live_server, councillor)
    visit(page, "/staff/", "councillor-home-nb")
    assert "Revisjonslogg" in page.inner_text("main")
    visit(page, "/staff/audit/", "councillor-audit-nb")
    visit(page, "/staff/audit/?date_from=2026-02-30", "audit-error-nb", expect_status=400)
    assert "Oppgi en dato som år-måned-dag" in page.inner_text("main")
    visit(page, "/staff/settings/", "councillor-settings-refused-nb", expect_status=403)
