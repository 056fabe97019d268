"""The page language (Accept-Language, then the person's choice, then the setting) and the
error pages, which keep the site's look in every language with DEBUG off."""

import html
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

import civic.urls

LOGIN_HEADINGS = {"da": "Log ind", "nb": "Logg inn", "en": "Sign In"}


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def _h1(response) -> str:
    return re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", response.content.decode(), re.S).group(1)


# --- Language ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("nb-NO,nb;q=0.9,en;q=0.5", "nb"),
        ("en-GB,en;q=0.9", "en"),
        ("da", "da"),
        ("de,nb;q=0.5", "nb"),
    ],
)
def test_page_follows_the_browsers_accept_language(client, db, accept_language, expected):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert _html_lang(response) == expected
    assert _h1(response) == LOGIN_HEADINGS[expected]


def test_the_persons_choice_wins_over_the_browser(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.cookies["civic_language"].value == "en"
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="nb")
    assert _html_lang(response) == "en"
    assert _h1(response) == "Sign In"


@pytest.mark.parametrize("fallback", ["da", "nb", "en"])
def test_fallback_is_the_municipalitys_language(client, db, settings, fallback):
    """The browser asks for none of ours: the municipality's own language."""
    from civic import tenancy
    from civic.models import Municipality

    Municipality.objects.update(language=fallback)
    tenancy.forget()
    for accept_language in (None, "de-DE,fr;q=0.8"):
        headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
        response = client.get(reverse("account_login"), **headers)
        assert _html_lang(response) == fallback
        assert _h1(response) == LOGIN_HEADINGS[fallback]


@pytest.mark.parametrize(
    ("language", "heading", "label"),
    [("da", "Opret konto", "Visningsnavn"), ("nb", "Registrer deg", "Visningsnavn")],
)
def test_sign_up_page_is_translated(client, db, language, heading, label):
    # allauth's own strings come from its da/nb catalogues, ours from civic/locale.
    response = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE=language)
    assert _h1(response) == heading
    assert f">{label}" in response.content.decode()


# --- Error pages -------------------------------------------------------------------------------

REFUSAL = "Only the consultation's planners may open this page."
ERROR_HEADINGS = {
    404: {"da": "Siden blev ikke fundet", "nb": "Fant ikke siden", "en": "Page not found"},
    403: {"da": "Det må du ikke", "nb": "Det har du ikke lov til", "en": "You may not do that"},
    500: {"da": "Noget gik galt", "nb": "Noe gikk galt", "en": "Something went wrong"},
}


def _refuse(request):
    raise PermissionDenied(REFUSAL)


def _fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("refuse/", _refuse), path("fail/", _fail), *civic.urls.urlpatterns]
handler403 = civic.urls.handler403
handler404 = civic.urls.handler404
handler500 = civic.urls.handler500


@pytest.fixture
def error_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("language", ["da", "nb", "en"])
@pytest.mark.parametrize(("status", "url"), [(404, "/no-such-page/"), (403, "/refuse/")])
def test_error_pages_in_the_site_style(error_site, db, status, url, language):
    response = error_site.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == status
    assert _html_lang(response) == language
    assert _h1(response) == ERROR_HEADINGS[status][language]
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert 'id="language-select"' in page
    assert "/static/frontend/css/site.css" in page


def test_forbidden_page_says_why(error_site, db):
    response = error_site.get("/refuse/", HTTP_ACCEPT_LANGUAGE="en")
    assert REFUSAL in html.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_server_error_page_needs_nothing_that_could_have_failed(error_site, db, settings, language):
    response = error_site.get("/fail/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    assert _html_lang(response) == language
    assert _h1(response) == ERROR_HEADINGS[500][language]
    page = response.content.decode()
    assert "/static/frontend/css/site.css" in page
    assert f'<span class="brand-site">{settings.SITE_NAME}</span>' in page
    assert "a bug" not in page  # no internals shown


def test_header_marks_the_current_page(client, db):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<a href="{reverse("account_login")}" aria-current="page">' in page
    assert f'<a href="{reverse("account_signup")}">' in page
