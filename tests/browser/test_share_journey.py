"""A resident shares an idea: copies its address, or opens a platform's own share dialog."""

import pytest

from tests import factories
from tests.browser.conftest import a11y_check, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def test_copy_the_link_and_share_on_mastodon(page, live_server, transactional_db):
    idea = factories.IdeaFactory(title="Harbour bath with sand")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    visit(page, idea.get_absolute_url(), "idea-with-share")
    share = page.locator("section.share")
    copy = share.get_by_role("button", name="Copy link")
    assert copy.is_visible()  # shown by the script where the clipboard can be written
    copy.click()
    page.wait_for_function("() => document.querySelector('[data-copy]').textContent === 'Copied'")
    assert page.evaluate("() => navigator.clipboard.readText()") == (
        live_server.url + idea.get_absolute_url()
    )
    for platform in ("Facebook", "X", "Bluesky"):
        link = share.get_by_role("link", name=f"Share on {platform}")
        assert link.get_attribute("href").startswith("https://")

    # Mastodon: the person's own server's share page opens in a new window (unreachable here,
    # so only its address is checked).
    requested = []
    page.context.on("request", lambda request: requested.append(request.url))
    share.get_by_label("Your Mastodon server").fill("social.harstad.example")
    with page.context.expect_page():
        share.get_by_role("button", name="Share on Mastodon").click()
    page.wait_for_timeout(200)
    assert [url for url in requested if "harstad" in url] == [
        "https://social.harstad.example/share?text=Idea%3A%20Harbour%20bath%20with%20sand%20"
        + (live_server.url + idea.get_absolute_url()).replace(":", "%3A").replace("/", "%2F")
    ]
    a11y_check(page, "after-share")
