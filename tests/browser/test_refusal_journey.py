"""An in-place (htmx) action the server refuses says why on the page, instead of doing nothing.

A blocked resident still sees the vote buttons (the page is the same for everyone); when they
press one, the server answers 403 with the block's reason, and the page shows that reason in an
alert next to the content.
"""

import pytest

from debate import services as debate_services
from ideas.models import Idea
from moderation import services as moderation_services
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en"


@pytest.fixture
def idea_with_comment(transactional_db):
    consultation = factories.ConsultationFactory(slug="harbour", title="Christiansholm")
    idea = factories.IdeaFactory(consultation=consultation, title="Harbour bath", number=1)
    type(consultation).objects.filter(pk=consultation.pk).update(idea_counter=1)
    author = factories.UserFactory(display_name="Ola", show_name_publicly=True)
    comment = debate_services.comment_create(
        author=author, target=idea, body="Sand is a must for the children."
    )
    return Idea.objects.get(pk=idea.pk), comment


def test_a_blocked_resident_is_told_why_their_vote_was_refused(
    page, live_server, idea_with_comment
):
    idea, comment = idea_with_comment
    resident = factories.UserFactory()
    moderation_services.user_block(
        actor=factories.AdministratorFactory(),
        user=resident,
        consultation=None,
        days=None,
        reason="Repeated insults in the debate.",
    )
    login(page, live_server, resident)
    visit(page, idea.get_absolute_url(), "idea-blocked")

    with page.expect_response(lambda r: "/vote/" in r.url) as answer:
        page.locator(f"#votes-{comment.pk} button.vote-up").click()
    assert answer.value.status == 403
    alert = page.locator("#action-messages[role=alert]")
    alert.wait_for()
    assert "Repeated insults in the debate." in alert.inner_text()
    assert page.locator(f'#votes-{comment.pk} button.vote-up[aria-pressed="true"]').count() == 0
    a11y_check(page, "idea-blocked-vote-refused")
    comment.refresh_from_db()
    assert comment.upvotes == 0
