"""Publishing through each adapter to its fake, over real HTTP."""

from __future__ import annotations

import pytest

from social.adapters import LimitExceeded, NotSupported, OutgoingPost
from social.adapters.bluesky import tid_for
from tests.social.conftest import IMAGE, make_post, stored_texts


def test_publish_stores_exactly_one_post_with_its_text(platform_pair):
    fake, adapter = platform_pair
    post = make_post()

    result = adapter.publish(post, "outbox-1")

    assert stored_texts(fake) == [post.text]
    assert result.remote_id
    assert result.url.startswith("https://")
    assert result.raw


def test_facebook_photo_post_carries_caption_and_alt_text(facebook, facebook_fake):
    result = facebook.publish(make_post(), "k")

    post = facebook_fake.posts[result.remote_id]
    assert post.photos[0]["alt_text_custom"] == IMAGE.alt_text
    assert post.photos[0]["url"] == IMAGE.url
    assert result.url == f"https://www.facebook.com/{result.remote_id}"


def test_facebook_uploads_bytes_when_the_image_has_no_public_url(facebook, facebook_fake):
    image = IMAGE.__class__(data=b"x" * 2048, alt_text="Havnen", url="")
    result = facebook.publish(make_post(images=(image,)), "k")

    assert facebook_fake.posts[result.remote_id].photos[0]["size"] == 2048


def test_facebook_text_post_with_link_and_several_photos(facebook, facebook_fake):
    text_only = facebook.publish(
        make_post("Borgermøde i aften", images=(), link="https://kk.example/m"), "a"
    )
    assert facebook_fake.posts[text_only.remote_id].link == "https://kk.example/m"

    progress: dict = {}
    saved: list[dict] = []
    two = facebook.publish(
        make_post("To billeder", images=(IMAGE, IMAGE)),
        "b",
        progress=progress,
        on_progress=lambda p: saved.append(dict(p)),
    )
    assert len(facebook_fake.posts[two.remote_id].photos) == 2
    assert len(progress["photo_ids"]) == 2
    assert saved[-1] == progress


def test_facebook_sends_appsecret_proof(facebook, facebook_fake):
    facebook.publish(make_post(), "k")
    sent = facebook_fake.requests[0]
    assert sent.form["appsecret_proof"]
    assert sent.headers["authorization"] == "Bearer fb-page-token"
    # The token never travels in a URL, where logs would keep it.
    assert all("fb-page-token" not in r.path + str(r.query) for r in facebook_fake.requests)


def test_instagram_runs_the_container_flow_and_records_the_creation_id(instagram, instagram_fake):
    saved: list[dict] = []
    progress: dict = {}
    result = instagram.publish(
        make_post(), "k", progress=progress, on_progress=lambda p: saved.append(dict(p))
    )

    container = instagram_fake.containers[progress["creation_id"]]
    # The container id was saved before anything else happened to it.
    assert saved[0] == {"creation_id": container.id}
    assert "first_sent_at" in saved[-1]
    assert container.status == "PUBLISHED"
    assert container.alt_text == IMAGE.alt_text
    assert container.media_id == result.remote_id
    # The container was IN_PROGRESS once before FINISHED, so the adapter had to poll twice.
    assert len(instagram_fake.requests_to("GET", f"/{container.id}")) == 2
    assert result.url == f"https://www.instagram.com/p/{result.remote_id}/"


def test_x_uploads_media_with_alt_text(x, x_fake):
    result = x.publish(make_post(), "k")

    tweet = x_fake.tweets[result.remote_id]
    assert [x_fake.media[m]["alt_text"] for m in tweet.media_ids] == [IMAGE.alt_text]


def test_mastodon_sends_idempotency_key_and_media_description(mastodon, mastodon_fake):
    result = mastodon.publish(make_post(language="da"), "outbox-42")

    sent = mastodon_fake.requests_to("POST", "/api/v1/statuses")[0]
    assert sent.headers["idempotency-key"] == "outbox-42"
    status = mastodon_fake.statuses[result.remote_id]
    assert status.media[0]["description"] == IMAGE.alt_text
    assert status.language == "da"


def test_mastodon_waits_for_media_still_processing(mastodon_fake, monkeypatch):
    from social.adapters import mastodon as mastodon_module
    from tests.social.conftest import adapter_for

    monkeypatch.setattr(mastodon_module, "MEDIA_POLL_SECONDS", 0.01)
    mastodon_fake.media_processing_polls = 2
    with adapter_for(mastodon_fake) as adapter:
        result = adapter.publish(make_post(), "k")

    assert mastodon_fake.statuses[result.remote_id].media[0]["url"]
    assert len(mastodon_fake.requests_to("GET", "/api/v1/media/")) == 3


def test_bluesky_record_has_link_facets_with_byte_offsets_and_image_alt(bluesky, bluesky_fake):
    text = "Æblehaven på Christiansholm: https://kk.example/c #Christiansholm"
    result = bluesky.publish(make_post(text, language="da"), "k")

    record = bluesky_fake.records[result.remote_id].value
    encoded = text.encode("utf-8")
    link, tag = record["facets"]
    assert encoded[link["index"]["byteStart"] : link["index"]["byteEnd"]] == b"https://kk.example/c"
    assert link["features"][0] == {
        "$type": "app.bsky.richtext.facet#link",
        "uri": "https://kk.example/c",
    }
    assert encoded[tag["index"]["byteStart"] : tag["index"]["byteEnd"]] == b"#Christiansholm"
    assert record["embed"]["images"][0]["alt"] == IMAGE.alt_text
    assert record["langs"] == ["da"]
    assert result.url.startswith("https://bsky.app/profile/kobenhavn.bsky.social/post/")


def test_bluesky_link_card_without_image(bluesky, bluesky_fake):
    post = make_post(
        "Læs mere", images=(), link="https://kk.example/c", link_title="Christiansholm"
    )
    result = bluesky.publish(post, "k")

    embed = bluesky_fake.records[result.remote_id].value["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    assert embed["external"]["uri"] == "https://kk.example/c"


def test_bluesky_reuses_its_session(bluesky, bluesky_fake):
    bluesky.publish(make_post("Første"), "a")
    bluesky.publish(make_post("Anden"), "b")
    assert bluesky_fake.create_session_calls == 1


def test_bluesky_record_key_is_a_deterministic_tid():
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    assert tid_for(moment, "a") == tid_for(moment, "a")
    assert tid_for(moment, "a") != tid_for(moment, "b")
    assert len(tid_for(moment, "a")) == 13


# --- Limits enforced before any request --------------------------------------------------------
TOO_LONG = {
    "facebook": "x" * 63207,
    "instagram": "x" * 2201,
    "x": "x" * 281,
    "mastodon": "x" * 501,
    "bluesky": "x" * 301,
}


def test_over_the_limit_is_refused_without_any_request(platform_pair):
    fake, adapter = platform_pair
    if fake.platform == "mastodon":
        # The instance's own limit is known from the channel, as the outbox will pass it.
        adapter._instance["max_characters"] = 500

    with pytest.raises(LimitExceeded) as caught:
        adapter.publish(make_post(TOO_LONG[fake.platform]), "k")

    assert caught.value.result.ok is False
    assert fake.requests == []
    assert stored_texts(fake) == []


def test_mastodon_reads_the_instance_limit_before_refusing(mastodon_fake):
    from tests.social.conftest import adapter_for

    mastodon_fake.max_characters = 1000
    with adapter_for(mastodon_fake) as adapter:
        adapter.publish(make_post("y" * 900, images=()), "fits")
        with pytest.raises(LimitExceeded):
            adapter.publish(make_post("y" * 1001, images=()), "too-long")

    assert [r.path for r in mastodon_fake.requests] == ["/api/v2/instance", "/api/v1/statuses"]


def test_missing_alt_text_is_refused_without_any_request(platform_pair):
    fake, adapter = platform_pair
    image = IMAGE.__class__(data=IMAGE.data, alt_text="  ", url=IMAGE.url)
    if fake.platform == "mastodon":
        adapter._instance["max_characters"] = 500

    with pytest.raises(LimitExceeded):
        adapter.publish(make_post(images=(image,)), "k")
    assert fake.requests == []


def test_instagram_needs_an_image_at_a_public_address(instagram, instagram_fake):
    with pytest.raises(LimitExceeded):
        instagram.publish(make_post(images=()), "k")
    with pytest.raises(LimitExceeded, match="public address"):
        instagram.publish(make_post(images=(IMAGE.__class__(data=b"x", alt_text="a"),)), "k")
    assert instagram_fake.requests == []


def test_the_fakes_enforce_the_limits_themselves(x_fake, bluesky_fake, mastodon_fake):
    """A client that skips the checks meets the platform's own refusal."""
    import httpx

    answer = httpx.post(
        f"{x_fake.base_url}/2/tweets",
        json={"text": "日" * 141},
        headers={"Authorization": "Bearer x-user-token"},
    )
    assert answer.status_code == 400
    answer = httpx.post(
        f"{mastodon_fake.base_url}/api/v1/statuses",
        json={"status": "y" * 501},
        headers={"Authorization": "Bearer mastodon-token"},
    )
    assert answer.status_code == 422
    assert "character limit of 500" in answer.json()["error"]


def test_instagram_has_no_delete(instagram, instagram_fake):
    with pytest.raises(NotSupported):
        instagram.delete("123")
    assert instagram_fake.requests == []


@pytest.mark.parametrize("platform", ["facebook", "x", "mastodon", "bluesky"])
def test_delete_removes_the_post(platform, request):
    fake = request.getfixturevalue(f"{platform}_fake")
    adapter = request.getfixturevalue(platform)
    result = adapter.publish(make_post(), "k")

    adapter.delete(result.remote_id)

    assert stored_texts(fake) == []


def test_verify_credentials_names_the_account(platform_pair):
    fake, adapter = platform_pair
    info = adapter.verify_credentials()
    assert info.remote_id
    assert info.name
    if fake.platform == "mastodon":
        assert info.max_characters == 500


def test_outgoing_post_is_immutable():
    post = OutgoingPost(text="a")
    with pytest.raises(AttributeError):
        post.text = "b"  # type: ignore[misc]
