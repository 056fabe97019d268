"""A resident who has used all supports finds them on "My activity", withdraws one, and
supports the idea they wanted."""

import pytest

from ideas import services as ideas
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def test_withdraw_a_support_to_support_another(page, live_server, transactional_db):
    harbour = factories.ConsultationFactory(title="Christiansholm", support_limit=1)
    first = factories.IdeaFactory(consultation=harbour, title="Harbour bath with sand")
    wanted = factories.IdeaFactory(consultation=harbour, title="Rowing club boathouse")
    ingrid = factories.UserFactory(display_name="Ingrid", show_name_publicly=True)
    ideas.idea_support(user=ingrid, idea=first)

    login(page, live_server, ingrid)
    visit(page, wanted.get_absolute_url(), "limit-reached")
    with page.expect_navigation():
        page.get_by_role("link", name="See your supports").click()
    a11y_check(page, "my-activity")
    assert "you use 1 of 1 support (0 left)" in page.inner_text("#main")
    with page.expect_navigation():
        page.get_by_role("button", name="Withdraw my support – Harbour bath with sand").click()
    assert "You no longer support this idea." in page.inner_text(".messages")
    assert "You do not support any ideas." in page.inner_text("#main")
    a11y_check(page, "after-withdraw")

    visit(page, wanted.get_absolute_url(), "support-again")
    page.get_by_role("button", name="Support this idea").click()
    page.wait_for_selector("text=You support this idea.")
