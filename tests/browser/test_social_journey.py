"""A planner drafts a post for Mastodon, a second planner approves it, the worker publishes it on
the fake Mastodon, and its favourites come back to the page; the hub links to it."""

import pytest

from devsite.fakes import FakeMastodon
from social.models import PostState, SocialPost
from social.outbox import run_due
from social.readback import import_comments, refresh_metrics
from tests import factories
from tests.browser.conftest import a11y_check, login, visit
from tests.social.factories import channel_for


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def mastodon_fake():
    fake = FakeMastodon().start()
    yield fake
    fake.stop()


def test_draft_approve_publish_and_read_back(page, new_page, live_server, mastodon_fake):
    consultation = factories.ConsultationFactory(title="Harbour baths", hashtag="harbourbaths")
    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    author = factories.PlannerFactory(display_name="Line, Planning", show_name_publicly=True)
    approver = factories.PlannerFactory(display_name="Omar, Comms", show_name_publicly=True)

    login(page, live_server, author)
    visit(page, f"{live_server.url}/social/c/{consultation.slug}/", "composer")
    area = page.get_by_role("textbox", name="Mastodon: Copenhagen on Mastodon")
    text = "Harbour baths: tell us where the new bath should go! #harbourbaths"
    area.fill(text)
    # The server counts like the instance (500 characters).
    counter = page.locator(f"#counter_{channel.pk}")
    counter.filter(has_text=f"{len(text)} of 500").wait_for()
    assert text in page.locator(f'[data-preview-for="{channel.pk}"]').inner_text()
    area.fill("x" * 501)
    counter.filter(has_text="501 of 500").wait_for()
    assert area.get_attribute("aria-invalid") == "true"
    area.fill(text)
    counter.filter(has_text=f"{len(text)} of 500").wait_for()
    a11y_check(page, "composer-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Save drafts for approval").click()
    assert "for a second planner" in page.inner_text(".messages")
    assert "A second planner must approve your post." in page.inner_text("#posts")
    assert page.get_by_role("button", name="Approve").count() == 0

    second = new_page(locale="en-GB")
    login(second, live_server, approver)
    visit(second, f"{live_server.url}/social/c/{consultation.slug}/", "approver")
    with second.expect_navigation():
        second.get_by_role("button", name="Approve").click()
    assert "Approved" in second.inner_text(".messages")

    # The worker (Celery beat or `manage.py social_worker`) runs.
    post = SocialPost.objects.get()
    assert run_due().published == [post.pk]
    post.refresh_from_db()
    assert [s["text"] for s in mastodon_fake.published()] == [text]
    mastodon_fake.engage(post.remote_id, reactions=7, shares=2)
    mastodon_fake.reply(post.remote_id, "The north quay, please!", author="ida")
    refresh_metrics()
    import_comments()

    visit(second, f"{live_server.url}/social/c/{consultation.slug}/", "published")
    card = second.locator(".social-post").first
    assert "Published" in card.inner_text()
    figures = card.locator(".social-figures").inner_text()
    assert "Reactions\n7" in figures and "Shares\n2" in figures
    assert "Reach\nnot available" in figures
    assert (
        card.get_by_role("link", name="View on Mastodon").get_attribute("href") == post.remote_url
    )

    visit(page, consultation.get_absolute_url(), "hub")
    assert page.get_by_role("link", name="Also discussed on Mastodon").count() == 1
    assert "The north quay, please!" in page.inner_text("#social-heading ~ ul.social-comments")
    assert post.state == PostState.PUBLISHED


def test_administrator_connects_a_channel_and_stops_publishing(page, live_server, mastodon_fake):
    administrator = factories.AdministratorFactory()
    login(page, live_server, administrator)
    visit(page, f"{live_server.url}/social/channels/", "channels-empty")
    # The credentials form, not the platform-login one above it.
    connect = page.get_by_role("region", name="Connect a channel with credentials")
    connect.get_by_label("Platform").select_option("mastodon")
    connect.get_by_label("Base URL").fill(mastodon_fake.base_url)
    connect.get_by_label("Credentials").fill("access_token=mastodon-token")
    with page.expect_navigation():
        connect.get_by_role("button", name="Connect", exact=True).click()
    assert "Connected Mastodon: Københavns Kommune." in page.inner_text(".messages")
    assert "Københavns Kommune" in page.inner_text("table.data")
    page.get_by_text("Crisis stop: pause every channel").click()
    page.get_by_label("Reason").fill("Storm warning")
    with page.expect_navigation():
        page.get_by_role("button", name="Stop all publishing").click()
    a11y_check(page, "channels-stopped")
    assert "Storm warning" in page.inner_text(".social-crisis")


@pytest.mark.parametrize("locale", ["en-GB", "da-DK", "nb-NO"])
def test_second_planner_sends_a_draft_back_and_the_author_corrects_it(
    new_page, live_server, mastodon_fake, locale
):
    from social import services
    from social.models import PostState, SocialPost

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(slug=f"approvals-{locale.lower()}")
    author = factories.PlannerFactory(display_name="Anna", show_name_publicly=True)
    second = factories.PlannerFactory(display_name="Bo", show_name_publicly=True)
    consultation.planners.add(author, second)
    post = services.post_create(
        actor=author, channel=channel, consultation=consultation, text="Harbour bath: hav your say"
    )

    reviewer = new_page(locale)
    login(reviewer, live_server, second)
    badge = reviewer.locator('header a[href="/social/approvals/"] .badge-count')
    assert badge.inner_text().startswith("1")
    visit(reviewer, "/social/approvals/", f"approvals-{locale}")
    reviewer.locator("details summary").first.click()
    reviewer.locator(f"#note-{post.pk}").fill("Typo: hav → have")
    with reviewer.expect_navigation():
        reviewer.locator(f"#note-{post.pk}").press("Tab")
        reviewer.keyboard.press("Enter")
    a11y_check(reviewer, f"approvals-sent-back-{locale}")
    post.refresh_from_db()
    assert post.state == PostState.DRAFT

    writer = new_page(locale)
    login(writer, live_server, author)
    visit(writer, "/social/approvals/", f"approvals-author-{locale}")
    assert "Typo: hav → have" in writer.locator("#sent-back").inner_text()
    writer.set_viewport_size({"width": 390, "height": 844})
    a11y_check(writer, f"approvals-author-narrow-{locale}")
    assert SocialPost.objects.count() == 1


def test_a_failed_post_alerts_its_author_who_finds_it(page, live_server, mastodon_fake):
    from social import services

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(slug="alert-journey")
    author = factories.PlannerFactory()
    post = services.post_create(
        actor=author, channel=channel, consultation=consultation, text="Harbour baths tonight"
    )
    services.post_approve(actor=factories.PlannerFactory(), post=post)
    mastodon_fake.script("validation_error", method="POST", path="/api/v1/statuses")
    run_due()

    login(page, live_server, author)
    visit(page, "/me/notifications/", "failure-alert")
    # Notices link to SITE_URL, the address the site is served at; here the test server's.
    href = page.get_by_role("link", name="A social media post failed").get_attribute("href")
    path = href.split("://", 1)[1].split("/", 1)[1]
    visit(page, f"/{path}", "failed-post-in-composer")
    card = page.locator(f"#post-{post.pk}-title")
    assert "Failed" in card.inner_text()


@pytest.mark.parametrize("locale", ["en-GB", "da-DK", "nb-NO"])
def test_planner_reads_the_calendar_and_moves_a_post(new_page, live_server, mastodon_fake, locale):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from social import services

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(title="Harbour baths")
    author, approver = factories.PlannerFactory(), factories.PlannerFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    when = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()) + timedelta(hours=9))
    post = services.post_create(
        actor=author, channel=channel, consultation=consultation, text="Harbour baths: meeting"
    )
    services.post_schedule(actor=author, post=post, scheduled_at=when)
    services.post_approve(actor=approver, post=post)

    page = new_page(locale)
    login(page, live_server, approver)
    visit(page, "/social/calendar/", f"calendar-week-{locale}")
    assert "Harbour baths: meeting" in page.locator(".calendar-grid").inner_text()
    page.locator(".calendar-post details summary").first.click()
    page.locator(f"#p{post.pk}-scheduled_at").fill(
        (when + timedelta(days=1))
        .astimezone(timezone.get_current_timezone())
        .strftime("%Y-%m-%dT%H:%M")
    )
    with page.expect_navigation():
        page.locator(f"#p{post.pk}-scheduled_at").press("Enter")
    post.refresh_from_db()
    assert post.scheduled_at == when + timedelta(days=1)
    a11y_check(page, f"calendar-after-move-{locale}")
    visit(
        page,
        f"/social/calendar/?view=month&date={tomorrow.isoformat()}",
        f"calendar-month-{locale}",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"calendar-month-narrow-{locale}")


@pytest.mark.parametrize("locale", ["en-GB", "da-DK", "nb-NO"])
def test_planner_answers_a_comment_from_the_inbox(new_page, live_server, mastodon_fake, locale):
    from social import services
    from social.adapters import OutgoingPost
    from social.models import ImportedComment
    from tests.social.factories import published_post

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(title="Harbour baths")
    planner = factories.PlannerFactory()
    with services.adapter_for(channel) as adapter:
        result = adapter.publish(OutgoingPost(text="Harbour baths: have your say"), "k")
    post = published_post(channel, consultation=consultation, remote_id=result.remote_id)
    mastodon_fake.reply(result.remote_id, "When does the bath open?", author="mette")
    import_comments([post.pk])
    comment = ImportedComment.objects.get()

    page = new_page(locale)
    login(page, live_server, planner)
    visit(page, "/social/inbox/", f"inbox-{locale}")
    page.locator(f"#comment-{comment.pk} details summary").click()
    page.locator(f"#reply-comment-{comment.pk}").fill("On 1 June, from 7 o'clock.")
    with page.expect_navigation():
        page.locator(f"#comment-{comment.pk} details button[type=submit]").click()
    comment.refresh_from_db()
    assert comment.answer_remote_id in mastodon_fake.statuses
    a11y_check(page, f"inbox-answered-{locale}")
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"inbox-narrow-{locale}")
