"""A resident replies to a reply and votes; a planner answers officially; the resident sees the
answer pinned at the top of the thread and answers the poll."""

import pytest

from debate import services
from debate.models import Comment
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def test_reply_vote_and_official_answer_pinned(page, new_page, live_server, transactional_db):
    consultation = factories.ConsultationFactory(title="Town centre traffic")
    planner = factories.PlannerFactory(
        display_name="Kari Nilsen, Planning", show_name_publicly=True, limited_to_assigned=True
    )
    consultation.planners.add(planner)
    topic = factories.TopicFactory(
        consultation=consultation,
        title="Does the town need a centre tunnel?",
        introduction="The tunnel would take through traffic **under** the centre.",
        poll_question="Do we need the tunnel?",
    )
    for position, label in enumerate(["Yes", "No", "Undecided"]):
        factories.PollOptionFactory(topic=topic, label=label, position=position)
    ingrid = factories.UserFactory(display_name="Ingrid", show_name_publicly=True)
    ola = factories.UserFactory(display_name="Ola", show_name_publicly=True)
    root = services.comment_create(
        author=ingrid, target=topic, body="The queue every morning is too long.", stance="for"
    )
    early_reply = services.comment_create(
        author=ola, target=topic, body="Better buses would fix most of it.", parent=root
    )
    services.comment_create(
        author=ola, target=topic, body="Too expensive for a town our size.", stance="against"
    )

    # Ingrid answers Ola's reply: a reply to a reply.
    login(page, live_server, ingrid)
    visit(page, topic.get_absolute_url(), "topic")
    reply_box = page.locator(f"#comment-{early_reply.pk}")
    reply_box.locator(f'a.reply-link[aria-controls="reply-slot-{early_reply.pk}"]').click()
    reply_box.locator(f"#reply-body-{early_reply.pk}").fill(
        "Buses are stuck in the same queue, though."
    )
    with page.expect_navigation():
        reply_box.get_by_role("button", name="Send reply").first.click()
    nested = Comment.objects.get(parent=early_reply)
    assert nested.depth == 2
    nested_box = page.locator(f"#comment-{early_reply.pk} #comment-{nested.pk}")
    assert "stuck in the same queue" in nested_box.inner_text()
    a11y_check(page, "after-reply")

    # She agrees with Ola's reply; htmx swaps the vote buttons in place.
    agree = page.locator(f"#votes-{early_reply.pk} button.vote-up")
    assert agree.get_attribute("aria-pressed") == "false"
    before = page.url
    with page.expect_response(lambda r: "/vote/" in r.url):
        agree.click()
    agree = page.locator(f"#votes-{early_reply.pk} button.vote-up")
    agree.wait_for()
    assert agree.get_attribute("aria-pressed") == "true"
    assert agree.locator(".vote-count").inner_text() == "1"
    assert page.url == before  # no page load: swapped in place
    early_reply.refresh_from_db()
    assert early_reply.upvotes == 1

    # The planner answers Ingrid officially.
    planner_page = new_page(locale="en-GB")
    login(planner_page, live_server, planner)
    planner_page.goto(topic.get_absolute_url())
    box = planner_page.locator(f"#comment-{root.pk}")
    box.locator(f'a.reply-link[aria-controls="reply-slot-{root.pk}"]').click()
    box.locator(f"#reply-body-{root.pk}").fill("We will publish the traffic counts next week.")
    box.locator(f"#reply-official-{root.pk}").check()
    with planner_page.expect_navigation():
        box.get_by_role("button", name="Send reply").first.click()
    official = Comment.objects.get(author=planner)
    assert official.is_official

    # Ingrid sees the official answer pinned first in her thread, highlighted.
    visit(page, topic.get_absolute_url(), "official-pinned")
    first_reply = page.locator(f"#comment-{root.pk} > .comment-replies > li").first
    assert first_reply.locator("article").first.get_attribute("id") == f"comment-{official.pk}"
    assert "Official answer" in first_reply.inner_text()
    assert "comment-official" in first_reply.locator("article").first.get_attribute("class")

    # The poll: results appear as bars with their values once she has answered.
    page.locator("#poll").get_by_label("Yes").check()
    with page.expect_navigation():
        page.locator("#poll").get_by_role("button", name="Answer").click()
    results = page.locator("#poll .bar-chart")
    assert "100 %" in results.inner_text()
    a11y_check(page, "poll-answered")

    # Filter to one side of the argument.
    page.locator(".balance").get_by_role("link", name="Against").click()
    page.wait_for_url("**stance=against**")
    threads = page.locator("#threads").inner_text()
    assert "Too expensive" in threads and "queue every morning" not in threads
    a11y_check(page, "filtered-against")


def test_a_new_comment_on_a_busy_topic_is_shown_first(page, live_server, transactional_db):
    """Forty well-voted threads come before a new comment in the default sort; its author still
    lands on it, marked as theirs."""
    topic = factories.TopicFactory(title="Where should the tunnel portal go?")
    others = factories.UserFactory.create_batch(3)
    for each in range(40):
        comment = services.comment_create(
            author=others[each % 3], target=topic, body=f"Earlier view number {each}."
        )
        Comment.objects.filter(pk=comment.pk).update(upvotes=5 + each, score=5 + each)
    ingrid = factories.UserFactory(display_name="Ingrid", show_name_publicly=True)

    login(page, live_server, ingrid)
    visit(page, topic.get_absolute_url(), "busy-topic")
    page.get_by_label("Your comment").fill("Put the portal by the harbour, not by the school.")
    page.get_by_label("For").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish comment").click()
    first = page.locator("li.thread").first
    assert "Put the portal by the harbour" in first.inner_text()
    assert first.locator(".badge-yours").inner_text() == "Your comment"
    a11y_check(page, "landed-on-my-comment")
