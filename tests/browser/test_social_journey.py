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


def _scheduled_post(channel, consultation, when, text):
    from social import services

    author, approver = factories.PlannerFactory(), factories.PlannerFactory()
    post = services.post_create(actor=author, channel=channel, consultation=consultation, text=text)
    services.post_schedule(actor=author, post=post, scheduled_at=when)
    return services.post_approve(actor=approver, post=post), approver


def _next_monday_at(hour: int):
    from datetime import datetime, timedelta

    from django.utils import timezone

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return monday, timezone.make_aware(
        datetime.combine(monday, datetime.min.time()) + timedelta(hours=hour)
    )


@pytest.mark.parametrize("locale", ["en-GB", "da-DK", "nb-NO"])
def test_planner_moves_a_post_by_keyboard_with_the_form(
    new_page, live_server, mastodon_fake, locale
):
    from datetime import timedelta

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(title="Harbour baths")
    monday, when = _next_monday_at(9)
    post, approver = _scheduled_post(channel, consultation, when, "Harbour baths: meeting")

    page = new_page(locale)
    login(page, live_server, approver)
    visit(page, f"/social/calendar/?view=week&date={monday.isoformat()}", f"calendar-week-{locale}")
    assert "Harbour baths: meeting" in page.locator(".calendar-grid").inner_text()
    # By keyboard: the entry's link, then the day and time fields, then Enter.
    page.locator(f"#calendar-post-{post.pk} a.calendar-move").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    a11y_check(page, f"reschedule-form-{locale}")
    day = page.locator("#id_date")
    day.focus()
    day.fill((monday + timedelta(days=3)).isoformat())
    page.locator("#id_time").focus()
    page.locator("#id_time").fill("16:45")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    post.refresh_from_db()
    assert post.scheduled_at == when + timedelta(days=3, hours=7, minutes=45)
    assert page.url.endswith(f"/social/calendar/?view=week&date={monday.isoformat()}")
    a11y_check(page, f"calendar-after-move-{locale}")
    # A time in the past: the form says so, readably.
    visit(page, f"/social/posts/{post.pk}/reschedule/", f"reschedule-again-{locale}")
    page.locator("#id_date").fill("2020-01-01")
    with page.expect_navigation():
        page.locator("#id_time").press("Enter")
    assert page.locator(".form-errors").is_visible()
    a11y_check(page, f"reschedule-error-{locale}")
    visit(
        page,
        f"/social/calendar/?view=month&date={monday.isoformat()}",
        f"calendar-month-{locale}",
    )
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"calendar-month-narrow-{locale}")


@pytest.mark.parametrize("locale", ["en-GB", "da-DK"])
def test_planner_drags_a_post_to_another_day_and_a_refused_move_goes_back(
    new_page, live_server, mastodon_fake, locale
):
    from datetime import timedelta

    from social.models import OutboxEntry

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(title="Harbour baths")
    monday, when = _next_monday_at(9)
    post, approver = _scheduled_post(channel, consultation, when, "Harbour baths: meeting")
    busy, _ = _scheduled_post(channel, consultation, when + timedelta(hours=2), "Already going")

    page = new_page(locale)
    login(page, live_server, approver)
    visit(page, f"/social/calendar/?view=week&date={monday.isoformat()}", f"drag-before-{locale}")
    wednesday = (monday + timedelta(days=2)).isoformat()
    # Tall enough that nothing scrolls between pressing on the post and dropping it.
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.locator(f"#calendar-post-{post.pk}").drag_to(page.locator(f'[data-day="{wednesday}"]'))
    page.locator("[data-calendar-status]").filter(has_text="09:00").wait_for()
    assert page.locator(f'[data-day="{wednesday}"] #calendar-post-{post.pk}').count() == 1
    post.refresh_from_db()
    assert post.scheduled_at == when + timedelta(days=2)  # the time of day kept
    a11y_check(page, f"drag-after-{locale}")

    # The outbox takes the other post meanwhile: the server refuses, the entry goes back.
    OutboxEntry.objects.filter(post=busy).update(attempts=1, maybe_sent=True)
    page.locator(f"#calendar-post-{busy.pk}").drag_to(page.locator(f'[data-day="{wednesday}"]'))
    alert = page.locator("[data-calendar-alert]")
    alert.wait_for(state="visible")
    assert page.locator(f'[data-day="{monday.isoformat()}"] #calendar-post-{busy.pk}').count() == 1
    busy.refresh_from_db()
    assert busy.scheduled_at == when + timedelta(hours=2)
    a11y_check(page, f"drag-refused-{locale}")
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"drag-narrow-{locale}")


def test_the_reschedule_form_works_without_javascript(new_page, live_server, mastodon_fake):
    from datetime import timedelta

    from tests.browser.conftest import open_without_script

    channel = channel_for(mastodon_fake, name="Copenhagen on Mastodon")
    consultation = factories.ConsultationFactory(title="Harbour baths")
    monday, when = _next_monday_at(9)
    post, approver = _scheduled_post(channel, consultation, when, "Harbour baths: meeting")
    page = new_page("en-GB")
    login(page, live_server, approver)
    plain = new_page("en-GB", javascript=False)
    plain.context.add_cookies(page.context.cookies())
    open_without_script(plain, f"/social/posts/{post.pk}/reschedule/", "no-js-form", picture="-")
    plain.locator("#id_date").fill((monday + timedelta(days=1)).isoformat())
    plain.locator("#id_time").fill("07:05")
    with plain.expect_navigation():
        plain.get_by_role("button", name="Save the new time").click()
    post.refresh_from_db()
    assert post.scheduled_at == when + timedelta(days=1, hours=-2, minutes=5)


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
