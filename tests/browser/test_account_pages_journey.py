"""The pages a resident and a planner open now and then: notifications, my data, the public
pages in the footer, and the publish confirmation's warning. Screenshots and axe on each."""

import pytest
from django.utils.translation import gettext_lazy

from civic.notifications import notify
from consultations.models import Consultation, Phase
from tests import factories
from tests.browser.conftest import login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def test_notifications_and_my_data(page, live_server, transactional_db):
    person = factories.UserFactory(display_name="Mette", show_name_publicly=True, language="en")
    idea = factories.IdeaFactory(author=person, title="Harbour bath with sand")
    notify(
        recipient=person,
        kind="idea_answer",
        subject=gettext_lazy("Official answers to ideas"),
        body="The planners answered your idea.",
        url=idea.get_absolute_url(),
    )
    login(page, live_server, person)
    visit(page, "/", "header-with-unread")
    assert page.locator("header .badge-count").inner_text().startswith("1")
    visit(page, "/me/notifications/", "notifications")
    assert "The planners answered your idea." in page.inner_text("main")
    visit(page, "/moderation/me/data/", "my-data")
    assert "Harbour bath with sand" in page.inner_text("main")
    assert "created_at" not in page.inner_text("main")


@pytest.mark.parametrize("kind", ["privacy", "terms", "accessibility", "cookies"])
def test_the_public_pages(page, live_server, transactional_db, kind):
    visit(page, f"/about/{kind}/", f"legal-{kind}")
    assert page.locator("main h1").inner_text()


def test_publishing_warns_about_a_phase_nobody_can_use(page, live_server, transactional_db):
    planner = factories.PlannerFactory()
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    consultation.planners.add(planner)
    consultation.phases.update(
        kind=Phase.Kind.IDEAS,
        allows_ideas=False,
        allows_support=False,
        allows_comments=False,
        allows_poll=False,
    )
    login(page, live_server, planner)
    visit(page, f"/{consultation.slug}/publish/", "publish-warning")
    assert "Nobody can take part" in page.inner_text("main")
