"""Write limits: per person, laxer per shared address, and a 429 that says how long to wait."""

import os

import pytest
from django.urls import reverse

from civic import ratelimit
from ideas.models import Idea, Support
from tests.factories import INSIDE, IdeaFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _request(rf, user=None, ip="203.0.113.7"):
    from django.contrib.auth.models import AnonymousUser

    request = rf.post("/", REMOTE_ADDR=ip)
    request.user = user or AnonymousUser()
    return request


def _assert_429_with_the_wait(response):
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert "Try again in 1 minute." in response.content.decode()


def test_support_page_answers_429_with_the_wait(client, consultation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "2/m"}
    person = UserFactory()
    client.force_login(person)
    ideas = IdeaFactory.create_batch(3, consultation=consultation)
    for idea in ideas[:2]:
        assert client.post(reverse("ideas:support", args=[idea.reference])).status_code == 302
    _assert_429_with_the_wait(client.post(reverse("ideas:support", args=[ideas[2].reference])))
    assert not Support.objects.filter(idea=ideas[2]).exists()


def test_idea_submission_page_answers_429_with_the_wait(client, consultation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "idea_submit": "1/m"}
    client.force_login(UserFactory())
    form = {
        "title": "Strandbar med sand under fødderne",
        "description": "Som i Berlin.",
        "latitude": INSIDE[1],
        "longitude": INSIDE[0],
        "address_label": "Papirøen",
    }
    url = reverse("ideas:create", args=[consultation.slug])
    assert client.post(url, form).status_code == 302
    _assert_429_with_the_wait(client.post(url, {**form, "title": "Endnu en strandbar her"}))
    assert Idea.objects.count() == 1


def test_a_shared_address_allows_more_than_one_persons_limit(rf, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "2/m"}
    settings.RATE_LIMIT_IP_FACTOR = 3
    pupils = UserFactory.create_batch(4)
    # Three pupils of one school each use their own limit from the school's one address...
    for pupil in pupils[:3]:
        for _attempt in range(2):
            ratelimit.check(_request(rf, pupil), "support")
    # ...while each person is still held to theirs...
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(_request(rf, pupils[0]), "support")
    # ...and the address is limited too once it has done three people's worth.
    with pytest.raises(ratelimit.RateLimited) as limited:
        ratelimit.check(_request(rf, pupils[3]), "support")
    assert 1 <= limited.value.wait <= 60
    # Another address is not affected.
    ratelimit.check(_request(rf, pupils[3], ip="198.51.100.20"), "support")


def test_anonymous_attempts_count_against_the_address(rf, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "idea_submit": "1/h"}
    settings.RATE_LIMIT_IP_FACTOR = 2
    ratelimit.check(_request(rf), "idea_submit")
    ratelimit.check(_request(rf), "idea_submit")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(_request(rf), "idea_submit")


class CountingCache:
    """Stands in for the cache and counts the calls the rate limit makes."""

    def __init__(self, cache):
        self.cache = cache
        self.calls = []

    def __getattr__(self, name):
        method = getattr(self.cache, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return method(*args, **kwargs)

        return counted


def test_a_window_in_use_costs_one_cache_call_per_key(rf, db, settings, monkeypatch):
    from django.core.cache import cache

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "100/h"}
    counting = CountingCache(cache)
    monkeypatch.setattr(ratelimit, "cache", counting)
    person = UserFactory()
    ratelimit.check(_request(rf, person), "support")  # opens the window
    if hasattr(cache, "incr_in_window"):  # Redis: both counters in one round trip, always
        assert counting.calls == ["incr_in_window"]
        counting.calls.clear()
        ratelimit.check(_request(rf, person), "support")
        assert counting.calls == ["incr_in_window"]
        return
    assert counting.calls == ["incr", "add", "incr", "add"]  # incr misses, then add
    counting.calls.clear()
    ratelimit.check(_request(rf, person), "support")
    assert counting.calls == ["incr", "incr"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
def test_redis_counts_a_window_in_one_round_trip_and_keeps_its_expiry():
    from civic.cache_failsoft import FailSoftRedisCache

    redis_cache = FailSoftRedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "test-window"})
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.incr_in_window({"a": 60, "b": 5}) == [1, 1]
    assert redis_cache.incr_in_window({"a": 60, "b": 5}) == [2, 2]
    assert redis_cache.get("a") == 2
    client = redis_cache._cache.get_client()
    assert 55 <= client.ttl(redis_cache.make_key("a")) <= 60
    # A later attempt with another timeout does not move the end of the window.
    redis_cache.incr_in_window({"b": 3600})
    assert client.ttl(redis_cache.make_key("b")) <= 5
    redis_cache.delete_many(["a", "b"])
