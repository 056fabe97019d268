"""The site under its Content-Security-Policy and Permissions-Policy, in a real browser.

Every page here is watched for `securitypolicyviolation` events and for the console errors
Chromium writes when it refuses something (a script, a style, a frame, a form's target) or
cannot read the Permissions-Policy header. Each journey asserts there were none, and that what
the scripts do still happens: the map shows its pins, htmx swaps votes in place, the embed
shows inside another site's page, the staff map editor and the composer work.
"""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from debate import services as debate_services
from ideas.models import Idea
from tests import factories
from tests.browser.conftest import a11y_check, draw_a_rectangle_area, login, screenshot, visit
from tests.social.factories import channel_for

# Installed before any page script runs (through the DevTools protocol, which the policy does
# not govern): report every violation to the console, where the watcher below collects it.
VIOLATION_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("securitypolicyviolation: " + event.violatedDirective + " refused "
    + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
POLICY_WORDS = (
    "securitypolicyviolation",
    "Content Security Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
    "Permissions policy",
)


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def watch_policy(page):
    """Collect this page's policy violations (in any of its frames) in page.policy_problems."""
    page.policy_problems = []
    page.add_init_script(VIOLATION_REPORTER)

    def on_console(message):
        if message.type in ("error", "warning") and any(w in message.text for w in POLICY_WORDS):
            page.policy_problems.append(message.text)

    page.on("console", on_console)
    return page


def assert_no_policy_problems(page) -> None:
    assert not page.policy_problems, "\n".join(page.policy_problems)


@pytest.fixture
def harbour(transactional_db):
    consultation = factories.ConsultationFactory(slug="harbour", title="Christiansholm")
    bath = factories.CategoryFactory(consultation=consultation, name="Bathing", colour="#0a7f5a")
    ideas = [
        factories.IdeaFactory(
            consultation=consultation,
            category=bath,
            title=title,
            longitude=longitude,
            latitude=55.6797,
            number=number,
        )
        for number, (title, longitude) in enumerate(
            [("Harbour bath with sand", 12.5962), ("Boathouse for the rowing club", 12.5975)],
            start=1,
        )
    ]
    type(consultation).objects.filter(pk=consultation.pk).update(idea_counter=len(ideas))
    return consultation


def test_consultation_map_shows_its_pins_under_the_policy(page, live_server, harbour):
    watch_policy(page)
    response = visit(page, harbour.get_absolute_url(), "consultation-map")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    markers = page.locator(".map-consultation .leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == 2
    listing = page.locator("[data-map-list]")
    listing.get_by_role("link", name="Harbour bath with sand").wait_for()
    # A pin opens its popup (Leaflet positions it with element styles, which the policy allows).
    markers.first.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup").wait_for()
    # Contrast is checked once the popup has faded in, not halfway through the fade.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    a11y_check(page, "consultation-map-popup")
    assert_no_policy_problems(page)


def test_idea_support_comment_and_htmx_vote_under_the_policy(page, live_server, harbour):
    idea = Idea.objects.get(consultation=harbour, number=1)
    author = factories.UserFactory(display_name="Ola", show_name_publicly=True)
    comment = debate_services.comment_create(
        author=author, target=idea, body="Sand is a must for the children."
    )
    resident = factories.UserFactory()
    watch_policy(page)
    login(page, live_server, resident)
    visit(page, idea.get_absolute_url(), "idea")

    with page.expect_navigation():
        page.get_by_role("button", name="Support this idea").click()
    page.get_by_role("button", name="Withdraw my support").wait_for()

    page.locator("form.comment-form textarea").first.fill("And a ramp for wheelchairs, please.")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish comment").first.click()
    page.get_by_text("And a ramp for wheelchairs, please.").wait_for()

    # The vote is an htmx request whose answer is swapped in place, without a page load.
    before = page.url
    agree = page.locator(f"#votes-{comment.pk} button.vote-up")
    assert agree.get_attribute("aria-pressed") == "false"
    with page.expect_response(lambda r: "/vote/" in r.url):
        agree.click()
    page.locator(f'#votes-{comment.pk} button.vote-up[aria-pressed="true"]').wait_for()
    assert page.url == before
    # htmx was told not to inject its indicator <style> (the policy would refuse it).
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    a11y_check(page, "idea-after-vote")
    comment.refresh_from_db()
    assert comment.upvotes == 1
    assert_no_policy_problems(page)


@contextmanager
def other_site(embed_url: str):
    """Another site (its own origin, http://127.0.0.1:<port>) whose page frames the embed.

    A real server on the loopback address rather than a page made up by the browser test:
    Chromium refuses to let a page it cannot place on the local network frame a local one.
    """
    page = (
        "<!doctype html><html lang='en'><head><title>Local news</title></head><body>"
        "<main><h1>Local news</h1>"
        f"<iframe src='{embed_url}' title='Take part' width='600' height='320'></iframe>"
        "</main></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_embed_shows_inside_an_allowed_site(page, live_server, harbour, settings):
    embed_url = f"{live_server.url}/embed/{harbour.slug}/"
    watch_policy(page)
    with other_site(embed_url) as partner:
        settings.EMBED_ALLOWED_ORIGINS = [partner]
        page.goto(f"{partner}/news.html")
        frame = page.frame_locator("iframe")
        frame.get_by_role("heading", name="Christiansholm").wait_for()
        assert frame.get_by_role("link", name="Take part").is_visible()
        a11y_check(page, "embed-in-partner-page")
    assert_no_policy_problems(page)


def test_embed_refuses_a_site_not_on_the_list(page, live_server, harbour, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.kommune.dk"]
    embed_url = f"{live_server.url}/embed/{harbour.slug}/"
    watch_policy(page)
    with other_site(embed_url) as stranger:
        page.goto(f"{stranger}/news.html")
        page.wait_for_function(
            "() => document.querySelector('iframe') && document.readyState === 'complete'"
        )
        page.wait_for_timeout(500)
        screenshot(page, "embed-refused")
        frame = page.frames[1] if len(page.frames) > 1 else None
        shown = frame.content() if frame is not None else ""
    assert "Christiansholm" not in shown
    assert any("frame-ancestors" in problem for problem in page.policy_problems), (
        page.policy_problems
    )


def test_consultation_form_map_editor_under_the_policy(page, live_server, harbour):
    planner = factories.PlannerFactory()
    watch_policy(page)
    login(page, live_server, planner)

    visit(page, f"/{harbour.slug}/edit/", "consultation-form")
    draw_a_rectangle_area(page)
    a11y_check(page, "area-drawn")
    assert_no_policy_problems(page)


def test_social_composer_counts_under_the_policy(page, live_server, harbour):
    from devsite.fakes import FakeMastodon

    fake = FakeMastodon().start()
    try:
        channel = channel_for(fake, name="Copenhagen on Mastodon")
        planner = factories.PlannerFactory()
        watch_policy(page)
        login(page, live_server, planner)
        visit(page, f"/social/c/{harbour.slug}/", "composer")
        area = page.get_by_role("textbox", name="Mastodon: Copenhagen on Mastodon")
        text = "Harbour baths: where should the new bath go?"
        area.fill(text)
        page.locator(f"#counter_{channel.pk}").filter(has_text=f"{len(text)} of 500").wait_for()
        assert text in page.locator(f'[data-preview-for="{channel.pk}"]').inner_text()
        a11y_check(page, "composer-filled")
        assert_no_policy_problems(page)
    finally:
        fake.stop()


def test_api_docs_run_under_the_policy(page, live_server, harbour):
    watch_policy(page)
    page.goto("/api/docs/")
    page.locator(".swagger-ui .information-container").wait_for()
    page.get_by_text("/api/v1/consultations/").first.wait_for()
    page.screenshot(path=str(_screenshot_path("api-docs")))
    assert_no_policy_problems(page)


def _screenshot_path(name: str):
    from tests.browser.conftest import SCREENSHOTS, _current_test_name

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{_current_test_name()}-{name}.png"


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO", "en-GB"])
def test_api_docs_are_accessible_in_each_language(new_page, live_server, harbour, locale):
    from tests.browser.conftest import a11y_check

    page = new_page(locale=locale)
    page.goto("/api/docs/")
    page.get_by_text("/api/v1/consultations/").first.wait_for()
    assert page.get_attribute("html", "lang") == locale[:2]
    assert "API" in page.locator("main h1").first.inner_text()
    a11y_check(page, f"api-docs-{locale}")
