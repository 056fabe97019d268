"""Exactly once: a post whose answer was lost is found, not published again."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from social.adapters import Ambiguous
from tests.social.conftest import SLOW, make_post, stored_texts


def test_mastodon_retry_with_the_same_key_after_a_drop_yields_one_post(mastodon, mastodon_fake):
    mastodon_fake.script("drop_after_commit", method="POST", path="/api/v1/statuses")
    post = make_post()

    with pytest.raises(Ambiguous):
        mastodon.publish(post, "outbox-7")
    assert len(stored_texts(mastodon_fake)) == 1  # committed before the drop

    result = mastodon.publish(post, "outbox-7")

    assert stored_texts(mastodon_fake) == [post.text]
    assert result.remote_id == mastodon_fake.own_statuses()[0].id
    assert mastodon.idempotent_publish is True


def test_mastodon_another_key_is_another_post(mastodon, mastodon_fake):
    mastodon.publish(make_post("Første"), "a")
    mastodon.publish(make_post("Første"), "b")
    assert len(stored_texts(mastodon_fake)) == 2


def test_mastodon_find_published_reads_the_account_statuses(mastodon, mastodon_fake):
    post = make_post("Linje et\n\nLinje to med https://kk.example/lang/sti?x=1 & mere")
    mastodon_fake.script("drop_after_commit", method="POST", path="/api/v1/statuses")
    with pytest.raises(Ambiguous):
        mastodon.publish(post, "k")

    found = mastodon.find_published(post, "k")

    assert found is not None
    assert found.remote_id == mastodon_fake.own_statuses()[0].id
    assert mastodon.find_published(make_post("Noget andet"), "other") is None


def test_facebook_reconciles_through_published_posts_after_a_drop(facebook, facebook_fake):
    post = make_post(images=())
    facebook_fake.script("drop_after_commit", method="POST", path="/feed")

    with pytest.raises(Ambiguous):
        facebook.publish(post, "k")
    found = facebook.find_published(post, "k")

    assert found is not None
    assert found.remote_id in facebook_fake.posts
    assert len(facebook_fake.requests_to("POST", "/feed")) == 1
    assert facebook_fake.requests_to("GET", "/published_posts")


def test_facebook_reconciliation_finds_nothing_when_nothing_was_stored(facebook, facebook_fake):
    post = make_post(images=())
    facebook_fake.script("drop", method="POST", path="/feed")

    with pytest.raises(Ambiguous):
        facebook.publish(post, "k")

    assert facebook.find_published(post, "k") is None
    # Now safe to publish again, and it goes out once.
    facebook.publish(post, "k")
    assert stored_texts(facebook_fake) == [post.text]


def test_x_reconciles_despite_links_rewritten_to_tco(x, x_fake):
    post = make_post("Se planen https://kk.example/christiansholm")
    x_fake.script("drop_after_commit", method="POST", path="/2/tweets")

    with pytest.raises(Ambiguous):
        x.publish(post, "k")
    found = x.find_published(post, "k")

    assert found is not None
    assert "t.co" in found.raw["text"]
    assert found.remote_id in x_fake.tweets
    assert x.find_published(make_post("Noget helt andet"), "k2") is None


def test_bluesky_retry_with_stored_progress_finds_the_record(bluesky, bluesky_fake):
    post = make_post()
    progress: dict = {}
    bluesky_fake.script("drop_after_commit", method="POST", path="createRecord")

    with pytest.raises(Ambiguous):
        bluesky.publish(post, "k", progress=progress)
    assert progress["rkey"]
    assert bluesky.find_published(post, "k", progress=progress) is not None

    result = bluesky.publish(post, "k", progress=progress)

    assert len(bluesky_fake.posts()) == 1
    assert result.remote_id.endswith("/" + progress["rkey"])
    assert len(bluesky_fake.requests_to("POST", "createRecord")) == 1
    # The image uploaded before the drop is not uploaded again.
    assert len(bluesky_fake.requests_to("POST", "uploadBlob")) == 1


def test_bluesky_retry_after_a_drop_before_storing_writes_the_same_record_key(
    bluesky, bluesky_fake
):
    post = make_post()
    progress: dict = {}
    bluesky_fake.script("drop", method="POST", path="createRecord")
    with pytest.raises(Ambiguous):
        bluesky.publish(post, "k", progress=progress)
    assert bluesky.find_published(post, "k", progress=progress) is None

    result = bluesky.publish(post, "k", progress=progress)

    assert result.remote_id.endswith("/" + progress["rkey"])
    assert len(bluesky_fake.posts()) == 1


def test_bluesky_without_progress_nothing_was_sent(bluesky):
    assert bluesky.find_published(make_post(), "k", progress={}) is None


def test_instagram_does_not_publish_a_container_that_is_already_published(
    instagram, instagram_fake
):
    post = make_post()
    progress: dict = {}
    instagram_fake.script("drop_after_commit", method="POST", path="/media_publish")

    with pytest.raises(Ambiguous):
        instagram.publish(post, "k", progress=progress)
    assert instagram_fake.containers[progress["creation_id"]].status == "PUBLISHED"

    result = instagram.publish(post, "k", progress=progress)

    assert len(instagram_fake.requests_to("POST", "/media_publish")) == 1
    container_creations = [
        r for r in instagram_fake.requests if r.method == "POST" and r.path.endswith("/media")
    ]
    assert len(container_creations) == 1
    assert list(instagram_fake.media) == [result.remote_id]
    assert instagram.find_published(post, "k", progress=progress).remote_id == result.remote_id


def test_instagram_resumes_the_same_container_after_a_drop_before_publishing(
    instagram, instagram_fake
):
    post = make_post()
    progress: dict = {}
    instagram_fake.script("drop", method="POST", path="/media_publish")
    with pytest.raises(Ambiguous):
        instagram.publish(post, "k", progress=progress)
    assert instagram.find_published(post, "k", progress=progress) is None

    instagram.publish(post, "k", progress=progress)

    assert len(instagram_fake.containers) == 1
    assert len(instagram_fake.media) == 1


def test_instagram_without_a_container_nothing_was_published(instagram, instagram_fake):
    assert instagram.find_published(make_post(), "k", progress={}) is None
    assert instagram_fake.requests == []


def test_instagram_slow_container_is_transient_and_resumable(instagram_fake):
    from social.adapters import TransientError
    from tests.social.conftest import adapter_for

    instagram_fake.polls_until_finished = 5
    progress: dict = {}
    with adapter_for(instagram_fake, max_polls=2) as adapter:
        with pytest.raises(TransientError) as caught:
            adapter.publish(make_post(), "k", progress=progress)
        assert not isinstance(caught.value, Ambiguous)
        adapter.max_polls = 10
        adapter.publish(make_post(), "k", progress=progress)

    assert len(instagram_fake.containers) == 1
    assert len(instagram_fake.media) == 1


def test_facebook_reconciliation_ignores_an_older_post_with_the_same_text(facebook, facebook_fake):
    post = make_post(images=())
    old = facebook.publish(post, "last-week")
    facebook_fake.posts[old.remote_id].created_time -= timedelta(days=7)
    progress: dict = {}
    facebook_fake.script("drop", method="POST", path="/feed")

    with pytest.raises(Ambiguous):
        facebook.publish(post, "this-week", progress=progress)

    assert progress["first_sent_at"]
    assert facebook.find_published(post, "this-week", progress=progress) is None


def test_mastodon_timeout_then_retry_with_the_same_key_yields_one_post(mastodon, mastodon_fake):
    post = make_post()
    mastodon_fake.script("slow", method="POST", path="/api/v1/statuses", seconds=SLOW)
    with pytest.raises(Ambiguous):
        mastodon.publish(post, "outbox-9")

    # The platform finished the request after the client gave up.
    deadline = time.monotonic() + SLOW + 2
    while not mastodon_fake.own_statuses() and time.monotonic() < deadline:
        time.sleep(0.05)
    result = mastodon.publish(post, "outbox-9")

    assert [s.id for s in mastodon_fake.own_statuses()] == [result.remote_id]
