"""Content-Security-Policy and Permissions-Policy on every page, and templates that need no
exception from them.

Three layers: every URL pattern answers GET with both headers (whatever its status), the pages
people use render no inline script without the request's nonce and no inline event handler,
and no template in the project could render one.
"""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

import civic.urls
from civic.security_headers import frame_ancestors, media_sources, source_of
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_TAG = re.compile(r"<style\b([^>]*)>", re.I)
# An attribute named on… inside a tag: onclick=, onload = , ONERROR=
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
# Scripts with these types are data the browser never runs (json_script, JSON-LD).
DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")


def _raise_permission_denied(request):
    raise PermissionDenied("not for you")


def _raise_server_error(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-refuse/", _raise_permission_denied),
    path("test-fail/", _raise_server_error),
    *civic.urls.urlpatterns,
]
handler403 = civic.urls.handler403
handler404 = civic.urls.handler404
handler500 = civic.urls.handler500


# --- Helpers -----------------------------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_security_headers(response, url: str) -> None:
    policy = directives(response)
    assert policy, f"{url} ({response.status_code}) has no Content-Security-Policy"
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, f"{url}: no script-src"
    assert "'unsafe-inline'" not in scripts, f"{url}: inline scripts allowed: {scripts}"
    assert "'unsafe-eval'" not in scripts, f"{url}: eval allowed: {scripts}"
    assert "'unsafe-inline'" not in policy.get("script-src-attr", []), url
    assert "'unsafe-inline'" not in policy.get("style-src", []), f"{url}: inline <style> allowed"
    assert policy["object-src"] == ["'none'"], url
    assert policy["base-uri"] == ["'self'"], url
    assert "'self'" in policy["form-action"], url
    assert "frame-ancestors" in policy, url
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions, f"{url}: Permissions-Policy lacks {feature}: {permissions}"


def assert_no_inline_code(html: str, nonce: str | None, url: str) -> None:
    """No script runs from the page's own text unless it carries this response's nonce."""
    for attributes in SCRIPT_TAG.findall(html):
        if re.search(r"\ssrc\s*=", attributes):
            continue
        kind = re.search(r"""type\s*=\s*["']?([^"'\s>]+)""", attributes, re.I)
        if kind and kind.group(1).lower() in DATA_SCRIPT_TYPES:
            continue
        assert nonce and f'nonce="{nonce}"' in attributes, (
            f"{url}: inline <script{attributes}> without the response's nonce"
        )
    for attributes in STYLE_TAG.findall(html):
        assert nonce and f'nonce="{nonce}"' in attributes, (
            f"{url}: inline <style{attributes}> without the response's nonce"
        )
    handler = EVENT_HANDLER.search(html)
    assert handler is None, f"{url}: inline event handler in {handler.group(0)[:120]!r}"
    assert not JAVASCRIPT_URL.search(html), f"{url}: javascript: URL"


def response_nonce(response) -> str | None:
    for source in directives(response).get("script-src", []) + directives(response).get(
        "style-src", []
    ):
        if source.startswith("'nonce-"):
            return source[len("'nonce-") : -1]
    return None


def every_get_url(values: dict[str, str]) -> list[str]:
    """One URL per pattern of the site, with each parameter filled from `values` by name (any
    other: "1"). Patterns whose regular expressions cannot be filled this way are reversed."""
    urls = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                child_namespace = pattern.namespace or namespace
                if route.startswith("^"):
                    # A regex-based include (admin, DRF): its own patterns are reversed below.
                    walk(pattern.url_patterns, prefix, child_namespace)
                else:
                    walk(pattern.url_patterns, prefix + route, child_namespace)
                continue
            assert isinstance(pattern, URLPattern)
            if route.startswith("^") or "(?P<" in route:
                if pattern.name:
                    name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                    groups = re.findall(r"\(\?P<(\w+)>", route)
                    try:
                        urls.append(reverse(name, kwargs={g: values.get(g, "1") for g in groups}))
                    except Exception:  # noqa: BLE001, S112 - a pattern no value fits
                        continue
                continue
            filled = re.sub(
                r"<(?:(\w+):)?(\w+)>", lambda m: values.get(m.group(2), "1"), prefix + route
            )
            urls.append("/" + filled)

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(urls))


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def site(settings, db):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    consultation = factories.ConsultationFactory(slug="harbour")
    category = factories.CategoryFactory(consultation=consultation)
    idea = factories.IdeaFactory(consultation=consultation, category=category)
    topic = factories.TopicFactory(consultation=consultation)
    factories.PollOptionFactory(topic=topic)
    return {"consultation": consultation, "idea": idea, "topic": topic}


@pytest.fixture
def staff_client(db):
    admin = factories.AdministratorFactory(is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    return client


def _values(site) -> dict[str, str]:
    idea = site["idea"]
    return {
        "slug": site["consultation"].slug,
        "consultation_slug": site["consultation"].slug,
        "pk": str(idea.pk),
        "idea_pk": str(idea.pk),
        "number": str(idea.number),
        "reference": idea.reference,
        "topic_pk": str(site["topic"].pk),
    }


# --- Every URL -----------------------------------------------------------------------------------


def test_every_url_answers_get_with_both_policies(site, staff_client):
    urls = every_get_url(_values(site)) + ["/no-such-page/", "/test-refuse/", "/test-fail/"]
    assert len(urls) > 50, urls  # the walk found the site, not a handful of patterns
    anonymous = Client(raise_request_exception=False)
    for client in (anonymous, staff_client):
        for url in urls:
            response = client.get(url)
            assert_security_headers(response, url)
            if "text/html" in response.headers.get("Content-Type", ""):
                assert_no_inline_code(response.content.decode(), response_nonce(response), url)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/harbour/",
        "/accounts/login/",
        "/accounts/signup/",
        "/api/docs/",
        "/api/v1/consultations/",
        "/admin/",
        "/social/channels/",
        "/embed/harbour/",
    ],
)
def test_the_main_pages_render_with_both_policies(site, staff_client, url):
    response = staff_client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    assert_security_headers(response, url)
    assert_no_inline_code(response.content.decode(), response_nonce(response), url)


def test_idea_and_staff_pages_render_with_both_policies(site, staff_client):
    urls = [
        site["idea"].get_absolute_url(),
        site["topic"].get_absolute_url(),
        reverse("consultations:edit", args=[site["consultation"].slug]),
        reverse("social:composer", args=[site["consultation"].slug]),
    ]
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_security_headers(response, url)
        assert_no_inline_code(response.content.decode(), response_nonce(response), url)


@pytest.mark.parametrize(
    ("url", "status"), [("/no-such-page/", 404), ("/test-refuse/", 403), ("/test-fail/", 500)]
)
def test_error_pages_carry_both_policies(site, url, status):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == status
    assert_security_headers(response, url)
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert_no_inline_code(response.content.decode(), response_nonce(response), url)


def test_api_docs_load_swagger_from_the_site(site):
    page = Client().get("/api/docs/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(src.startswith("/") for src in scripts), scripts
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_nonce_is_new_for_every_response(site):
    first = response_nonce(Client().get("/api/docs/"))
    second = response_nonce(Client().get("/api/docs/"))
    assert first and second and first != second


# --- Framing ---------------------------------------------------------------------------------


def test_pages_other_than_the_embed_may_not_be_framed(site):
    response = Client().get("/harbour/")
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_may_be_framed_by_the_allowed_origins_only(site, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.kommune.dk", "https://avisen.dk/"]
    response = Client().get("/embed/harbour/")
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == [
        "'self'",
        "https://www.kommune.dk",
        "https://avisen.dk",
    ]
    assert "X-Frame-Options" not in response.headers


def test_embed_may_be_framed_by_any_https_site_when_no_list_is_set(site, settings):
    settings.EMBED_ALLOWED_ORIGINS = []
    response = Client().get("/embed/harbour/")
    assert directives(response)["frame-ancestors"] == ["'self'", "https:"]


def test_a_refused_embed_may_not_be_framed(site, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.kommune.dk"]
    response = Client(raise_request_exception=False).get("/embed/no-such-consultation/")
    assert response.status_code == 404
    assert directives(response)["frame-ancestors"] == ["'none'"]


# --- Sources from configuration ----------------------------------------------------------------


def test_tile_server_and_media_host_may_serve_images():
    assert source_of("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert source_of("http://tiles.local:8080/{z}/{x}/{y}.png") == "http://tiles.local:8080"
    assert source_of("/media/") is None
    assert source_of("javascript:alert(1)") is None
    assert media_sources(media_url="/media/") == []
    assert media_sources(bucket="civic", region="eu-north-1") == [
        "https://civic.s3.amazonaws.com",
        "https://civic.s3.eu-north-1.amazonaws.com",
        "https://s3.eu-north-1.amazonaws.com",
    ]
    assert media_sources(bucket="civic", endpoint_url="https://minio.kommune.dk") == [
        "https://minio.kommune.dk",
        "https://civic.minio.kommune.dk",
    ]
    assert media_sources(bucket="civic", custom_domain="cdn.kommune.dk") == [
        "https://cdn.kommune.dk"
    ]


def test_img_src_names_the_configured_tile_server(site, settings):
    from django.conf import settings as live

    tile_url = live.LEAFLET_CONFIG["TILES"][0][1]
    response = Client().get("/harbour/")
    assert source_of(tile_url) in directives(response)["img-src"]


def test_frame_ancestors_from_the_setting():
    assert frame_ancestors([]) == ["'self'", "https:"]
    assert frame_ancestors(["*"]) == ["'self'", "https:"]
    assert frame_ancestors(["https://a.dk/", " https://b.dk "]) == [
        "'self'",
        "https://a.dk",
        "https://b.dk",
    ]


def test_social_sign_in_pages_may_post_on_to_the_platforms(site, staff_client):
    response = staff_client.get(reverse("social:channels"))
    assert response.status_code == 200
    assert "https:" in directives(response)["form-action"]
    # Elsewhere forms end on the site only.
    assert directives(staff_client.get("/harbour/"))["form-action"] == ["'self'"]


# --- Templates ---------------------------------------------------------------------------------

# Rendered only into PDF documents and e-mails, never served to a browser under the policy.
NOT_WEB_PAGES = {"reports/summary_print.html"}


def _project_templates() -> list[Path]:
    # Each app's templates/ folder (ROOT/<app>/templates), not the installed packages'.
    return sorted(ROOT.glob("*/templates/**/*.html"))


def _without_comments(text: str) -> str:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    return re.sub(r"{#.*?#}", "", text, flags=re.S)


def test_no_template_has_inline_script_without_nonce_or_event_handler():
    templates = _project_templates()
    assert len(templates) > 50
    problems = []
    for template in templates:
        name = template.as_posix().split("/templates/", 1)[1]
        if name in NOT_WEB_PAGES or "/email/" in name:
            continue
        text = _without_comments(template.read_text())
        for attributes in SCRIPT_TAG.findall(text):
            inline = not re.search(r"\ssrc\s*=", attributes)
            if inline and "CSP_NONCE" not in attributes and "application/json" not in attributes:
                problems.append(f"{name}: <script{attributes}> without nonce")
        for attributes in STYLE_TAG.findall(text):
            if "CSP_NONCE" not in attributes:
                problems.append(f"{name}: <style{attributes}> without nonce")
        for handler in EVENT_HANDLER.findall(text):
            problems.append(f"{name}: inline handler {handler[:80]!r}")
        if JAVASCRIPT_URL.search(text):
            problems.append(f"{name}: javascript: URL")
    assert not problems, "\n".join(problems)


def test_the_template_check_finds_what_it_looks_for():
    """The patterns above catch the forms inline code takes (so the check cannot pass empty)."""
    found = SCRIPT_TAG.findall('<script>alert(1)</script><script src="/a.js">')
    assert found == ["", ' src="/a.js"']
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert EVENT_HANDLER.search("<img src=x ONERROR = 'x'>")
    assert not EVENT_HANDLER.search('<p data-confirm="on=off">content=1</p>')
    assert JAVASCRIPT_URL.search('<a href="javascript:void(0)">')
    with pytest.raises(AssertionError):
        assert_no_inline_code("<script>alert(1)</script>", None, "/x/")
    with pytest.raises(AssertionError):
        assert_no_inline_code('<script nonce="old">alert(1)</script>', "new", "/x/")
    assert_no_inline_code('<script nonce="abc">x()</script>', "abc", "/x/")


def test_the_api_docs_page_is_a_page_of_ours_in_the_readers_language(db):
    import re

    page = Client().get("/api/docs/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert '<html lang="nb">' in page and "<main" in page and "Tilbake til" in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from a CDN
