"""The inbox answers on Instagram, X and Bluesky and hides comments on Facebook and Instagram,
over real HTTP against the stand-ins; what the platform refuses is said on the page and the
typed answer stays in its form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civic.models import AuditEntry
from social import selectors, services
from social.adapters import OutgoingPost
from social.models import ChannelState, ImportedComment
from social.readback import import_comments
from tests import factories
from tests.social.conftest import make_post
from tests.social.factories import channel_for, published_post

pytestmark = pytest.mark.django_db
INBOX = reverse("social:inbox")


@pytest.fixture
def harbour():
    consultation = factories.ConsultationFactory(slug="harbour", title="Harbour baths")
    factories.TopicFactory(consultation=consultation, title="The harbour bath")
    return consultation


@pytest.fixture
def planner(harbour):
    person = factories.PlannerFactory(display_name="Line", show_name_publicly=True)
    harbour.planners.add(person)
    return person


def _comment_on(fake, consultation, text="When does the bath open?", author="mette"):
    channel = channel_for(fake)
    with services.adapter_for(channel) as adapter:
        # A text of its own per post: platforms refuse a repeat of the previous one.
        body = f"Harbour baths: have your say ({text[:12]})"
        post = make_post(body) if fake.platform == "instagram" else OutgoingPost(text=body)
        result = adapter.publish(post, "k")
    post = published_post(channel, consultation=consultation, remote_id=result.remote_id)
    fake.reply(result.remote_id, text, author=author)
    import_comments([post.pk])
    return ImportedComment.objects.get(post=post, text=text)


def _act(client, comment, action, **data):
    return client.post(reverse("social:inbox_action", args=[comment.pk, action]), data)


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_answer_on_instagram_goes_under_the_comment(client, instagram_fake, harbour, planner):
    comment = _comment_on(instagram_fake, harbour, "Kommer der en sauna?")
    client.force_login(planner)
    _act(client, comment, "reply", text="Ja, fra juli.")
    comment.refresh_from_db()
    assert comment.answered_by == planner and comment.answer_text == "Ja, fra juli."
    _media, reply = instagram_fake.comment(comment.answer_remote_id)
    assert reply["parent"] == comment.remote_id and reply["text"] == "Ja, fra juli."
    assert reply["username"] == instagram_fake.username
    # Read back, our answer is recognised and not taken for a resident's comment.
    import_comments([comment.post_id])
    assert ImportedComment.objects.filter(post=comment.post).count() == 1


def test_answer_on_x_is_a_reply_in_the_thread_with_the_text_as_typed(
    client, x_fake, harbour, planner
):
    comment = _comment_on(x_fake, harbour, "Is it free?")
    client.force_login(planner)
    typed = "Free for children < 12 & pensioners"
    _act(client, comment, "reply", text=typed)
    comment.refresh_from_db()
    tweet = x_fake.tweets[comment.answer_remote_id]
    assert tweet.in_reply_to == comment.remote_id and tweet.text == typed
    # X answers the text HTML-escaped; what we store is what the officer wrote.
    assert comment.answer_text == typed
    import_comments([comment.post_id])
    assert ImportedComment.objects.filter(post=comment.post).count() == 1


def test_an_answer_too_long_for_x_is_refused_before_sending_and_kept(
    client, x_fake, harbour, planner
):
    comment = _comment_on(x_fake, harbour, "Is it free?")
    client.force_login(planner)
    sent_before = len(x_fake.requests_to("POST", "/2/tweets"))
    long_answer = "Svar " * 60
    response = _act(client, comment, "reply", text=long_answer)
    assert any("too long" in m for m in _messages(response))
    assert len(x_fake.requests_to("POST", "/2/tweets")) == sent_before
    page = client.get(response.url).content.decode()
    assert long_answer.strip() in page
    comment.refresh_from_db()
    assert comment.answered_at is None


def test_answer_on_bluesky_names_root_and_parent_by_strong_ref(
    client, bluesky_fake, harbour, planner
):
    comment = _comment_on(bluesky_fake, harbour, "Hvor er indgangen?")
    post_record = bluesky_fake.records[comment.post.remote_id]
    assert comment.reply_ref == {
        "cid": bluesky_fake.records[comment.remote_id].cid,
        "root_uri": post_record.uri,
        "root_cid": post_record.cid,
    }
    client.force_login(planner)
    _act(client, comment, "reply", text="Ved broen.")
    comment.refresh_from_db()
    record = bluesky_fake.records[comment.answer_remote_id].value
    assert record["reply"] == {
        "root": {"uri": post_record.uri, "cid": post_record.cid},
        "parent": {"uri": comment.remote_id, "cid": comment.reply_ref["cid"]},
    }
    import_comments([comment.post_id])
    assert ImportedComment.objects.filter(post=comment.post).count() == 1


def test_the_bluesky_stand_in_refuses_a_reply_without_strong_refs(bluesky_fake):
    from tests.social.conftest import adapter_for

    with adapter_for(bluesky_fake) as adapter:
        root = adapter.publish(OutgoingPost(text="Root"), "r")
        session = adapter._session()
        from social.adapters import Rejected

        with pytest.raises(Rejected, match="cid"):
            adapter._xrpc(
                "POST",
                "com.atproto.repo.createRecord",
                write=True,
                json={
                    "repo": session["did"],
                    "collection": "app.bsky.feed.post",
                    "record": {
                        "$type": "app.bsky.feed.post",
                        "text": "Hi",
                        "createdAt": "2026-12-04T08:00:00Z",
                        "reply": {
                            "root": {"uri": root.remote_id},
                            "parent": {"uri": root.remote_id},
                        },
                    },
                },
            )


def test_a_rate_limit_says_when_to_try_again_and_keeps_the_answer(client, x_fake, harbour, planner):
    comment = _comment_on(x_fake, harbour, "Is it free?")
    client.force_login(planner)
    x_fake.script("rate_limit", method="POST", path="/2/tweets")
    response = _act(client, comment, "reply", text="Yes, always.")
    assert any("asks us to wait: try again in about 2 minutes" in m for m in _messages(response))
    comment.refresh_from_db()
    assert comment.answered_at is None and comment.answer_remote_id == ""
    page = client.get(response.url).content.decode()
    assert ">Yes, always.</textarea>" in page
    # Kept once: the next visit shows an empty form again.
    assert ">Yes, always.</textarea>" not in client.get(response.url).content.decode()


def test_an_expired_login_is_said_and_the_channel_asks_for_a_new_one(
    client, instagram_fake, harbour, planner
):
    comment = _comment_on(instagram_fake, harbour, "Kommer der en sauna?")
    client.force_login(planner)
    instagram_fake.script("expired_token", method="POST", path="/replies")
    response = _act(client, comment, "reply", text="Ja.")
    assert any("no longer works" in m for m in _messages(response))
    comment.post.channel.refresh_from_db()
    assert comment.post.channel.state == ChannelState.NEEDS_REAUTH


def test_a_refusal_gives_the_platforms_reason(client, facebook_fake, harbour, planner):
    comment = _comment_on(facebook_fake, harbour, "Er der livredder?")
    client.force_login(planner)
    facebook_fake.script("validation_error", method="POST", path="/comments")
    response = _act(client, comment, "reply", text="Ja.")
    assert any("Facebook refused" in m and "Invalid parameter" in m for m in _messages(response))


def test_hide_on_facebook_and_show_again(client, facebook_fake, harbour, planner):
    comment = _comment_on(facebook_fake, harbour, "Spam spam spam", author="Spammer")
    shown = _comment_on(facebook_fake, harbour, "A fair question", author="Karen")
    assert {c.pk for p in selectors.public_posts(harbour) for c in p.visible_comments} >= {
        comment.pk,
        shown.pk,
    }
    client.force_login(planner)
    response = _act(client, comment, "hide")
    assert any("hidden on Facebook" in m for m in _messages(response))
    assert facebook_fake.comment(comment.remote_id)["is_hidden"] is True
    request = facebook_fake.requests_to("POST", f"/{comment.remote_id}")[-1]
    assert request.form["is_hidden"] == "true"
    comment.refresh_from_db()
    assert comment.hidden_on_platform_at and comment.hidden_on_platform_by == planner
    assert AuditEntry.objects.filter(action="social.comment_hidden_on_platform").exists()
    # Not shown beside the public debate any more; the other comment still is.
    public = {c.pk for p in selectors.public_posts(harbour) for c in p.visible_comments}
    assert comment.pk not in public and shown.pk in public
    page = client.get(harbour.get_absolute_url()).content.decode()
    assert "Spam spam spam" not in page and "A fair question" in page
    from reports.exports import ExportContext, social_records

    public_export = social_records(ExportContext(consultation=harbour, variant="public"))
    exported = [c["text"] for record in public_export for c in record["comments"]]
    assert "A fair question" in exported and "Spam spam spam" not in exported
    inbox = client.get(INBOX).content.decode()
    assert "Hidden on the platform" in inbox and "Show again on Facebook" in inbox
    _act(client, comment, "unhide")
    assert facebook_fake.comment(comment.remote_id)["is_hidden"] is False
    comment.refresh_from_db()
    assert comment.hidden_on_platform_at is None
    assert AuditEntry.objects.filter(action="social.comment_shown_on_platform").exists()


def test_hide_on_instagram_and_a_hidden_comment_takes_no_answer(
    client, instagram_fake, harbour, planner
):
    comment = _comment_on(instagram_fake, harbour, "Køb billige solbriller")
    client.force_login(planner)
    _act(client, comment, "hide")
    _media, stored = instagram_fake.comment(comment.remote_id)
    assert stored["hidden"] is True
    replies_before = len(instagram_fake.requests_to("POST", "/replies"))
    response = _act(client, comment, "reply", text="Nej tak.")
    assert any("hidden on the platform" in m for m in _messages(response))
    assert len(instagram_fake.requests_to("POST", "/replies")) == replies_before


def test_platforms_without_hiding_and_outsiders_cannot_hide(
    client, mastodon_fake, facebook_fake, harbour, planner
):
    on_mastodon = _comment_on(mastodon_fake, harbour)
    client.force_login(planner)
    response = _act(client, on_mastodon, "hide")
    assert any("does not let us hide" in m for m in _messages(response))
    on_facebook = _comment_on(facebook_fake, harbour, "Er der livredder?")
    client.force_login(factories.PlannerFactory(limited_to_assigned=True))
    assert _act(client, on_facebook, "hide").status_code == 403
    assert facebook_fake.comment(on_facebook.remote_id)["is_hidden"] is False


def test_a_rate_limited_hide_says_so_and_changes_nothing(client, facebook_fake, harbour, planner):
    comment = _comment_on(facebook_fake, harbour, "Spam", author="Spammer")
    client.force_login(planner)
    facebook_fake.script("rate_limit", method="POST")
    response = _act(client, comment, "hide")
    assert any("asks us to wait: try again in about 5 minutes" in m for m in _messages(response))
    comment.refresh_from_db()
    assert comment.hidden_on_platform_at is None


# --- The stand-ins behave like the platforms ------------------------------------------------------
def test_instagram_adds_a_reply_to_a_reply_to_its_top_level_comment(instagram_fake):
    from tests.social.conftest import adapter_for

    with adapter_for(instagram_fake) as adapter:
        media = adapter.publish(make_post("Harbour"), "k").remote_id
        top = instagram_fake.add_comment(media, "Top", username="a")
        under = instagram_fake.add_comment(media, "Under", username="b", parent_id=top)
        reply_id = adapter.reply(under, "Thanks")
        _media, reply = instagram_fake.comment(reply_id)
        assert reply["parent"] == top
        comments = {c.remote_id: c for c in adapter.fetch_comments(media)}
        assert comments[reply_id].parent_id == top and comments[under].parent_id == top


def test_x_answers_a_reply_escaped_and_refuses_one_to_a_deleted_post(x_fake):
    from social.adapters import Rejected
    from tests.social.conftest import adapter_for

    with adapter_for(x_fake) as adapter:
        tweet = adapter.publish(OutgoingPost(text="Harbour"), "k").remote_id
        answer = x_fake.reply(tweet, "Question?")
        reply_id = adapter.reply(answer, "Yes & no <maybe>")
        request = x_fake.requests_to("POST", "/2/tweets")[-1]
        assert request.json["reply"] == {"in_reply_to_tweet_id": answer}
        assert x_fake.tweets[reply_id].view()["text"] == "Yes &amp; no &lt;maybe&gt;"
        with pytest.raises(Rejected, match="deleted or not visible"):
            adapter.reply("999999", "Hello")


def test_facebook_will_not_hide_the_pages_own_comment(facebook_fake):
    from social.adapters import Rejected
    from tests.social.conftest import adapter_for

    with adapter_for(facebook_fake) as adapter:
        post = adapter.publish(OutgoingPost(text="Harbour"), "k").remote_id
        question = facebook_fake.reply(post, "Question?")
        ours = adapter.reply(question, "Our answer")
        with pytest.raises(Rejected, match="made by the page"):
            adapter.hide_comment(ours, True)
        adapter.hide_comment(question, True)
        assert facebook_fake.comment(question)["is_hidden"] is True


def test_bluesky_asks_us_to_wait_and_x_refuses_an_expired_login(
    client, bluesky_fake, x_fake, harbour, planner
):
    on_bluesky = _comment_on(bluesky_fake, harbour, "Hvor er indgangen?")
    on_x = _comment_on(x_fake, harbour, "Is it free?")
    client.force_login(planner)
    bluesky_fake.script("rate_limit", method="POST", path="createRecord")
    response = _act(client, on_bluesky, "reply", text="Ved broen.")
    assert any(
        "Bluesky asks us to wait: try again in about 2 minutes" in m for m in _messages(response)
    )
    assert ">Ved broen.</textarea>" in client.get(response.url).content.decode()
    x_fake.token_expired = True
    response = _act(client, on_x, "reply", text="Yes.")
    assert any("no longer works" in m for m in _messages(response))
    on_x.post.channel.refresh_from_db()
    assert on_x.post.channel.state == ChannelState.NEEDS_REAUTH
    for comment in (on_bluesky, on_x):
        comment.refresh_from_db()
        assert comment.answered_at is None
