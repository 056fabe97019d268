"""Two people sign up in the browser, each with the e-mailed link, and take part together: one
pins an idea, the other supports it and comments, the first answers in the thread."""

import re

import pytest
from django.core import mail

from civic.models import User
from debate.models import Comment
from ideas.models import Idea, Support
from tests import factories
from tests.browser.conftest import a11y_check, visit

PASSWORD = "Harbour-bath-2026"  # noqa: S105 - typed into the sign-up form of the test server
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _submit_allauth_form(page) -> None:
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").first.click()


def sign_up_in_browser(page, email: str, display_name: str, *, show_name: bool) -> User:
    """Fill in the sign-up form, open the e-mailed link, confirm, and log in."""
    visit(page, "/accounts/signup/", "signup")
    page.locator("#id_display_name").fill(display_name)
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    if show_name:
        page.locator("#id_show_name_publicly").check()
    page.locator("#id_accept_terms").check()
    _submit_allauth_form(page)
    assert "/accounts/signup/" not in page.url, f"sign-up of {email} stayed on {page.url}"
    a11y_check(page, "check-your-email")

    message = next(m for m in reversed(mail.outbox) if email in m.to)
    visit(page, CONFIRM_LINK.search(message.body).group(1), "confirm-email")
    _submit_allauth_form(page)

    if "/accounts/login/" in page.url or page.locator("#id_login").count():
        visit(page, "/accounts/login/", "login")
        page.locator("#id_login").fill(email)
        page.locator("#id_password").fill(PASSWORD)
        _submit_allauth_form(page)
    assert "/accounts/login/" not in page.url, f"log-in failed for {email}"
    return User.objects.get(email=email)


def test_two_people_sign_up_and_take_part_together(page, new_page, live_server):
    consultation = factories.ConsultationFactory(title="Harbour baths", slug="harbour-together")

    # 1. Mette signs up and pins an idea.
    mette = sign_up_in_browser(page, "mette@harbour.example", "Mette", show_name=True)
    visit(page, f"/ideas/c/{consultation.slug}/new/", "submit-form")
    page.locator("#id_title").fill("Floating sauna by the bridge")
    page.locator("#id_description").fill("A small sauna on a raft, open all winter.")
    lon, lat = factories.INSIDE
    page.locator("#id_latitude").fill(str(lat))
    page.locator("#id_longitude").fill(str(lon))
    with page.expect_navigation():
        page.get_by_role("button", name="Submit the idea").click()
    idea = Idea.objects.get(consultation=consultation)
    assert idea.author == mette
    assert page.url.endswith(idea.get_absolute_url())

    # 2. Jonas signs up in his own browser, supports it and comments.
    other = new_page(locale="en-GB")
    jonas = sign_up_in_browser(other, "jonas@harbour.example", "Jonas Privat", show_name=False)
    visit(other, idea.get_absolute_url(), "idea-before-support")
    assert other.get_by_text("Submitted by Mette").is_visible()
    with other.expect_navigation():
        other.get_by_role("button", name="Support this idea").click()
    a11y_check(other, "idea-after-support")
    assert other.get_by_role("button", name="Withdraw my support").is_visible()
    other.locator("form.comment-form textarea").fill("Yes please, with a cold plunge.")
    with other.expect_navigation():
        other.get_by_role("button", name="Publish comment").click()
    comment = Comment.objects.get(idea=idea, author=jonas)
    a11y_check(other, "idea-after-comment")

    # 3. Mette reads the support and the comment, and answers in the thread.
    visit(page, idea.get_absolute_url(), "idea-seen-by-author")
    assert page.get_by_text("1 support", exact=True).is_visible()
    box = page.locator(f"#comment-{comment.pk}")
    assert "cold plunge" in box.inner_text()
    # Jonas did not choose to show his name: his pseudonym is shown, never his name or address.
    assert "Jonas Privat" not in page.content()
    assert "jonas@harbour.example" not in page.content()
    box.locator(f'a.reply-link[aria-controls="reply-slot-{comment.pk}"]').click()
    box.locator(f"#reply-body-{comment.pk}").fill("Good idea, I will add it.")
    with page.expect_navigation():
        box.get_by_role("button", name="Send reply").first.click()
    reply = Comment.objects.get(parent=comment)
    assert reply.author == mette
    a11y_check(page, "after-reply")

    # 4. Everything counted once.
    idea.refresh_from_db()
    assert idea.support_count == Support.objects.filter(idea=idea).count() == 1
    assert idea.comment_count == Comment.objects.filter(idea=idea).count() == 2
    visit(other, idea.get_absolute_url(), "idea-final")
    assert "Good idea, I will add it." in other.locator(f"#comment-{reply.pk}").inner_text()
