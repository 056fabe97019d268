"""The anonymous page cache (civic.pagecache): hits for the crowd, never for signed-in people,
and every change that shows on a page replaces the cached copy once it commits."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from debate.services import comment_create
from moderation import services as moderation
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    from civic import pagecache

    settings.PAGE_CACHE_SECONDS = 30
    pagecache.forget_checked()
    yield
    pagecache.forget_checked()


@pytest.fixture
def pages(consultation):
    idea = factories.IdeaFactory(consultation=consultation, title="A bench by the water")
    return {
        "hub": consultation.get_absolute_url(),
        "list": reverse("ideas:list", kwargs={"slug": consultation.slug}),
        "idea": idea.get_absolute_url(),
        "the_idea": idea,
    }


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def _is_hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


@pytest.mark.parametrize("name", ["hub", "list", "idea"])
def test_second_anonymous_visit_is_served_from_the_cache(client, pages, name):
    first = _get(client, pages[name])
    second = _get(Client(), pages[name])
    assert not _is_hit(first)
    assert _is_hit(second)
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_a_hit_costs_no_query_whatever_the_page_shows(client, consultation, pages):
    factories.IdeaFactory.create_batch(15, consultation=consultation)
    _get(client, pages["hub"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert _is_hit(_get(Client(), pages["hub"]))
    # The consultation's id behind the address is cached too: a hit asks the database nothing.
    assert len(queries) == 0


def test_signed_in_people_never_get_a_cached_page(client, pages, resident):
    _get(Client(), pages["hub"])
    client.force_login(resident)
    first, second = _get(client, pages["hub"]), _get(client, pages["hub"])
    assert not _is_hit(first) and not _is_hit(second)
    assert "Log out" in second.content.decode()


def test_visitors_with_a_session_are_not_served_from_the_cache(client, pages):
    _get(client, pages["hub"])
    visitor = Client()
    session = visitor.session
    session["pending_idea"] = 1
    session.save()
    visitor.cookies["sessionid"] = session.session_key
    assert not _is_hit(_get(visitor, pages["hub"]))


@pytest.mark.parametrize("name", ["hub", "list", "idea"])
def test_an_anonymous_hit_is_the_same_for_everyone_and_sets_no_cookie(pages, name):
    _get(Client(), pages[name])
    one, other = _get(Client(), pages[name]), _get(Client(), pages[name])
    assert _is_hit(one) and _is_hit(other)
    assert one.content == other.content
    assert not one.cookies and not TOKEN.search(one.content.decode())


def test_the_language_switch_of_a_cached_page_works_with_csrf_checks_on(pages):
    _get(Client(), pages["hub"])
    visitor = Client(enforce_csrf_checks=True)
    assert _is_hit(_get(visitor, pages["hub"]))
    answer = visitor.post(reverse("set_language"), {"language": "da", "next": pages["hub"]})
    assert answer.status_code == 302
    assert visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "da"
    # Still POST only: a link or a crawler changes nobody's language.
    switch = Client().get(reverse("set_language") + "?language=da")
    assert settings.LANGUAGE_COOKIE_NAME not in switch.cookies


def test_a_cached_page_with_a_form_gets_each_visitors_own_token_that_works(rf):
    from django.middleware.csrf import CsrfViewMiddleware
    from django.views.decorators.csrf import csrf_protect

    from civic import pagecache

    entry = {
        "content": b'<form><input name="csrfmiddlewaretoken" value="BUILDERSTOKEN"></form>',
        "headers": {"Content-Type": "text/html; charset=utf-8"},
    }
    request = rf.get("/")
    response = pagecache._from_cache(request, entry)
    CsrfViewMiddleware(lambda r: response).process_response(request, response)
    token = TOKEN.search(response.content.decode()).group(1)
    assert token != "BUILDERSTOKEN"
    post = rf.post("/", {"csrfmiddlewaretoken": token})
    post.COOKIES["csrftoken"] = response.cookies["csrftoken"].value
    post._dont_enforce_csrf_checks = False
    accepted = csrf_protect(lambda r: pagecache.HttpResponse("ok"))(post)
    assert accepted.status_code == 200


def test_languages_are_cached_apart(pages):
    english = _get(Client(HTTP_ACCEPT_LANGUAGE="en"), pages["hub"])
    danish = _get(Client(HTTP_ACCEPT_LANGUAGE="da"), pages["hub"])
    assert not _is_hit(danish)
    assert english["Content-Language"] == "en" and danish["Content-Language"] == "da"
    assert _is_hit(_get(Client(HTTP_ACCEPT_LANGUAGE="da"), pages["hub"]))


def test_a_new_idea_shows_at_once(client, consultation, pages, django_capture_on_commit_callbacks):
    _get(client, pages["list"])
    with django_capture_on_commit_callbacks(execute=True):
        factories.IdeaFactory(consultation=consultation, title="Kayak rental at the quay")
    fresh = _get(Client(), pages["list"])
    assert not _is_hit(fresh)
    assert "Kayak rental at the quay" in fresh.content.decode()


def test_a_hidden_idea_leaves_the_cached_pages_at_once(
    client, pages, planner, django_capture_on_commit_callbacks
):
    for name in ("hub", "list", "idea"):
        assert "A bench by the water" in _get(client, pages[name]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_hide(actor=planner, target=pages["the_idea"], public_reason="personal_data")
    for name in ("hub", "list"):
        assert "A bench by the water" not in _get(Client(), pages[name]).content.decode()
    assert Client().get(pages["idea"]).status_code == 404


def test_a_new_comment_shows_on_the_idea_page_at_once(
    client, pages, resident, django_capture_on_commit_callbacks
):
    _get(client, pages["idea"])
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(author=resident, target=pages["the_idea"], body="Yes, with shade please.")
    assert "Yes, with shade please." in _get(Client(), pages["idea"]).content.decode()


def test_a_login_does_not_empty_the_cache(
    client, pages, resident, django_capture_on_commit_callbacks
):
    _get(client, pages["hub"])
    with django_capture_on_commit_callbacks(execute=True):
        Client().force_login(resident)
    assert _is_hit(_get(Client(), pages["hub"]))


def test_pages_that_are_not_found_or_not_public_are_not_cached(client, planner):
    draft = factories.ConsultationFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/c/no-such-consultation/").status_code == 404
    planners = Client()
    planners.force_login(planner)
    assert planners.get(draft.get_absolute_url()).status_code == 200
    again = client.get(draft.get_absolute_url())
    assert again.status_code == 404 and not _is_hit(again)


def test_no_cache_when_the_setting_is_zero(client, pages, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _get(client, pages["hub"])
    assert not _is_hit(_get(Client(), pages["hub"]))


def test_a_slug_given_to_a_new_consultation_leads_to_its_own_pages(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = factories.ConsultationFactory(slug="harbour", title="The old harbour plan")
    assert "The old harbour plan" in _get(client, "/harbour/").content.decode()
    # Deleted in the admin, which announces it like a service (civic.admin_changes).
    admin = Client()
    admin.force_login(factories.AdministratorFactory())
    delete = reverse("admin:consultations_consultation_delete", args=[old.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    assert Client().get("/harbour/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        factories.ConsultationFactory(slug="harbour", title="The new harbour plan")
    page = _get(Client(), "/harbour/").content.decode()
    assert "The new harbour plan" in page and "The old harbour plan" not in page


def test_visitors_arriving_together_wait_for_one_build(pages, monkeypatch):
    from civic import pagecache

    # Another request holds the build lock and stores the page while this one waits.
    key_seen = {}
    real_add = pagecache.cache.add

    def add(key, value, timeout=None):
        if key.endswith(":building"):
            key_seen["lock"] = key
            return False
        return real_add(key, value, timeout)

    monkeypatch.setattr(pagecache.cache, "add", add)
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        page_key = key_seen["lock"].removesuffix(":building")
        entry = {
            "consultation": pages["the_idea"].consultation_id,
            "versions": pagecache._versions(pages["the_idea"].consultation_id),
            "content": b"<p>built by the other</p>",
            "headers": {},
        }
        pagecache.cache.set(page_key, entry)

    monkeypatch.setattr(pagecache.time, "sleep", sleep)
    with monkeypatch.context() as patch:
        patch.setattr(pagecache.cache, "has_key", lambda key: True)
        response = Client().get(pages["hub"])
    assert response.content == b"<p>built by the other</p>" and _is_hit(response)
    assert slept == [pagecache.POLL_SECONDS]


def test_a_visitor_builds_the_page_when_the_builder_gave_up(pages, monkeypatch):
    from civic import pagecache

    monkeypatch.setattr(pagecache.cache, "add", lambda *args, **kwargs: False)
    # No lock is held (the other request failed, or the cache is down): no waiting at all.
    monkeypatch.setattr(pagecache.time, "sleep", lambda seconds: pytest.fail("waited"))
    response = _get(Client(), pages["hub"])
    assert not _is_hit(response) and "A bench by the water" in response.content.decode()


def _count_cache_reads(monkeypatch) -> list[str]:
    from civic import pagecache

    reads, depth = [], [0]

    def counting(name, real):
        def read(*args, **kwargs):
            if not depth[0]:  # the local-memory cache's get_many calls its own get
                reads.append(name)
            depth[0] += 1
            try:
                return real(*args, **kwargs)
            finally:
                depth[0] -= 1

        return read

    for name in ("get", "get_many"):
        monkeypatch.setattr(pagecache.cache, name, counting(name, getattr(pagecache.cache, name)))
    return reads


def test_a_hit_costs_one_cache_round_trip(client, pages, monkeypatch, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0  # the shared cache's round trips, not this worker's copy
    _get(client, pages["hub"])
    reads = _count_cache_reads(monkeypatch)
    assert _is_hit(_get(Client(), pages["hub"]))
    # Its first hit in a worker: the page, then the versions of the consultation it names...
    assert reads == ["get", "get_many"]
    reads.clear()
    # ...and from then on both at once.
    assert _is_hit(_get(Client(), pages["hub"]))
    assert reads == ["get_many"]


def test_a_page_found_current_moments_ago_costs_no_cache_read(
    client, consultation, pages, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from civic import pagecache

    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    _get(client, pages["list"])
    assert _is_hit(_get(Client(), pages["list"]))  # found current: kept for a second
    reads = _count_cache_reads(monkeypatch)
    assert _is_hit(_get(Client(), pages["list"]))
    assert reads == []
    # A change made by another worker reaches this worker's anonymous visitors once that second
    # is over (that worker bumps the shared version; this one still holds its copy)...
    type(consultation).objects.filter(pk=consultation.pk).update(title="Harbour baths 2027")
    pagecache.cache.incr(pagecache._version_key(consultation.pk))
    assert "Harbour baths 2027" not in _get(Client(), pages["list"]).content.decode()
    later = pagecache.time.monotonic() + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    fresh = _get(Client(), pages["list"])
    assert not _is_hit(fresh) and "Harbour baths 2027" in fresh.content.decode()


def test_a_change_made_in_this_worker_reaches_its_visitors_at_once(
    client, consultation, pages, settings
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    _get(client, pages["list"])
    assert _is_hit(_get(Client(), pages["list"]))
    factories.IdeaFactory(consultation=consultation, title="Kayak rental at the quay")
    assert "Kayak rental at the quay" in _get(Client(), pages["list"]).content.decode()


def _age_the_stored_copy(url):
    """Make the stored copy of `url` older than PAGE_CACHE_SECONDS, its content unchanged."""
    from django.test import RequestFactory
    from django.utils import translation

    from civic import pagecache

    with translation.override("en"):
        key = pagecache._page_key(RequestFactory().get(url))
    entry = pagecache.cache.get(key)
    entry["fresh_until"] = 0
    pagecache.cache.set(key, entry)


def test_an_aged_copy_is_built_again_by_one_visitor(client, pages):
    _get(client, pages["hub"])
    _age_the_stored_copy(pages["hub"])
    again = _get(Client(), pages["hub"])
    assert again.get("X-Page-Cache") is None  # built anew
    assert _is_hit(_get(Client(), pages["hub"]))  # and fresh again


def test_others_get_the_aged_copy_while_one_visitor_builds_it(client, pages, monkeypatch):
    from civic import pagecache

    _get(client, pages["hub"])
    _age_the_stored_copy(pages["hub"])
    monkeypatch.setattr(pagecache.cache, "add", lambda *args, **kwargs: False)  # lock is held
    monkeypatch.setattr(pagecache.time, "sleep", lambda seconds: pytest.fail("waited"))
    stale = _get(Client(), pages["hub"])
    assert stale["X-Page-Cache"] == "stale"
    assert "A bench by the water" in stale.content.decode()


def test_changed_content_is_never_served_from_an_aged_copy(
    client, pages, planner, monkeypatch, django_capture_on_commit_callbacks
):
    from civic import pagecache

    _get(client, pages["list"])
    _age_the_stored_copy(pages["list"])
    with django_capture_on_commit_callbacks(execute=True):
        moderation.item_hide(actor=planner, target=pages["the_idea"], public_reason="personal_data")
    monkeypatch.setattr(pagecache.cache, "add", lambda *args, **kwargs: False)
    page = _get(Client(), pages["list"])
    assert page.get("X-Page-Cache") != "stale"
    assert "A bench by the water" not in page.content.decode()
