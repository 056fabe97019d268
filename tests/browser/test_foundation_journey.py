"""A newcomer's first visit: sign up, confirm the e-mail, log in, pick a language, read the demo.

Also the error pages, in the site's style. Every page goes through `visit`, which saves a
screenshot and fails on serious accessibility problems.
"""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import path

import civic.urls
from civic.models import User
from tests import factories
from tests.browser.conftest import TEST_PASSWORD, a11y_check, login, visit

EMAIL = "ny.borger@example.org"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_newcomer_signs_up_confirms_logs_in_and_reads_the_demo(page, live_server, demo, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".localhost"]
    # Sign up (the browser asks for Danish, so the form is in Danish).
    visit(page, "/accounts/signup/", "signup")
    assert page.locator("html").get_attribute("lang") == "da"
    page.locator("#id_display_name").fill("Ny Borger")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(TEST_PASSWORD)
    page.locator("#id_password2").fill(TEST_PASSWORD)
    page.locator("#id_accept_terms").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    visit(page, page.url, "verification-sent")
    person = User.objects.get(email=EMAIL)
    assert person.display_name == "Ny Borger"
    assert not person.show_name_publicly

    # Confirm the e-mail address with the link from the outbox.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    match = re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    visit(page, match.group(0), "confirm-email")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert person.emailaddress_set.get(email=EMAIL).verified

    # Log in through the form (in a clean session, as when coming back another day).
    page.context.clear_cookies()
    visit(page, "/accounts/login/", "login")
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/accounts/login/" not in page.url
    visit(page, "/me/", "profile")
    assert page.get_by_role("heading", level=1).inner_text() == "Min profil"

    # Switch language: Danish -> English -> Norwegian, and the choice sticks.
    for code, heading in (("en", "My profile"), ("nb", "Min profil")):
        page.locator("#language-select").select_option(code)
        with page.expect_navigation():
            page.locator(".language-switcher button[type=submit]").click()
        assert page.locator("html").get_attribute("lang") == code
        a11y_check(page, f"profile-{code}")
        assert page.get_by_role("heading", level=1).inner_text() == heading
    assert "Logg ut" in page.locator(".site-nav").inner_text()

    # The demo consultations, in Norwegian now: København's here, Harstad's at its own address.
    visit(page, "/", "consultations")
    assert page.locator("html").get_attribute("lang") == "nb"
    assert "Christiansholm" in page.locator("main").inner_text()
    assert "Trenger Harstad en sentrumstunnel?" not in page.locator("main").inner_text()
    visit(page, "/christiansholm/", "christiansholm")
    assert "Christiansholm" in page.get_by_role("heading", level=1).inner_text()
    harstad = live_server.url.replace("://localhost", "://harstad.localhost")
    visit(page, f"{harstad}/", "harstad-home")
    assert "Harstad kommune" in page.locator("header").inner_text()
    assert "Trenger Harstad en sentrumstunnel?" in page.locator("main").inner_text()
    visit(page, f"{harstad}/harstad-sentrumstunnel/", "harstad")
    assert "sentrumstunnel" in page.get_by_role("heading", level=1).inner_text()

    # On a phone the header wraps and nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 740})
    visit(page, "/", "consultations-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize(
    ("browser_locale", "heading"),
    [
        ("da-DK", "Siden blev ikke fundet"),
        ("nb-NO", "Fant ikke siden"),
        ("en-GB", "Page not found"),
    ],
)
def test_not_found_page_in_the_site_style(page, heading):
    visit(page, "/no-such-page/", "404", expect_status=404)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    _assert_site_chrome(page)


def test_forbidden_page_in_the_site_style(page, live_server, settings):
    settings.ROOT_URLCONF = __name__
    login(page, live_server, factories.UserFactory())
    visit(page, "/forbidden/", "403", expect_status=403)
    assert page.get_by_role("heading", level=1).inner_text() == "Det må du ikke"
    assert REFUSAL in page.locator("main").inner_text()
    _assert_site_chrome(page)


def _assert_site_chrome(page):
    """The error pages keep the header, the language switcher, the footer and the site's CSS."""
    assert page.locator("header.site-header").is_visible()
    assert page.locator("#language-select").is_visible()
    assert page.locator("footer.site-footer").is_visible()
    header_colour = page.locator("header.site-header").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert header_colour == "rgb(31, 78, 121)"  # the default brand colour #1f4e79


REFUSAL = "Only the consultation's planners may open this page."


def _refuse(request):
    raise PermissionDenied(REFUSAL)


# The 403 test serves the site's own URLs plus one page that always refuses.
urlpatterns = [path("forbidden/", _refuse), *civic.urls.urlpatterns]
handler403 = civic.urls.handler403
handler404 = civic.urls.handler404


def test_planner_must_set_up_two_factor_before_working(page, live_server, settings):
    settings.REQUIRE_STAFF_2FA = True
    planner = factories.PlannerFactory()
    login(page, live_server, planner)

    # Sent to set up an authenticator app; allauth first asks for the password again.
    assert "/accounts/reauthenticate/" in page.url
    a11y_check(page, "reauthenticate")
    page.locator("#id_password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    a11y_check(page, "activate-totp")

    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    a11y_check(page, "totp-activated")
    assert Authenticator.objects.filter(user=planner, type=Authenticator.Type.TOTP).exists()

    visit(page, "/me/", "profile")
    assert page.get_by_role("heading", level=1).inner_text() == "Min profil"
