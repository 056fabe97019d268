"""The address a per-IP limit counts is the client's, read through a configured, counted list of
trusted proxies: an X-Forwarded-For entry the client wrote itself never counts."""

from pathlib import Path

import pytest
import yaml
from django.test import RequestFactory

from civic.ratelimit import client_ip

ROOT = Path(__file__).resolve().parents[2]


def _ip(forwarded=None, remote="10.0.0.2"):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


@pytest.fixture
def no_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = []


def test_without_proxies_the_header_is_ignored(no_proxy):
    assert _ip("198.51.100.9", remote="203.0.113.7") == "203.0.113.7"
    assert _ip(remote="203.0.113.7") == "203.0.113.7"


def test_one_proxy_counts_the_address_it_saw_not_what_the_client_claimed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []
    # The client claims to be 1.1.1.1; our proxy appended the address it really saw.
    assert _ip("1.1.1.1, 203.0.113.7") == "203.0.113.7"
    assert _ip("203.0.113.7") == "203.0.113.7"
    # A new spoofed value each time does not give a new address to count.
    assert {_ip(f"192.0.2.{n}, 203.0.113.7") for n in range(20)} == {"203.0.113.7"}


def test_two_proxies_skip_both_hops(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXIES = []
    # client -> CDN (adds 203.0.113.7) -> our proxy (adds the CDN's 198.51.100.1) -> gunicorn
    assert _ip("6.6.6.6, 203.0.113.7, 198.51.100.1") == "203.0.113.7"


def test_the_compose_chain_of_caddy_varnish_and_nginx_counts_the_visitor(settings):
    settings.TRUSTED_PROXY_COUNT = 3
    settings.TRUSTED_PROXIES = []
    # visitor 203.0.113.7 (claiming 6.6.6.6) -> Caddy (adds the visitor) -> Varnish (adds
    # Caddy's 172.18.0.5) -> nginx in Varnish's network (adds 127.0.0.1) -> gunicorn, whose
    # peer is the nginx container 172.18.0.6.
    chain = "6.6.6.6, 203.0.113.7, 172.18.0.5, 127.0.0.1"
    assert _ip(chain, remote="172.18.0.6") == "203.0.113.7"


def test_trusted_proxy_networks_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    assert _ip("6.6.6.6, 203.0.113.7, 10.1.2.3", remote="10.0.0.2") == "203.0.113.7"
    assert _ip("6.6.6.6, 2001:db8:1::5", remote="2001:db8::1") == "6.6.6.6"
    # A request that did not come through a trusted proxy: its header is the client's claim.
    assert _ip("6.6.6.6", remote="203.0.113.99") == "203.0.113.99"


def test_garbage_in_the_header_falls_back_to_the_proxy_that_added_it(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []
    assert _ip("not-an-address", remote="10.0.0.2") == "10.0.0.2"
    assert _ip("", remote="10.0.0.2") == "10.0.0.2"


def test_compose_publishes_only_the_reverse_proxy():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    # Caddy, Varnish and nginx each add a hop in front of the web servers.
    assert services["web"]["environment"]["TRUSTED_PROXY_COUNT"] == "3"


def test_the_proxy_settings_are_documented():
    example = (ROOT / ".env.example").read_text()
    assert "TRUSTED_PROXY_COUNT=0" in example
    assert "# TRUSTED_PROXIES=" in example


def test_the_geocoder_throttle_cannot_be_dodged_with_a_made_up_header(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = []
    settings.GEOCODER_THROTTLE_RATE = "3/min"
    statuses = [
        client.get(
            "/api/v1/geocode/",
            {"q": "Papirøen"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
            REMOTE_ADDR="10.0.0.2",
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    # Another client behind the same proxy has its own allowance.
    other = client.get(
        "/api/v1/geocode/",
        {"q": "Papirøen"},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
        REMOTE_ADDR="10.0.0.2",
    )
    assert other.status_code == 200
