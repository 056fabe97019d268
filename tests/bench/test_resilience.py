"""Database outages answer 503 with Retry-After; a Redis outage leaves the cache missing, not
the site down; the bench URLconf adds only its trivial view."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from civic.cache_failsoft import FailSoftRedisCache
from civic.middleware_db import DatabaseUnavailableMiddleware


def database_down(request):
    raise OperationalError("connection refused")


def broken(request):
    raise ZeroDivisionError


urlpatterns = [path("down", database_down), path("api/down", database_down), path("bug", broken)]


class DatabaseDownMiddleware:
    """Stands for a middleware that reads the session or user while the database is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("the database system is shutting down")


@pytest.mark.urls(__name__)
def test_database_error_in_a_view_is_a_503_with_retry_after(db):
    # (The municipality of the host is read first, once per worker; the view then fails.)
    client = Client(raise_request_exception=False)
    response = client.get("/down")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"<h1>" in response.content

    api = client.get("/api/down")
    assert api.status_code == 503
    assert "detail" in api.json()


@pytest.mark.urls(__name__)
def test_database_error_in_another_middleware_is_a_503_too(settings):
    settings.MIDDLEWARE = [
        "civic.middleware_db.DatabaseUnavailableMiddleware",
        "tests.bench.test_resilience.DatabaseDownMiddleware",
    ]
    response = Client(raise_request_exception=False).get("/bug")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.urls(__name__)
def test_other_errors_stay_500(db):
    response = Client(raise_request_exception=False).get("/bug")
    assert response.status_code == 500


# Only header-setting middleware, which never touches the database, may wrap the 503 answer, so
# that the "database unavailable" page carries the security headers too. (The site's CSP
# middleware reads the municipality's tile host for pages that answer below 500 only.)
HEADER_ONLY_MIDDLEWARE = {
    "civic.csp_middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
}


def test_middleware_is_first_in_settings(settings):
    position = settings.MIDDLEWARE.index("civic.middleware_db.DatabaseUnavailableMiddleware")
    assert set(settings.MIDDLEWARE[:position]) <= HEADER_ONLY_MIDDLEWARE
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(None, ValueError()) is None


@pytest.fixture
def dead_redis():
    # Port 1 on the loopback: nothing listens, so every call is refused at once.
    return FailSoftRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})


def test_cache_with_redis_down_misses_and_drops_writes(dead_redis):
    assert dead_redis.get("k", "fallback") == "fallback"
    assert dead_redis.get_many(["a", "b"]) == {}
    assert dead_redis.add("k", 1) is False
    dead_redis.set("k", 1)
    dead_redis.delete("k")
    with pytest.raises(ValueError):
        dead_redis.incr("k")
    assert dead_redis.incr_in_window({"a": 60, "b": 60}) == [1, 1]


def test_one_redis_client_serves_every_call_of_a_pool(dead_redis):
    client = dead_redis._cache
    assert client.get_client() is client.get_client(write=True)
    assert client.get_client().connection_pool is client._get_connection_pool(write=False)


def test_rate_limit_lets_people_act_when_redis_is_down(settings, rf, dead_redis, monkeypatch):
    from civic import ratelimit

    monkeypatch.setattr(ratelimit, "cache", dead_redis)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "1/h"}
    settings.RATE_LIMIT_IP_FACTOR = 1
    request = rf.post("/")
    for _attempt in range(3):
        ratelimit.check(request, "support")  # never raises RateLimited while Redis is down


@pytest.mark.urls("bench.urls")
def test_bench_urlconf_serves_the_trivial_view_and_the_site(db):
    client = Client()
    assert client.get("/bench/trivial").json() == {"ok": True}
    assert client.post("/bench/trivial").status_code == 201
    assert client.get("/healthz").status_code in (200, 503)
