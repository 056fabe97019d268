"""The fakes refuse what the real APIs refuse, so adapter tests against them mean something."""

from __future__ import annotations

import io
import socket
import threading
import time

import httpx
import pytest
from django.core.management import call_command

from devsite.fakes import FAKES
from social.adapters import RateLimited
from social.adapters.graph import appsecret_proof
from tests.social.conftest import make_post

FB_TOKEN = "fb-page-token"
FB_SECRET = "fb-app-secret"


def graph_auth(token: str = FB_TOKEN) -> dict[str, str]:
    return {"access_token": token, "appsecret_proof": appsecret_proof(token, FB_SECRET)}


def test_facebook_fake_requires_token_proof_and_a_message(facebook_fake):
    url = f"{facebook_fake.base_url}/v26.0/{facebook_fake.page_id}/feed"

    no_proof = httpx.post(url, data={"message": "Hej", "access_token": "fb-page-token"})
    assert no_proof.status_code == 400
    assert no_proof.json()["error"]["code"] == 100
    assert "appsecret_proof" in no_proof.json()["error"]["message"]

    bad_token = httpx.post(url, data={"message": "Hej", **graph_auth("stolen")})
    assert bad_token.json()["error"]["code"] == 190

    empty = httpx.post(url, data=graph_auth())
    assert empty.json()["error"]["code"] == 100

    old_version = httpx.post(url.replace("v26.0", "v2.0"), data={"message": "Hej", **graph_auth()})
    assert old_version.status_code == 400

    ok = httpx.post(url, data={"message": "Hej", **graph_auth()})
    assert ok.json()["id"].startswith(f"{facebook_fake.page_id}_")
    assert [p.message for p in facebook_fake.posts.values()] == ["Hej"]


def test_instagram_fake_requires_an_image_and_a_finished_container(instagram_fake):
    base = f"{instagram_fake.base_url}/v26.0/{instagram_fake.ig_user_id}"
    auth = {"access_token": "ig-token"}

    no_image = httpx.post(f"{base}/media", data={"caption": "Hej", **auth})
    assert no_image.json()["error"]["code"] == 100

    container = httpx.post(
        f"{base}/media", data={"caption": "Hej", "image_url": "https://x.example/a.jpg", **auth}
    ).json()["id"]
    too_early = httpx.post(f"{base}/media_publish", data={"creation_id": container, **auth})
    assert too_early.json()["error"]["code"] == 9007


def test_bluesky_fake_validates_records(bluesky_fake):
    base = f"{bluesky_fake.base_url}/xrpc"
    session = httpx.post(
        f"{base}/com.atproto.server.createSession",
        json={"identifier": bluesky_fake.handle, "password": bluesky_fake.app_password},
    ).json()
    headers = {"Authorization": f"Bearer {session['accessJwt']}"}

    def create(record: dict, rkey: str = "3n2upkn6cppld") -> httpx.Response:
        body = {
            "repo": session["did"],
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "record": record,
        }
        return httpx.post(f"{base}/com.atproto.repo.createRecord", json=body, headers=headers)

    post = {"$type": "app.bsky.feed.post", "text": "Hej", "createdAt": "2026-11-22T04:00:00Z"}
    assert create({**post, "createdAt": ""}).json()["error"] == "InvalidRecord"
    assert create({**post, "text": "a" * 301}).json()["error"] == "InvalidRecord"
    facet = {"index": {"byteStart": 0, "byteEnd": 99}, "features": []}
    assert create({**post, "facets": [facet]}).json()["error"] == "InvalidRecord"
    assert create(post, rkey="not a tid").json()["error"] == "InvalidRequest"
    assert create(post).status_code == 200
    assert create(post).json()["message"] == "Record already exists"
    unauthenticated = httpx.post(f"{base}/com.atproto.repo.createRecord", json={})
    assert unauthenticated.status_code == 401


def test_x_fake_requires_the_user_token(x_fake):
    answer = httpx.post(f"{x_fake.base_url}/2/tweets", json={"text": "Hej"})
    assert answer.status_code == 401
    assert answer.json()["title"] == "Unauthorized"


def test_mastodon_fake_instance_is_public_but_statuses_need_a_token(mastodon_fake):
    instance = httpx.get(f"{mastodon_fake.base_url}/api/v2/instance").json()
    assert instance["configuration"]["statuses"]["max_characters"] == 500
    answer = httpx.post(f"{mastodon_fake.base_url}/api/v1/statuses", json={"status": "Hej"})
    assert answer.status_code == 401
    assert answer.json() == {"error": "The access token is invalid"}


def test_unknown_behaviour_is_refused(mastodon_fake):
    with pytest.raises(ValueError):
        mastodon_fake.script("explode")


def test_scripted_behaviour_applies_the_given_number_of_times(mastodon_fake):
    mastodon_fake.script("server_error", times=2, path="/api/v2/instance")
    url = f"{mastodon_fake.base_url}/api/v2/instance"
    assert [httpx.get(url).status_code for _ in range(3)] == [503, 503, 200]


def _free_port_block(size: int) -> int:
    """A base port with `size` free ports after it (best effort on a busy machine)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + size > 65535:
            continue
        try:
            sockets = []
            for offset in range(size):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no block of free ports")


def test_runfakes_serves_every_platform_on_consecutive_ports():
    base = _free_port_block(len(FAKES) + 2)  # then the stand-in WMS and WMTS
    out = io.StringIO()

    def serve():
        call_command("runfakes", base_port=base, seconds=1.5, stdout=out)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        deadline = time.monotonic() + 3
        while "serving" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        instance = httpx.get(f"http://127.0.0.1:{base + 3}/api/v2/instance", timeout=2)
        assert instance.json()["configuration"]["statuses"]["max_characters"] == 500
        wmts = httpx.get(
            f"http://127.0.0.1:{base + len(FAKES) + 1}/wmts/1.0.0/WMTSCapabilities.xml", timeout=2
        )
        assert b"GoogleMapsCompatible" in wmts.content
    finally:
        thread.join()

    lines = out.getvalue().splitlines()
    for offset, platform in enumerate(FAKES):
        assert any(
            line.startswith(platform) and f"http://127.0.0.1:{base + offset}" in line
            for line in lines
        )


def test_control_endpoints_steer_a_fake_from_another_process(platform_pair):
    fake, adapter = platform_pair
    result = adapter.publish(make_post(), "k")
    control = f"{fake.base_url}/_fake"
    platform_requests = len(fake.requests)

    posts = httpx.get(f"{control}/posts").json()["posts"]
    assert [p["id"] for p in posts] == [result.remote_id]

    answer = httpx.post(
        f"{control}/engagement", json={"id": result.remote_id, "figures": {"reactions": 17}}
    )
    assert answer.status_code == 200
    reply = httpx.post(
        f"{control}/replies", json={"id": result.remote_id, "text": "Godt!", "author": "per"}
    )
    assert reply.status_code == 200

    assert adapter.fetch_metrics(result.remote_id).reactions == 17
    assert [c.text for c in adapter.fetch_comments(result.remote_id)] == ["Godt!"]
    # Control calls are not platform traffic.
    assert not any(r.path.startswith("/_fake") for r in fake.requests[platform_requests:])


def test_control_refuses_unknown_posts_and_figures(mastodon_fake):
    control = f"{mastodon_fake.base_url}/_fake"
    missing = httpx.post(f"{control}/engagement", json={"id": "404", "figures": {"shares": 1}})
    assert missing.status_code == 404
    no_reach = httpx.post(f"{control}/engagement", json={"id": "1", "figures": {"reach": 5}})
    assert no_reach.status_code == 400


def test_control_scripts_a_behaviour(mastodon_fake, mastodon):
    answer = httpx.post(
        f"{mastodon_fake.base_url}/_fake/script",
        json={"kind": "rate_limit", "method": "POST", "path": "/api/v1/statuses"},
    )
    assert answer.status_code == 200
    with pytest.raises(RateLimited):
        mastodon.publish(make_post(), "k")


def test_runfakes_reproduces_what_must_hold_on_the_real_platforms():
    """The fakes `manage.py runfakes` serves behave like the platforms, steered over HTTP only:
    X escapes text and ends a post with media with its t.co link, and answers 402 without
    credits; Mastodon forgets an idempotency key after an hour and sends Retry-After with a 503;
    Facebook answers 368 for a blocked page; Instagram enforces its 24-hour publishing limit."""
    from social.adapters import Rejected, build_adapter

    base = _free_port_block(len(FAKES) + 2)  # then the stand-in WMS and WMTS
    out = io.StringIO()
    thread = threading.Thread(
        target=lambda: call_command("runfakes", base_port=base, seconds=8, stdout=out)
    )
    thread.start()
    try:
        deadline = time.monotonic() + 3
        while "Steer them" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        served = {}
        for line in out.getvalue().splitlines():
            parts = line.split()
            if parts and parts[0] in FAKES and len(parts) > 1 and parts[1].startswith("http"):
                served[parts[0]] = (parts[1], dict(p.split("=", 1) for p in parts[2:]))

        def adapter(platform, **options):
            url, credentials = served[platform]
            return build_adapter(
                platform, base_url=url, credentials=credentials, timeout=2, **options
            )

        def control(platform, action, body):
            answer = httpx.post(f"{served[platform][0]}/_fake/{action}", json=body, timeout=2)
            assert answer.status_code == 200, answer.text
            return answer.json()

        text = "Cykelsti & gangsti <1 km> fra Christiansholm? https://kk.example/c"
        with adapter("x") as x:
            result = x.publish(make_post(text), "x-1")
            shown = result.raw["data"]["text"]
            assert "&amp; gangsti &lt;1 km&gt;" in shown
            assert shown.endswith(f" https://t.co/media{result.remote_id}")
            assert control("x", "limits", {"credits": 0}) == {"credits": 0}
            with pytest.raises(Rejected) as refused:
                x.publish(make_post("Ingen kreditter"), "x-2")
            assert refused.value.problem == "no_credits"

        with adapter("mastodon") as mastodon:
            post = make_post("Samme nøgle", images=())
            first = mastodon.publish(post, "m-1").remote_id
            assert mastodon.publish(post, "m-1").remote_id == first
            control("mastodon", "clock", {"advance_seconds": 3601})
            assert mastodon.publish(post, "m-1").remote_id != first
            control(
                "mastodon",
                "script",
                {"kind": "unavailable_seconds", "seconds": 120, "path": "/api/v1/statuses"},
            )
            with pytest.raises(RateLimited) as waited:
                mastodon.publish(make_post("Vent", images=()), "m-2")
            assert waited.value.retry_after_seconds == 120

        with adapter("facebook") as facebook:
            control("facebook", "limits", {"blocked": True})
            with pytest.raises(Rejected) as blocked:
                facebook.publish(make_post("Blokeret side"), "f-1")
            assert blocked.value.problem == "page_blocked"

        with adapter("instagram", poll_interval=0.01) as instagram:
            control("instagram", "limits", {"publishing_limit": 0})
            with pytest.raises(RateLimited) as limited:
                instagram.publish(make_post("Grænsen er nået"), "i-1")
            assert limited.value.problem == "daily_limit"

        unknown = httpx.post(f"{served['x'][0]}/_fake/limits", json={"blocked": True}, timeout=2)
        assert unknown.status_code == 400 and "no limit" in unknown.text
    finally:
        thread.join()
