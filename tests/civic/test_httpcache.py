"""Shared HTTP caches (civic.httpcache): anonymous copies of the public pages say who may keep
them and what they show; signed-in pages, sessions and form tokens never do; a change bans
exactly the pages it touches, over HTTP, in every configured cache."""

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from civic import httpcache
from civic.changes import Change, changed
from debate.services import comment_create
from devsite.fakes.httpcache import FakeHttpCache
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _caches_on(settings):
    from civic import pagecache

    settings.PAGE_CACHE_SECONDS = 30
    settings.HTTP_CACHE_MAX_AGE = 10
    settings.HTTP_CACHE_S_MAXAGE = 120
    # Jobs run at once in the suite, so the repeated ban would arrive at once too: the tests of
    # what is banned see each ban once; the repeat has its own test.
    settings.HTTP_CACHE_BAN_REPEAT_SECONDS = 0
    pagecache.forget_checked()
    yield
    pagecache.forget_checked()


@pytest.fixture
def caches(settings):
    """Two stand-in HTTP caches, configured as HTTP_CACHE_PURGE_URLS."""
    fakes = [FakeHttpCache().start(), FakeHttpCache().start()]
    settings.HTTP_CACHE_PURGE_URLS = [fake.url for fake in fakes]
    yield fakes
    for fake in fakes:
        fake.stop()


@pytest.fixture
def pages(consultation):
    idea = factories.IdeaFactory(consultation=consultation, title="A bench by the water")
    return {
        "hub": consultation.get_absolute_url(),
        "list": reverse("ideas:list", kwargs={"slug": consultation.slug}),
        "idea": idea.get_absolute_url(),
    }


def _public(response, tag: str) -> None:
    control = response["Cache-Control"]
    assert "public" in control and "private" not in control
    assert "max-age=10" in control and "s-maxage=120" in control
    assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]
    assert response[httpcache.TAG_HEADER].split() == [tag, httpcache.EVERY_PAGE]


def _private(response) -> None:
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert httpcache.TAG_HEADER not in response


@pytest.mark.parametrize("name", ["hub", "list", "idea"])
def test_anonymous_pages_may_be_kept_by_shared_caches_built_or_from_the_cache(
    pages, consultation, name
):
    built = Client().get(pages[name])
    again = Client().get(pages[name])
    assert built.status_code == again.status_code == 200
    assert again["X-Page-Cache"] == "hit"
    for response in (built, again):
        _public(response, f"c{consultation.pk}")


def test_the_home_page_carries_its_own_tag():
    response = Client().get(reverse("home"))
    assert response.status_code == 200
    _public(response, httpcache.HOME)


@pytest.mark.parametrize("name", ["hub", "list", "idea"])
def test_signed_in_people_and_sessions_get_private_pages(pages, resident, name):
    signed_in = Client()
    signed_in.force_login(resident)
    _private(signed_in.get(pages[name]))
    with_session = Client()
    with_session.cookies[settings.SESSION_COOKIE_NAME] = "abc"
    _private(with_session.get(pages[name]))


def test_two_languages_are_two_public_copies(pages):
    danish = Client(HTTP_ACCEPT_LANGUAGE="da").get(pages["hub"])
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(pages["hub"])
    assert danish["Content-Language"] == "da" and english["Content-Language"] == "en"
    assert danish.content != english.content
    assert "Accept-Language" in danish["Vary"] and "Accept-Language" in english["Vary"]


def test_a_page_with_a_form_token_a_cookie_or_an_error_is_private():
    with_token = HttpResponse(b'<input name="csrfmiddlewaretoken" value="abc">')
    _private(httpcache.mark_public(with_token, ["c1", "all"]))
    with_cookie = HttpResponse(b"hello")
    with_cookie.set_cookie("x", "y")
    _private(httpcache.mark_public(with_cookie, ["c1", "all"]))
    _private(httpcache.mark_public(HttpResponse(b"gone", status=404), ["c1", "all"]))
    plain = httpcache.mark_public(HttpResponse(b"hello"), ["c1", "all"])
    assert plain["Cache-Control"].startswith("public")


def test_shared_caching_can_be_turned_off(pages, settings):
    settings.HTTP_CACHE_S_MAXAGE = 0
    _private(Client().get(pages["hub"]))


def test_a_missing_page_is_never_marked_for_shared_caches(client):
    # The VCL (docs/varnish.vcl) keeps only answers that carry X-Cache-Tags.
    missing = client.get("/ideas/NOPE-2026-99999/")
    assert missing.status_code == 404
    assert "public" not in missing.get("Cache-Control", "")
    assert httpcache.TAG_HEADER not in missing


def test_a_new_comment_bans_its_consultations_pages_and_the_home_page_in_every_cache(
    caches, consultation, resident
):
    other = factories.ConsultationFactory()
    topic = factories.TopicFactory(consultation=consultation)
    for fake in caches:
        fake.requests.clear()  # what setting up the data sent
    comment_create(author=resident, target=topic, body="Shade by the water, please.")
    for fake in caches:
        # (a service that announces several changes may send a tag more than once)
        assert set(fake.bans()) == {f"c{consultation.pk}", httpcache.HOME}
        assert f"c{other.pk}" not in fake.bans()
        assert all(r.method == "BAN" for r in fake.requests)


def test_counts_ban_nothing_and_a_shown_name_bans_every_page(caches, consultation):
    for fake in caches:
        fake.requests.clear()
    for what in (Change.SUPPORT, Change.COMMENT_VOTE, Change.POLL_ANSWER):
        changed(consultation.pk, what)
    assert all(fake.requests == [] for fake in caches)
    changed(None, Change.PUBLIC_NAME)
    assert all(fake.bans() == [httpcache.EVERY_PAGE] for fake in caches)


def test_a_new_idea_bans_the_pages_and_the_map_feeds(caches, consultation):
    caches[0].requests.clear()
    changed(consultation.pk, Change.IDEA)
    bans = caches[0].bans()
    assert set(bans) == {f"c{consultation.pk}", httpcache.HOME}


def test_bans_are_sent_at_once_and_again_after_the_repeat_delay(
    settings, consultation, monkeypatch
):
    from civic import tasks

    settings.HTTP_CACHE_PURGE_URLS = ["http://varnish.invalid/"]
    settings.HTTP_CACHE_BAN_REPEAT_SECONDS = 2.5
    sent = []
    monkeypatch.setattr(tasks.ban_http_caches, "delay", lambda tags: sent.append((tags, 0)))
    monkeypatch.setattr(
        tasks.ban_http_caches,
        "apply_async",
        lambda args, countdown: sent.append((args[0], countdown)),
    )
    changed(consultation.pk, Change.TOPIC)  # pages only
    assert sent == [([f"c{consultation.pk}"], 0), ([f"c{consultation.pk}"], 2.5)]
    sent.clear()
    settings.HTTP_CACHE_BAN_REPEAT_SECONDS = 0
    changed(consultation.pk, Change.TOPIC)
    assert sent == [([f"c{consultation.pk}"], 0)]


def test_a_cache_that_fails_is_retried_then_logged_and_the_others_still_get_the_ban(
    caches, consultation, caplog
):
    for fake in caches:
        fake.requests.clear()
    caches[0].fail_next(503, times=2)
    changed(consultation.pk, Change.TOPIC)  # pages only
    assert caches[0].bans() == [f"c{consultation.pk}", f"c{consultation.pk}"]
    assert caches[1].bans() == [f"c{consultation.pk}"]
    assert "did not take the ban" in caplog.text


def test_an_unreachable_cache_does_not_break_the_change(settings, consultation, caplog):
    settings.HTTP_CACHE_PURGE_URLS = ["http://127.0.0.1:1/"]
    settings.HTTP_CACHE_PURGE_TIMEOUT = 0.5
    changed(consultation.pk, Change.TOPIC)
    assert "did not take the ban" in caplog.text


def test_no_configured_cache_sends_nothing(settings, consultation, monkeypatch):
    from civic import tasks

    settings.HTTP_CACHE_PURGE_URLS = []
    sent = []
    monkeypatch.setattr(tasks.ban_http_caches, "delay", lambda tags: sent.append(tags))
    changed(consultation.pk, Change.IDEA)
    assert sent == []


@pytest.fixture
def redis_down(settings):
    """The cache is a Redis that refuses every connection, as while Redis is stopped."""
    settings.CACHES = {
        "default": {
            "BACKEND": "civic.cache_failsoft.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    from django.core.cache import cache

    assert cache.get("anything") is None
    assert cache.is_down()  # the failed call leaves it alone for a moment


def test_with_redis_down_every_page_is_built_without_an_error(pages, redis_down, resident):
    from django.core.cache import cache

    for _round in range(2):
        for name in ("hub", "list", "idea"):
            response = Client().get(pages[name])
            assert response.status_code == 200, name
            assert response.get("X-Page-Cache") is None  # built, not from a cache
        assert Client().get(reverse("home")).status_code == 200
        feed = Client().get(f"/api/v1/consultations/{pages['hub'].strip('/')}/ideas.geojson")
        assert feed.status_code == 200
    signed_in = Client()
    signed_in.force_login(resident)
    assert signed_in.get(pages["idea"]).status_code == 200
    assert cache.is_down()


def test_a_resting_cache_answers_at_once_and_tries_again_after_the_pause(redis_down, monkeypatch):
    from django.core.cache import cache

    from civic import cache_failsoft

    calls = []
    monkeypatch.setattr(type(cache._cache), "get_client", lambda *a, **k: calls.append(1) or 1 / 0)
    assert cache.get("k", "fallback") == "fallback"  # resting: Redis is not even asked
    assert calls == []
    monkeypatch.setattr(cache_failsoft, "CACHE_RETRY_SECONDS", 0)
    cache._down_until = 0.0
    with pytest.raises(ZeroDivisionError):  # asked again once the pause is over
        cache.get("k")
    assert calls == [1]
    monkeypatch.undo()  # before the settings and caches are put back
