"""Staff pages, the public hub slot, the embed, the limit check and the Facebook webhook."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from civic.models import AuditEntry
from social import services
from social.models import Channel, ImportedComment, PostState, SocialPost
from social.webhooks import sign
from tests import factories
from tests.social.factories import approved, channel_for, draft, published_post

PASSWORD = "pass-word-123"  # noqa: S105


def login(client, user):
    client.force_login(user)
    return client


def test_channel_page_admin_connects_through_the_platform(client, administrator, mastodon_fake):
    login(client, administrator)
    url = reverse("social:channels")
    response = client.post(
        url,
        {
            "platform": "mastodon",
            "base_url": mastodon_fake.base_url,
            "credentials": "access_token=mastodon-token",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.name == "Københavns Kommune"
    assert channel.max_characters == 500
    assert channel.credentials == {"access_token": "mastodon-token"}
    assert "mastodon-token" not in channel.credentials_encrypted
    assert list(channel.owners.all()) == [administrator]
    page = client.get(url).content.decode()
    assert "Københavns Kommune" in page


def test_wrong_credentials_are_a_form_error(client, administrator, mastodon_fake):
    login(client, administrator)
    response = client.post(
        reverse("social:channels"),
        {
            "platform": "mastodon",
            "base_url": mastodon_fake.base_url,
            "credentials": "access_token=nope",
        },
    )
    assert response.status_code == 200
    assert "refused these credentials" in response.content.decode()
    assert not Channel.objects.exists()


def test_planner_sees_channels_but_cannot_connect(client, planner, mastodon_fake):
    login(client, planner)
    assert client.get(reverse("social:channels")).status_code == 200
    response = client.post(
        reverse("social:channels"),
        {
            "platform": "mastodon",
            "base_url": mastodon_fake.base_url,
            "credentials": "access_token=x",
        },
    )
    assert response.status_code == 403


def test_residents_see_no_staff_pages(client, resident, consultation):
    login(client, resident)
    assert client.get(reverse("social:channels")).status_code == 403
    assert client.get(reverse("social:composer", args=[consultation.slug])).status_code == 403


def test_composer_drafts_per_channel_and_a_second_planner_approves(
    client, consultation, mastodon_channel, x_fake
):
    x_channel = channel_for(x_fake)
    author, second = factories.PlannerFactory(), factories.PlannerFactory()
    login(client, author)
    url = reverse("social:composer", args=[consultation.slug])
    page = client.get(url).content.decode()
    assert "utm_source=mastodon" in page and "utm_source=x" in page
    response = client.post(
        url,
        {
            f"text_{mastodon_channel.pk}": "Mastodon-tekst",
            f"text_{x_channel.pk}": "",
            "attach_map": "on",
        },
    )
    assert response.status_code == 302
    post = SocialPost.objects.get()
    assert post.channel == mastodon_channel
    assert post.image and post.alt_text.startswith("Map of the area")
    # The author cannot approve; the button is not even offered.
    page = client.get(url).content.decode()
    assert "A second planner must approve your post." in page
    response = client.post(reverse("social:post_action", args=[post.pk, "approve"]))
    assert response.status_code == 403
    login(client, second)
    client.post(reverse("social:post_action", args=[post.pk, "approve"]))
    post.refresh_from_db()
    assert post.state == PostState.APPROVED and post.approved_by == second
    assert AuditEntry.objects.filter(action="social.post_approved", actor=second).exists()


def test_composer_refuses_a_text_over_the_limit_with_a_readable_error(client, consultation, x_fake):
    x_channel = channel_for(x_fake)
    login(client, factories.PlannerFactory())
    response = client.post(
        reverse("social:composer", args=[consultation.slug]),
        {f"text_{x_channel.pk}": "ø" * 300},
    )
    assert response.status_code == 200
    assert "280" in response.content.decode()
    assert not SocialPost.objects.exists()


def test_check_endpoint_counts_like_the_platform(client, planner, x_fake):
    channel = channel_for(x_fake)
    login(client, planner)
    response = client.post(
        reverse("social:check"),
        json.dumps({"channel": channel.pk, "text": "Se https://kk.example/a/very/long/path/here"}),
        content_type="application/json",
    )
    data = response.json()
    assert data["limit"] == 280 and data["length"] == 3 + 23 and data["ok"]
    assert data["cost_usd"] == "0.20"
    bad = client.post(reverse("social:check"), "{}", content_type="application/json")
    assert bad.status_code == 400


def test_crisis_stop_banner_and_lift(client, planner, consultation):
    login(client, planner)
    url = reverse("social:composer", args=[consultation.slug])
    client.post(reverse("social:crisis_stop"), {"reason": "Storm", "next": url})
    page = client.get(url).content.decode()
    assert "Publishing is stopped" in page and "Storm" in page
    client.post(reverse("social:crisis_stop"), {"action": "lift", "next": url})
    assert "Publishing is stopped" not in client.get(url).content.decode()


def test_hub_shows_published_posts_and_visible_comments(
    client, consultation, mastodon_channel, django_assert_max_num_queries
):
    post = published_post(
        mastodon_channel, consultation=consultation, url="https://social.example/@kk/1"
    )
    ImportedComment.objects.create(
        post=post, platform="mastodon", remote_id="c1", author_name="Ida", text="God idé!"
    )
    ImportedComment.objects.create(
        post=post,
        platform="mastodon",
        remote_id="c2",
        author_name="Troll",
        text="Skjult tekst",
        is_hidden=True,
        hidden_reason="spam",
    )
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Also discussed on Mastodon" in page
    assert "https://social.example/@kk/1" in page
    assert "God idé!" in page and "Skjult tekst" not in page
    assert "do not count as support" in page


def test_hub_slot_query_count_does_not_grow(
    consultation, mastodon_channel, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from social.hub import also_discussed_on

    for number in range(3):
        post = published_post(mastodon_channel, consultation=consultation, remote_id=str(number))
        ImportedComment.objects.create(
            post=post, platform="mastodon", remote_id="c", author_name="A", text="t"
        )
    # Posts, their visible comments, and the answers the inbox published as official.
    with django_assert_num_queries(3):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        also_discussed_on(request, consultation)


def test_planner_hides_an_imported_comment_with_a_reason(client, consultation, mastodon_channel):
    post = published_post(mastodon_channel, consultation=consultation)
    comment = ImportedComment.objects.create(
        post=post, platform="mastodon", remote_id="c1", author_name="Ida", text="spam"
    )
    login(client, factories.PlannerFactory())
    client.post(
        reverse("social:comment_visibility", args=[comment.pk]),
        {"hide": "1", "hidden_reason": "Spam"},
    )
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Spam"


def test_embed_may_be_framed_but_other_pages_may_not(client, consultation):
    embed = client.get(reverse("embed", args=[consultation.slug]))
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed.headers
    assert consultation.title in embed.content.decode()
    assert client.get(consultation.get_absolute_url()).headers["X-Frame-Options"] == "DENY"


def test_embed_of_a_draft_consultation_is_refused(client, db):
    draft_consultation = factories.ConsultationFactory(status="draft")
    assert client.get(reverse("embed", args=[draft_consultation.slug])).status_code in (
        403,
        404,
    )


def test_embed_snippet_is_shown_to_planners(client, consultation, planner):
    login(client, planner)
    page = client.get(reverse("social:composer", args=[consultation.slug])).content.decode()
    assert "&lt;iframe src=&quot;http" in page or '&lt;iframe src="http' in page
    assert f"/embed/{consultation.slug}/" in page and "/social/embed/" not in page


# --- Facebook webhook ----------------------------------------------------------------------------
@pytest.fixture
def facebook_channel(db, facebook_fake):
    return channel_for(facebook_fake)


def _notice(post_id: str) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "feed",
                            "value": {"item": "comment", "post_id": post_id, "verb": "add"},
                        }
                    ],
                }
            ],
        }
    ).encode()


def test_signed_webhook_queues_the_import_which_a_worker_runs_after_the_answer(
    client, facebook_fake, facebook_channel, django_capture_on_commit_callbacks
):
    with services.adapter_for(facebook_channel) as adapter:
        from social.adapters import OutgoingPost

        result = adapter.publish(OutgoingPost(text="Borgermøde"), "k")
    post = published_post(facebook_channel, remote_id=result.remote_id)
    facebook_fake.reply(result.remote_id, "Jeg kommer!", author="Mette")
    body = _notice(result.remote_id)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("social:facebook_webhook"),
            body,
            content_type="application/json",
            headers={"X-Hub-Signature-256": sign(body, facebook_fake.credentials()["app_secret"])},
        )
    assert response.status_code == 200
    # Answered without reading the platform: the import is queued for the worker.
    assert not post.imported_comments.exists()
    assert len(queued) == 1
    queued[0]()  # what the worker does (in-process without a broker)
    assert list(post.imported_comments.values_list("text", flat=True)) == ["Jeg kommer!"]


def test_connecting_a_facebook_page_subscribes_its_webhook(administrator, facebook_fake):
    channel = services.channel_connect(
        actor=administrator,
        platform="facebook",
        base_url=facebook_fake.base_url,
        credentials=facebook_fake.credentials(),
    )
    assert facebook_fake.subscribed_fields == ["feed"]
    assert channel.webhooks_subscribed_at is not None and channel.webhooks_problem == ""


def test_a_refused_webhook_subscription_keeps_the_channel_and_says_why(
    client, administrator, facebook_fake
):
    facebook_fake.metadata_permission = False
    channel = services.channel_connect(
        actor=administrator,
        platform="facebook",
        base_url=facebook_fake.base_url,
        credentials=facebook_fake.credentials(),
    )
    assert channel.pk and channel.webhooks_subscribed_at is None
    assert "pages_manage_metadata" in channel.webhooks_problem
    login(client, administrator)
    page = client.get(reverse("social:channels")).content.decode()
    assert "refused the webhook subscription" in page and "pages_manage_metadata" in page
    # Granting the permission and re-authorising subscribes it.
    facebook_fake.metadata_permission = True
    services.channel_reauthorise(
        actor=administrator, channel=channel, credentials=facebook_fake.credentials()
    )
    channel.refresh_from_db()
    assert channel.webhooks_subscribed_at is not None
    assert "arrive at once" in client.get(reverse("social:channels")).content.decode()


def test_forged_webhook_is_refused(client, facebook_fake, facebook_channel):
    body = _notice("1_2")
    forged = sign(body, "not-the-app-secret")
    response = client.post(
        reverse("social:facebook_webhook"),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": forged},
    )
    assert response.status_code == 403
    # A valid signature over other bytes fails as well: it is checked over the raw body.
    resigned = client.post(
        reverse("social:facebook_webhook"),
        body + b" ",
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, facebook_fake.credentials()["app_secret"])},
    )
    assert resigned.status_code == 403


def test_webhook_subscription_challenge(client, settings, db):
    settings.SOCIAL_FACEBOOK_WEBHOOK_VERIFY_TOKEN = "verify-me"
    url = reverse("social:facebook_webhook")
    ok = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"}
    )
    assert ok.status_code == 200 and ok.content == b"42"
    wrong = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"}
    )
    assert wrong.status_code == 403


def test_publish_now_and_delete_from_the_page(
    client, consultation, mastodon_fake, mastodon_channel, django_capture_on_commit_callbacks
):
    post = approved(mastodon_channel, consultation=consultation, text="Nu!")
    login(client, factories.PlannerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("social:post_action", args=[post.pk, "publish-now"]))
    post.refresh_from_db()
    # Without a broker the task runs in-process once the request's transaction commits.
    assert post.state == PostState.PUBLISHED
    assert [s["text"] for s in mastodon_fake.published()] == ["Nu!"]
    client.post(reverse("social:post_action", args=[post.pk, "delete"]))
    post.refresh_from_db()
    assert post.state == PostState.DELETED
    assert mastodon_fake.published() == []


def test_draft_stays_draft_for_its_author(mastodon_channel):
    post = draft(mastodon_channel)
    assert post.state == PostState.AWAITING_APPROVAL


def test_notice_composer_without_a_consultation(client, mastodon_channel):
    author = factories.PlannerFactory()
    login(client, author)
    url = reverse("social:compose")
    assert client.get(url).status_code == 200
    response = client.post(url, {f"text_{mastodon_channel.pk}": "Vandforsyningen er afbrudt"})
    assert response.status_code == 302
    post = SocialPost.objects.get()
    assert post.consultation is None and post.link == "" and not post.image
    assert "Vandforsyningen er afbrudt" in client.get(url).content.decode()


def test_channel_needing_reauthorisation_is_shown_and_can_be_reconnected(
    client, administrator, mastodon_fake
):
    channel = channel_for(mastodon_fake)
    services.channel_mark_needs_reauth(channel=channel, reason="The access token is invalid")
    login(client, administrator)
    page = client.get(reverse("social:channels")).content.decode()
    assert "Needs re-authorisation" in page and "The access token is invalid" in page
    response = client.post(
        reverse("social:channel_reauthorise", args=[channel.pk]),
        {"credentials": "access_token=mastodon-token"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.state == "ok"


def test_admin_pages_never_show_credentials(client, administrator, mastodon_fake):
    channel = channel_for(mastodon_fake)
    administrator.is_staff = True
    administrator.is_superuser = True
    administrator.save()
    login(client, administrator)
    page = client.get(reverse("admin:social_channel_change", args=[channel.pk]))
    assert page.status_code == 200
    assert "mastodon-token" not in page.content.decode()
    assert channel.credentials_encrypted not in page.content.decode()


def test_composer_query_count_does_not_grow_with_posts(
    client, consultation, mastodon_channel, django_assert_max_num_queries
):
    login(client, factories.PlannerFactory())
    url = reverse("social:composer", args=[consultation.slug])
    draft(mastodon_channel, consultation=consultation)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for number in range(4):
        post = published_post(mastodon_channel, consultation=consultation, remote_id=f"r{number}")
        ImportedComment.objects.create(
            post=post, platform="mastodon", remote_id="c", author_name="A", text="t"
        )
        draft(mastodon_channel, consultation=consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_credentials_help_speaks_the_visitors_language():
    from django.utils import translation

    from social.forms import ChannelForm

    with translation.override("en"):
        english = str(ChannelForm().fields["credentials"].help_text)
    with translation.override("da"):
        danish = str(ChannelForm().fields["credentials"].help_text)
    assert english.startswith("One key=value per line.") and "mastodon: access_token" in english
    assert danish.startswith("Én nøgle=værdi pr. linje.") and "mastodon: access_token" in danish
