"""A resident reports a comment; a planner works the queue (hide with a public reason, bulk keep,
block); the public sees the placeholder; the author appeals and the planner decides."""

import pytest

from debate import services as debate_services
from moderation.models import Appeal, Block
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def test_planner_works_the_queue(page, new_page, live_server, transactional_db, settings):
    settings.FORM_MIN_FILL_SECONDS = 0
    consultation = factories.ConsultationFactory(title="Harbour baths")
    planner = factories.PlannerFactory(
        display_name="Line, Planning", show_name_publicly=True, limited_to_assigned=True
    )
    consultation.planners.add(planner)
    topic = factories.TopicFactory(consultation=consultation, title="Where should the bath go?")
    rude = factories.UserFactory(display_name="Rude Rasmus", show_name_publicly=True)
    calm = factories.UserFactory(display_name="Calm Clara", show_name_publicly=True)
    reporter = factories.UserFactory()
    bad = debate_services.comment_create(
        author=rude, target=topic, body="Call Hans on 20 30 40 50, he is an idiot."
    )
    fine_one = debate_services.comment_create(author=calm, target=topic, body="Near the bridge.")
    fine_two = debate_services.comment_create(author=calm, target=topic, body="Or by the quay.")
    for each in (fine_one, fine_two):
        from moderation import services

        services.report_create(reporter=factories.UserFactory(), target=each, reason="off_topic")

    # A resident reports the comment through the report form.
    login(page, live_server, reporter)
    visit(page, topic.get_absolute_url(), "topic-before")
    with page.expect_navigation():
        page.locator(f"#comment-{bad.pk}").get_by_role("link", name="Report this comment").click()
    a11y_check(page, "report-form")
    page.get_by_label("Personal data").check()
    page.get_by_label("Details").fill("A phone number and an insult.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send report").click()
    assert "A planner will look at your report" in page.inner_text(".messages")

    # The planner opens the queue: the reported comment is there with its reason and history.
    planner_page = new_page(locale="en-GB")
    login(planner_page, live_server, planner)
    visit(planner_page, f"{live_server.url}/moderation/", "queue")
    card = planner_page.locator(f"#item-comment-{bad.pk}")
    assert "Personal data (1)" in card.inner_text()
    assert "Author's history: 0 ideas, 1 comment" in card.inner_text()

    # Hide with a public reason, in one click.
    card.get_by_label("Public reason").select_option("personal_data")
    with planner_page.expect_navigation():
        card.get_by_role("button", name="Hide").click()
    a11y_check(planner_page, "after-hide")
    bad.refresh_from_db()
    assert bad.is_hidden and bad.hidden_reason == "personal_data"

    # Bulk: keep the two other reported comments.
    for each in (fine_one, fine_two):
        planner_page.locator(f"#item-comment-{each.pk} input[type=checkbox]").check()
    planner_page.locator("#bulk-form select[name=action]").select_option("keep")
    with planner_page.expect_navigation():
        planner_page.get_by_role("button", name="Apply to ticked items").click()
    assert "Done for 2 items." in planner_page.inner_text(".messages")
    assert planner_page.locator(f"#item-comment-{fine_one.pk}").count() == 0

    # Block the author from this consultation for a week, from the item page.
    visit(planner_page, f"{live_server.url}/moderation/item/comment/{bad.pk}/", "item")
    block_form = planner_page.locator("form", has=planner_page.locator("input[value=block]"))
    block_form.get_by_label("Days").fill("7")
    block_form.get_by_label("Reason (the person is told)").fill("Personal attacks.")
    with planner_page.expect_navigation():
        block_form.get_by_role("button", name="Block").click()
    assert Block.objects.filter(user=rude, consultation=consultation).exists()

    # The public sees the placeholder with the reason, not the text.
    visit(page, topic.get_absolute_url(), "public-topic")
    text = page.inner_text("main")
    assert "20 30 40 50" not in text
    assert "personal data" in text

    # The author appeals; the appeal lands in the queue; the planner accepts it.
    author_page = new_page(locale="en-GB")
    login(author_page, live_server, rude)
    visit(author_page, f"{live_server.url}/moderation/appeal/comment/{bad.pk}/", "appeal")
    author_page.get_by_label("Why should the decision change?").fill("I removed nothing, sorry.")
    with author_page.expect_navigation():
        author_page.get_by_role("button", name="Send appeal").click()
    assert Appeal.objects.filter(comment=bad, status="open").exists()
    visit(planner_page, f"{live_server.url}/moderation/", "queue-with-appeal")
    assert "I removed nothing, sorry." in planner_page.inner_text("main")
    visit(planner_page, f"{live_server.url}/moderation/item/comment/{bad.pk}/", "item-appeal")
    planner_page.get_by_label("Reject", exact=True).check()
    with planner_page.expect_navigation():
        planner_page.get_by_role("button", name="Decide").click()
    assert Appeal.objects.get(comment=bad).status == "rejected"
    a11y_check(planner_page, "after-decision")


def test_resident_sees_their_data_and_deletes_the_account(page, live_server, transactional_db):
    from civic.models import User

    resident = factories.UserFactory(display_name="Mette Unique", show_name_publicly=True)
    consultation = factories.ConsultationFactory(title="Harbour baths")
    factories.IdeaFactory(consultation=consultation, author=resident, title="A floating sauna")
    login(page, live_server, resident)
    visit(page, f"{live_server.url}/me/", "profile")
    with page.expect_navigation():
        page.get_by_role("link", name="Download my data").click()
    a11y_check(page, "my-data")
    assert "A floating sauna" in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("link", name="Delete my account").first.click()
    a11y_check(page, "delete-account")
    page.get_by_label("Keep them, shown as “Deleted user”").check()
    page.get_by_label("Your password").fill("pass-word-123")
    page.get_by_label("I understand that this cannot be undone.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete my account for good").click()
    assert "Your account has been deleted" in page.inner_text(".messages")
    resident = User.objects.get(pk=resident.pk)
    assert resident.is_deleted and resident.email == ""
