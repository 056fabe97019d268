"""Engagement and comments read back: None where a platform has no figure, never 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from social.adapters import Metrics, NotFound
from tests.social.conftest import make_post


def test_facebook_metrics_with_insights(facebook, facebook_fake):
    result = facebook.publish(make_post(), "k")
    facebook_fake.set_engagement(
        result.remote_id, reactions=412, shares=37, views=20311, reach=14952
    )
    facebook_fake.add_comment(result.remote_id, "Godt initiativ!")

    metrics = facebook.fetch_metrics(result.remote_id)

    assert metrics == Metrics(reach=14952, views=20311, reactions=412, comments=1, shares=37)
    insights = facebook_fake.requests_to("GET", "/insights")[0]
    assert insights.query["metric"] == "post_media_view,post_total_media_view_unique"


def test_facebook_small_page_has_no_insights_but_real_zero_counts(facebook, facebook_fake):
    facebook_fake.fan_count = 40
    result = facebook.publish(make_post(), "k")

    metrics = facebook.fetch_metrics(result.remote_id)

    # Insights are not available for pages under 100 likes: unknown, not zero.
    assert metrics.reach is None
    assert metrics.views is None
    # Nobody reacted, commented or shared yet: those are real zeros.
    assert (metrics.reactions, metrics.comments, metrics.shares) == (0, 0, 0)


def test_facebook_removed_metric_is_error_3001(facebook_fake):
    import httpx

    from social.adapters.graph import appsecret_proof

    post = facebook_fake._new_post("x")
    answer = httpx.get(
        f"{facebook_fake.base_url}/v26.0/{post.id}/insights",
        params={
            "metric": "post_impressions",
            "access_token": "fb-page-token",
            "appsecret_proof": appsecret_proof("fb-page-token", "fb-app-secret"),
        },
    )
    assert answer.json()["error"]["code"] == 3001


def test_instagram_missing_insights_are_none(instagram, instagram_fake):
    result = instagram.publish(make_post(), "k")

    metrics = instagram.fetch_metrics(result.remote_id)

    assert metrics.reach is None
    assert metrics.views is None
    assert metrics.shares is None
    # Likes and comments come from the media's own counts.
    assert metrics.reactions == 0
    assert metrics.comments == 0


def test_instagram_insights_when_present(instagram, instagram_fake):
    result = instagram.publish(make_post(), "k")
    instagram_fake.set_insights(result.remote_id, reach=5000, views=7000, likes=300, shares=0)

    metrics = instagram.fetch_metrics(result.remote_id)

    assert (metrics.reach, metrics.views, metrics.reactions, metrics.shares) == (5000, 7000, 300, 0)


def test_x_public_metrics(x, x_fake):
    result = x.publish(make_post(), "k")
    x_fake.set_metrics(
        result.remote_id, impression_count=900, like_count=12, retweet_count=3, quote_count=1
    )

    metrics = x.fetch_metrics(result.remote_id)

    assert metrics == Metrics(reach=None, views=900, reactions=12, comments=0, shares=4)


def test_x_metrics_of_a_deleted_post_is_not_found(x):
    with pytest.raises(NotFound):
        x.fetch_metrics("999999")


def test_mastodon_counts_and_no_reach(mastodon, mastodon_fake):
    result = mastodon.publish(make_post(), "k")
    mastodon_fake.set_engagement(result.remote_id, favourites_count=14, reblogs_count=5)
    mastodon_fake.add_reply(result.remote_id, "Hvor kan jeg læse mere?")

    metrics = mastodon.fetch_metrics(result.remote_id)

    assert metrics == Metrics(reach=None, views=None, reactions=14, comments=1, shares=5)


def test_bluesky_counts_and_no_reach(bluesky, bluesky_fake):
    result = bluesky.publish(make_post(), "k")
    bluesky_fake.set_engagement(result.remote_id, like_count=8, repost_count=2, quote_count=1)
    bluesky_fake.add_reply(result.remote_id, "Fedt!")

    metrics = bluesky.fetch_metrics(result.remote_id)

    assert metrics == Metrics(reach=None, views=None, reactions=8, comments=1, shares=3)


# --- Comments ------------------------------------------------------------------------------------
def test_facebook_comments_with_replies_and_paging(facebook, facebook_fake):
    result = facebook.publish(make_post(), "k")
    first = facebook_fake.add_comment(result.remote_id, "Første kommentar", author="Karen")
    for number in range(120):
        facebook_fake.add_comment(result.remote_id, f"Kommentar {number}")
    facebook_fake.add_comment(result.remote_id, "Svar", author="Ole", parent_id=first)

    comments = facebook.fetch_comments(result.remote_id)

    assert len(comments) == 122
    assert comments[0].text == "Første kommentar"
    assert comments[0].author_name == "Karen"
    assert comments[-1].parent_id == first
    assert len(facebook_fake.requests_to("GET", "/comments")) == 2


def test_facebook_comments_since(facebook, facebook_fake):
    result = facebook.publish(make_post(), "k")
    facebook_fake.add_comment(result.remote_id, "Gammel")
    facebook_fake.posts[result.remote_id].comments[0]["created_time"] -= timedelta(days=2)
    facebook_fake.add_comment(result.remote_id, "Ny")

    comments = facebook.fetch_comments(
        result.remote_id, since=datetime.now(UTC) - timedelta(days=1)
    )

    assert [c.text for c in comments] == ["Ny"]


def test_instagram_comments(instagram, instagram_fake):
    result = instagram.publish(make_post(), "k")
    instagram_fake.add_comment(result.remote_id, "Flot!", username="anna_kbh")

    (comment,) = instagram.fetch_comments(result.remote_id)

    assert (comment.text, comment.author_name) == ("Flot!", "anna_kbh")
    assert comment.created_at is not None


def test_x_replies_with_authors(x, x_fake):
    result = x.publish(make_post(), "k")
    x_fake.add_reply(result.remote_id, "Hvornår er mødet?", username="lars")

    (comment,) = x.fetch_comments(result.remote_id)

    assert comment.text == "Hvornår er mødet?"
    assert comment.author_name == "Lars"
    assert comment.parent_id == result.remote_id


def test_mastodon_replies_as_plain_text_without_private_ones(mastodon, mastodon_fake):
    result = mastodon.publish(make_post(), "k")
    reply = mastodon_fake.add_reply(result.remote_id, "Se https://example.org/a <b>her</b>")
    mastodon_fake.add_reply(reply, "Enig", username="mette")
    mastodon_fake.add_reply(result.remote_id, "Hemmeligt", visibility="direct")

    comments = mastodon.fetch_comments(result.remote_id)

    assert [c.text for c in comments] == ["Se https://example.org/a <b>her</b>", "Enig"]
    assert comments[1].parent_id == reply
    assert comments[0].author_id == "borger@other.example"


def test_bluesky_thread_replies(bluesky, bluesky_fake):
    result = bluesky.publish(make_post(), "k")
    reply = bluesky_fake.add_reply(result.remote_id, "Godt!", handle="per.bsky.social")
    bluesky_fake.add_reply(reply, "Ja", handle="ida.bsky.social")

    comments = bluesky.fetch_comments(result.remote_id)

    assert [c.text for c in comments] == ["Godt!", "Ja"]
    assert comments[0].parent_id == ""
    assert comments[1].parent_id == reply
    assert comments[0].url.startswith("https://bsky.app/profile/per.bsky.social/post/")
