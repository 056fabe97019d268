"""The social REST API: permissions, bad input, the four-eyes rule, the crisis stop."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from social.models import Channel, CrisisStop, OutboxEntry, PostState, SocialPost
from tests import factories
from tests.social.factories import channel_for, draft, published_post


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


# --- Channels ------------------------------------------------------------------------------------
def test_channels_are_for_administrators_only(api, db, planner, administrator, mastodon_fake):
    channel_for(mastodon_fake)
    assert api.get("/api/v1/social/channels/").status_code in (401, 403)
    assert as_user(api, planner).get("/api/v1/social/channels/").status_code == 403
    response = as_user(api, administrator).get("/api/v1/social/channels/")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["platform"] == "mastodon"
    assert "credentials" not in row and "credentials_encrypted" not in row


def test_administrator_connects_a_channel_verified_by_the_platform(
    api, administrator, mastodon_fake
):
    response = as_user(api, administrator).post(
        "/api/v1/social/channels/",
        {
            "platform": "mastodon",
            "base_url": mastodon_fake.base_url,
            "credentials": {"access_token": "mastodon-token"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["max_characters"] == 500
    assert Channel.objects.get().credentials == {"access_token": "mastodon-token"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"platform": "myspace", "credentials": {"a": "b"}}, "platform"),
        ({"platform": "mastodon", "credentials": {"access_token": "x"}}, "base_url"),
        ({"platform": "x", "credentials": {"access_token": "x"}}, "credentials"),
        (
            {"platform": "mastodon", "base_url": "URL", "credentials": {"access_token": "bad"}},
            "credentials",
        ),
    ],
)
def test_bad_channel_input_is_a_400_naming_the_field(
    api, administrator, mastodon_fake, payload, field
):
    if payload.get("base_url") == "URL":
        payload["base_url"] = mastodon_fake.base_url
    response = as_user(api, administrator).post("/api/v1/social/channels/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --- Posts ---------------------------------------------------------------------------------------
def test_planner_posts_a_draft_and_reads_it_back(api, consultation, mastodon_fake):
    channel = channel_for(mastodon_fake)
    planner = factories.PlannerFactory()
    url = f"/api/v1/consultations/{consultation.slug}/social-posts/"
    response = as_user(api, planner).post(
        url, {"channel": channel.pk, "text": "Kom og vær med", "scheduled_at": None}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == PostState.AWAITING_APPROVAL
    assert f"utm_campaign={consultation.slug}" in body["link"]
    listed = as_user(api, planner).get(url).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_over_the_x_limit_is_a_400_on_text(api, consultation, x_fake):
    channel = channel_for(x_fake)
    response = as_user(api, factories.PlannerFactory()).post(
        f"/api/v1/consultations/{consultation.slug}/social-posts/",
        {"channel": channel.pk, "text": "x" * 281},
        format="json",
    )
    assert response.status_code == 400
    assert "280" in " ".join(response.json()["text"])


@pytest.mark.parametrize(
    "payload",
    [{"text": "no channel"}, {"channel": 999999, "text": "t"}, {"channel": "CH", "text": ""}],
)
def test_bad_post_input_is_a_400(api, consultation, mastodon_fake, payload):
    channel = channel_for(mastodon_fake)
    if payload.get("channel") == "CH":
        payload["channel"] = channel.pk
    response = as_user(api, factories.PlannerFactory()).post(
        f"/api/v1/consultations/{consultation.slug}/social-posts/", payload, format="json"
    )
    assert response.status_code == 400


def test_past_schedule_is_a_400(api, consultation, mastodon_fake):
    channel = channel_for(mastodon_fake)
    response = as_user(api, factories.PlannerFactory()).post(
        f"/api/v1/consultations/{consultation.slug}/social-posts/",
        {"channel": channel.pk, "text": "t", "scheduled_at": "2001-01-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 400 and "scheduled_at" in response.json()


def test_residents_cannot_post_and_see_only_published(api, consultation, resident, mastodon_fake):
    channel = channel_for(mastodon_fake)
    draft(channel, consultation=consultation)
    published = published_post(channel, consultation=consultation)
    published.metrics = {"reach": None, "views": None, "reactions": 7, "comments": 1, "shares": 2}
    published.save()
    url = f"/api/v1/consultations/{consultation.slug}/social-posts/"
    response = as_user(api, resident).post(url, {"channel": channel.pk, "text": "t"}, format="json")
    assert response.status_code == 403
    rows = api.get(url).json()["results"]
    assert [row["id"] for row in rows] == [published.pk]
    assert rows[0]["engagement"] == {
        "reach": None,
        "views": None,
        "reactions": 7,
        "comments": 1,
        "shares": 2,
    }


def test_post_list_query_count_is_constant(
    api, consultation, mastodon_fake, django_assert_max_num_queries
):
    channel = channel_for(mastodon_fake)
    planner = factories.PlannerFactory()
    as_user(api, planner)
    url = f"/api/v1/consultations/{consultation.slug}/social-posts/"
    draft(channel, consultation=consultation)
    with django_assert_max_num_queries(10) as few:
        api.get(url)
    for _ in range(5):
        draft(channel, consultation=consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(url).json()["results"]) == 6


# --- Approval ------------------------------------------------------------------------------------
def test_the_author_gets_a_403_with_the_reason(api, consultation, mastodon_fake):
    channel = channel_for(mastodon_fake)
    author = factories.PlannerFactory()
    post = draft(channel, consultation=consultation, author=author)
    response = as_user(api, author).post(f"/api/v1/social-posts/{post.pk}/approve/")
    assert response.status_code == 403
    assert "own post" in response.json()["detail"]
    assert not OutboxEntry.objects.exists()


def test_a_second_planner_approves_and_the_outbox_entry_exists(api, consultation, mastodon_fake):
    channel = channel_for(mastodon_fake)
    post = draft(channel, consultation=consultation)
    second = factories.PlannerFactory()
    response = as_user(api, second).post(f"/api/v1/social-posts/{post.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["state"] == PostState.APPROVED
    assert OutboxEntry.objects.get().post_id == post.pk
    again = api.post(f"/api/v1/social-posts/{post.pk}/approve/")
    assert again.status_code == 400


def test_residents_and_councillors_cannot_approve(
    api, consultation, resident, councillor, mastodon_fake
):
    post = draft(channel_for(mastodon_fake), consultation=consultation)
    assert (
        as_user(api, resident).post(f"/api/v1/social-posts/{post.pk}/approve/").status_code == 403
    )
    assert (
        as_user(api, councillor).post(f"/api/v1/social-posts/{post.pk}/approve/").status_code == 403
    )


def test_a_planner_limited_to_other_consultations_cannot_approve(api, consultation, mastodon_fake):
    post = draft(channel_for(mastodon_fake), consultation=consultation)
    outsider = factories.PlannerFactory(limited_to_assigned=True)
    assert (
        as_user(api, outsider).post(f"/api/v1/social-posts/{post.pk}/approve/").status_code == 403
    )
    assert SocialPost.objects.get().approved_by is None


# --- Crisis stop ---------------------------------------------------------------------------------
def test_crisis_stop_start_and_lift(api, planner, resident):
    url = "/api/v1/social/crisis-stop/"
    assert as_user(api, resident).post(url, {"reason": "x"}, format="json").status_code == 403
    as_user(api, planner)
    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    response = api.post(url, {"reason": "Storm over København"}, format="json")
    assert response.status_code == 201 and response.json()["active"]
    assert api.post(url, {"reason": "again"}, format="json").status_code == 400
    assert api.get(url).json()["reason"] == "Storm over København"
    assert api.delete(url).status_code == 200
    assert not CrisisStop.objects.active().exists()
    assert api.delete(url).status_code == 400
