"""The shared browser-test harness: Playwright for Python driving Debian's Chromium.

Every journey in tests/browser/ uses it:

    from tests.browser.conftest import a11y_check, login, visit

    @pytest.mark.browser
    def test_resident_pins_an_idea(page, live_server, resident):
        login(page, live_server, resident)
        visit(page, "/christiansholm/", "consultation")   # screenshot + axe-core
        page.get_by_role("button", name="Submit").click()
        a11y_check(page, "after-submit")                  # re-check after an interaction

Fixtures: `browser` (one Chromium for the session), `page` (a fresh context per test, based at
the live server, in the language of `browser_locale`; override that fixture or parametrize it to
test another language) and `new_page(locale=...)` for a second person in the same test.

Every test here is marked `browser` automatically, so `pytest -m "not browser"` leaves them out.
Without /usr/bin/chromium they are skipped, unless REQUIRE_BROWSER=1 (CI), where they fail.
"""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API keeps an asyncio loop in the test's thread; Django refuses database access
# from a thread with a running loop unless told that this is deliberate. Tests only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
FAILING_IMPACTS = ("serious", "critical")
TEST_PASSWORD = "pass-word-123"  # noqa: S105 - the factories' password
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
NAVIGATION_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    missing = _missing_requirements()
    if missing:
        message = "browser tests need " + " and ".join(missing)
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message + " (REQUIRE_BROWSER is set)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser_locale() -> str:
    """The language the browser asks for (Accept-Language); override to test another."""
    return "da-DK"


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Open pages in fresh browser contexts (no shared cookies), closed after the test."""
    contexts = []

    def open_page(locale: str = "da-DK", *, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": 1280, "height": 900},
            java_script_enabled=javascript,
        )
        context.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        # Map tiles and anything else on the internet are unreachable in tests; refusing them at
        # once keeps pages from waiting for time-outs.
        context.route("**/*", _only_local_requests)
        contexts.append(context)
        page = context.new_page()
        page.civic_errors = []
        page.on("pageerror", lambda error: page.civic_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page, browser_locale):
    """A page in a fresh browser context, based at the live server."""
    return new_page(locale=browser_locale)


# --- Helpers -----------------------------------------------------------------------------------


def visit(page, url: str, name: str, *, expect_status: int | None = 200):
    """Open `url`, wait for it to load, save a full-page screenshot and run axe-core.

    `url` may be a path on the live server ("/christiansholm/"). The screenshot goes to
    tests/browser/screenshots/<test>-<name>.png. Fails the test on a different HTTP status
    (pass expect_status=None to accept any), a script error or a serious accessibility problem.
    Returns Playwright's response.
    """
    response = page.goto(url, wait_until="load")
    assert response is not None, f"no response for {url}"
    if expect_status is not None:
        assert response.status == expect_status, (
            f"{url} answered {response.status}, expected {expect_status}"
        )
    a11y_check(page, name)
    return response


def a11y_check(page, name: str) -> None:
    """Screenshot the page as it is now and fail on serious or critical axe-core violations."""
    page.wait_for_load_state("load")
    screenshot(page, name)
    errors = getattr(page, "civic_errors", [])
    assert not errors, f"script errors on {page.url}: {errors}"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol rather than added as a <script> element: the
        # site's Content-Security-Policy refuses inline scripts, and a test must not need an
        # exception from it.
        page.evaluate(AXE_SCRIPT.read_text() + "\n;void 0")
    results = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))
            }));
        }"""
    )
    failing = [v for v in results if v["impact"] in FAILING_IMPACTS]
    if failing:
        pytest.fail(
            f"accessibility violations on {page.url} ({name}):\n" + format_violations(failing),
            pytrace=False,
        )


def open_without_script(page, url: str, name: str, *, picture: str):
    """Open `url` in a page whose JavaScript is off: screenshot it and return the HTTP statuses
    of the requests whose address contains `picture` (the static map). axe needs scripts, and
    with them off Playwright's evaluate waits for ever, so nothing here runs in the page."""
    statuses = []
    page.on(
        "response",
        lambda response: statuses.append(response.status) if picture in response.url else None,
    )
    response = page.goto(url, wait_until="load")
    assert response.status == 200
    screenshot(page, name)
    return statuses


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{_current_test_name()}-{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, user, *, password: str = TEST_PASSWORD) -> None:
    """Log `user` in through the real log-in form; their e-mail address counts as confirmed."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    visit(page, f"{live_server.url}/accounts/login/", "login")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").first.click()
    assert "/accounts/login/" not in page.url, f"log-in failed for {user.email}, at {page.url}"


def draw_a_rectangle_area(page) -> None:
    """On the consultation form: the stored area is drawn for editing; draw a rectangle with
    the mouse and wait until the area field holds it."""
    canvas = page.locator("[data-map-widget=area-editor]")
    canvas.wait_for()
    assert page.locator(".map-area-editor path.leaflet-interactive").count() == 1
    page.locator(".leaflet-draw-draw-rectangle").click()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 220, box["y"] + 200, steps=5)
    page.mouse.up()
    page.wait_for_function(
        "() => JSON.parse(document.getElementById('id_area').value || '{}').type === 'MultiPolygon'"
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {json.dumps(node['target'])}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def _only_local_requests(route) -> None:
    host = urlsplit(route.request.url).hostname or ""
    # <municipality>.localhost is this machine too (the development hosts, civic.tenancy).
    local = host in LOCAL_HOSTS or host.endswith(".localhost")
    if route.request.url.startswith(("data:", "blob:")) or local:
        route.continue_()
    else:
        route.abort("internetdisconnected")


def _missing_requirements() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        missing.append(f"{AXE_SCRIPT.relative_to(ROOT)} (npm ci)")
    return missing


def _current_test_name() -> str:
    # PYTEST_CURRENT_TEST is "tests/browser/test_x.py::test_name[param] (call)".
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown")
    return _slug(current.split("::")[-1].rsplit(" ", 1)[0])


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")
