"""The communications desk over the REST API: the approval queue and sending back, the content
calendar and moving a post, the social media figures. The same selectors, services and
permission predicates as the pages; with a token and with the session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from social.models import OutboxEntry, PostState, SocialPost
from tests import factories
from tests.factories import api_key_for
from tests.social.factories import approved, channel_for, draft, published_post

pytestmark = pytest.mark.django_db
APPROVALS = "/api/v1/social/approvals/"
CALENDAR = "/api/v1/social/calendar/"
FIGURES = "/api/v1/social/figures/"


def send_back(pk: int) -> str:
    return f"/api/v1/social-posts/{pk}/send-back/"


def reschedule(pk: int) -> str:
    return f"/api/v1/social-posts/{pk}/reschedule/"


@pytest.fixture
def channel(mastodon_fake):
    return channel_for(mastodon_fake, name="Town")


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(slug="harbour", title="Harbour baths")


@pytest.fixture
def author(harbour):
    person = factories.PlannerFactory(display_name="Anna", show_name_publicly=True)
    harbour.planners.add(person)
    return person


@pytest.fixture
def second(harbour):
    person = factories.PlannerFactory(display_name="Bo", show_name_publicly=True)
    harbour.planners.add(person)
    return person


@pytest.fixture
def limited():
    """A planner limited to another consultation."""
    person = factories.PlannerFactory(limited_to_assigned=True)
    factories.ConsultationFactory(slug="park").planners.add(person)
    return person


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def _later(days: int = 2, hour: int = 10):
    local = timezone.localtime() + timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


# --- The approval queue ---------------------------------------------------------------------------
def test_approvals_list_what_waits_for_me_with_the_count(channel, harbour, author, second):
    first = draft(channel, consultation=harbour, author=author, text="Harbour bath: have your say")
    draft(channel, consultation=harbour, author=second, text="Bo's own")
    answer = _api(second).get(APPROVALS)
    assert answer.status_code == 200
    body = answer.json()
    assert body["waiting"] == body["count"] == 1
    assert [(p["id"], p["author"], p["consultation"]) for p in body["results"]] == [
        (first.pk, "Anna", "harbour")
    ]
    # The author sees the other one only: nobody approves their own.
    assert [p["text"] for p in _api(author).get(APPROVALS).json()["results"]] == ["Bo's own"]


def test_approvals_refuse_residents_and_limit_planners_of_other_consultations(
    channel, harbour, author, limited
):
    draft(channel, consultation=harbour, author=author)
    assert _api(factories.UserFactory()).get(APPROVALS).status_code == 403
    assert APIClient().get(APPROVALS).status_code in (401, 403)
    assert _api(limited).get(APPROVALS).json()["waiting"] == 0


def _queries(client, url, **params) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # session and caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_approvals_query_count_is_flat(channel, harbour, second, django_assert_num_queries):
    authors = [factories.PlannerFactory() for _ in range(3)]
    client = Client()
    client.force_login(second)
    for i in range(2):
        draft(channel, consultation=harbour, author=authors[i % 3], text=f"Post {i}")
    two = _queries(client, APPROVALS)
    for i in range(2, 20):
        draft(channel, consultation=harbour, author=authors[i % 3], text=f"Post {i}")
    with django_assert_num_queries(two):
        assert len(client.get(APPROVALS).json()["results"]) == 20


# --- Sending back -------------------------------------------------------------------------------
def test_send_back_with_a_note_by_session(channel, harbour, author, second):
    post = draft(channel, consultation=harbour, author=author)
    client = Client()
    client.force_login(second)
    answer = client.post(
        send_back(post.pk), {"note": "Say when the bath opens."}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == PostState.DRAFT
    post.refresh_from_db()
    assert (post.sent_back_note, post.sent_back_by) == ("Say when the bath opens.", second)
    # It waits no more: a second send-back is refused with the reason.
    again = client.post(send_back(post.pk), {"note": "x"}, content_type="application/json")
    assert again.status_code == 400 and "state" in again.json()


def test_send_back_refuses_an_empty_or_long_note(channel, harbour, author, second):
    from social.services import SEND_BACK_NOTE_MAX_LENGTH

    post = draft(channel, consultation=harbour, author=author)
    api = _api(second)
    for note in ("", "   "):
        answer = api.post(send_back(post.pk), {"note": note}, format="json")
        assert answer.status_code == 400
        assert answer.json() == {"note": ["Tell the author what to change."]}
    answer = api.post(
        send_back(post.pk), {"note": "x" * (SEND_BACK_NOTE_MAX_LENGTH + 1)}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["note"] == [f"At most {SEND_BACK_NOTE_MAX_LENGTH} characters, please."]
    assert api.post(send_back(post.pk), {}, format="json").status_code == 400
    post.refresh_from_db()
    assert post.state == PostState.AWAITING_APPROVAL


def test_send_back_permissions(channel, harbour, author, limited):
    post = draft(channel, consultation=harbour, author=author)
    note = {"note": "Shorter, please"}
    own = _api(author).post(send_back(post.pk), note, format="json")
    assert own.status_code == 403 and "second planner" in own.json()["detail"]
    assert (
        _api(factories.UserFactory()).post(send_back(post.pk), note, format="json").status_code
        == 403
    )
    assert _api(limited).post(send_back(post.pk), note, format="json").status_code == 403
    assert _api(author).post(send_back(999_999), note, format="json").status_code == 404
    post.refresh_from_db()
    assert post.state == PostState.AWAITING_APPROVAL


def test_send_back_reason_in_danish_and_norwegian(channel, harbour, author, second):
    post = draft(channel, consultation=harbour, author=author)
    api = _api(second)
    answers = {}
    for language in ("da", "nb"):
        with translation.override(language):
            answers[language] = api.post(
                send_back(post.pk), {"note": ""}, format="json", HTTP_ACCEPT_LANGUAGE=language
            ).json()["note"][0]
    assert answers["da"] != "Tell the author what to change."
    assert answers["nb"] != "Tell the author what to change."
    assert answers["da"] != answers["nb"]


# --- The calendar -------------------------------------------------------------------------------
def test_calendar_week_and_month_with_the_cadence(channel, harbour, author):
    post = approved(channel, consultation=harbour, text="Harbour bath opens")
    when = _later(days=1)
    SocialPost.objects.filter(pk=post.pk).update(scheduled_at=when)
    day = timezone.localtime(when).date()
    api = _api(author)
    body = api.get(CALENDAR, {"view": "week", "date": day.isoformat()}).json()
    assert body["period"]["view"] == "week" and len(body["days"]) == 7
    posts = {d["date"]: [p["id"] for p in d["posts"]] for d in body["days"]}
    assert posts[day.isoformat()] == [post.pk]
    shown = next(p for d in body["days"] for p in d["posts"])
    assert shown["movable"] is True and shown["consultation"] == "harbour"
    assert [(c["channel_name"], c["planned"], c["status"]) for c in body["cadence"]] == [
        ("Town", 1, "below")
    ]
    month = api.get(CALENDAR, {"view": "month", "date": day.isoformat()}).json()
    assert month["period"]["view"] == "month" and len(month["days"]) % 7 == 0
    assert month["cadence"][0]["low"] == 1 * len(
        [d for d in month["days"] if d["date"][:7] == day.isoformat()[:7]]
    )


def test_calendar_refuses_a_bad_date_or_view_with_the_reason(author):
    api = _api(author)
    answer = api.get(CALENDAR, {"date": "2026-13-40"})
    assert answer.status_code == 400 and answer.json() == {"date": ["Enter a date as YYYY-MM-DD."]}
    answer = api.get(CALENDAR, {"view": "year"})
    assert answer.status_code == 400 and list(answer.json()) == ["view"]


def test_calendar_permissions(channel, harbour, author, limited):
    post = approved(channel, consultation=harbour)
    assert _api(factories.UserFactory()).get(CALENDAR).status_code == 403
    mine = [p["id"] for d in _api(author).get(CALENDAR).json()["days"] for p in d["posts"]]
    theirs = [p["id"] for d in _api(limited).get(CALENDAR).json()["days"] for p in d["posts"]]
    assert post.pk in mine and post.pk not in theirs


def test_calendar_query_count_is_flat(channel, harbour, author, django_assert_num_queries):
    client = Client()
    client.force_login(author)

    def add(start, stop):
        for i in range(start, stop):
            SocialPost.objects.create(
                channel=channel,
                consultation=harbour,
                text=f"Post {i}",
                state=PostState.SCHEDULED,
                scheduled_at=timezone.now() + timedelta(minutes=10 + i),
                created_by=author,
            )

    add(0, 2)
    two = _queries(client, CALENDAR, view="month")
    add(2, 20)
    with django_assert_num_queries(two):
        body = client.get(CALENDAR, {"view": "month"}).json()
    assert sum(len(day["posts"]) for day in body["days"]) == 20


# --- Moving a post ------------------------------------------------------------------------------
def test_reschedule_moves_an_approved_post_by_token(channel, harbour, author):
    post = approved(channel, consultation=harbour)
    when = _later(days=3, hour=9)
    answer = _api(author).post(
        reschedule(post.pk), {"scheduled_at": when.isoformat()}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["state"] == PostState.SCHEDULED
    post.refresh_from_db()
    assert post.scheduled_at == when
    assert OutboxEntry.objects.get(post=post).not_before == when


def test_reschedule_by_session_needs_the_csrf_token(channel, harbour, author):
    post = approved(channel, consultation=harbour)
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    answer = client.post(
        reschedule(post.pk),
        {"scheduled_at": _later().isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 403
    post.refresh_from_db()
    assert post.scheduled_at is None


def test_reschedule_refuses_past_naive_bad_and_wrong_state(channel, harbour, author):
    api = _api(author)
    post = approved(channel, consultation=harbour)
    past = api.post(
        reschedule(post.pk),
        {"scheduled_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400
    assert past.json() == {"scheduled_at": ["Choose a time in the future."]}
    naive = api.post(reschedule(post.pk), {"scheduled_at": "2099-05-04T10:00:00"}, format="json")
    assert naive.status_code == 400 and "UTC offset" in naive.json()["scheduled_at"][0]
    for bad in ("tomorrow", "", None):
        answer = api.post(reschedule(post.pk), {"scheduled_at": bad}, format="json")
        assert answer.status_code == 400 and "scheduled_at" in answer.json()
    done = published_post(channel, consultation=harbour)
    answer = api.post(reschedule(done.pk), {"scheduled_at": _later().isoformat()}, format="json")
    assert answer.status_code == 400
    assert "can be moved" in answer.json()["scheduled_at"][0]


def test_reschedule_permissions(channel, harbour, author, limited):
    post = approved(channel, consultation=harbour)
    data = {"scheduled_at": _later().isoformat()}
    assert (
        _api(factories.UserFactory()).post(reschedule(post.pk), data, format="json").status_code
        == 403
    )
    assert _api(limited).post(reschedule(post.pk), data, format="json").status_code == 403
    assert _api(author).post(reschedule(999_999), data, format="json").status_code == 404
    post.refresh_from_db()
    assert post.scheduled_at is None


def test_new_reasons_are_translated(channel, harbour, author):
    post = approved(channel, consultation=harbour)
    api = _api(author)
    resident = _api(factories.UserFactory())
    naive, refusal = {}, {}
    for language in ("en", "da", "nb"):
        with translation.override(language):
            naive[language] = api.post(
                reschedule(post.pk),
                {"scheduled_at": "2099-05-04T10:00:00"},
                format="json",
                HTTP_ACCEPT_LANGUAGE=language,
            ).json()["scheduled_at"][0]
            refusal[language] = resident.get(CALENDAR, HTTP_ACCEPT_LANGUAGE=language).json()[
                "detail"
            ]
    assert refusal["en"] == "Only planners and administrators use the communications desk."
    assert len(set(naive.values())) == 3, naive
    assert len(set(refusal.values())) == 3, refusal


# --- The figures --------------------------------------------------------------------------------
def _published(channel, consultation, days_ago=0, **metrics):
    return SocialPost.objects.create(
        channel=channel,
        consultation=consultation,
        text="Harbour baths",
        state=PostState.PUBLISHED,
        remote_id=f"r{SocialPost.objects.count()}",
        published_at=timezone.now() - timedelta(days=days_ago),
        metrics=metrics,
    )


def test_figures_per_channel_and_week_as_the_page(channel, harbour, author):
    from reports.models import Referral

    _published(channel, harbour, reach=100, reactions=5, comments=2, shares=1)
    _published(channel, harbour, days_ago=8, reach=50, reactions=1)
    Referral.objects.create(
        consultation=harbour, source="mastodon", day=timezone.localdate(), visits=7
    )
    body = _api(author).get(FIGURES, {"weeks": 4, "consultation": "harbour"}).json()
    assert body["weeks"] == 4 and len(body["by_week"]) == 4
    assert body["total"]["posts"] == 2 and body["total"]["metrics"]["reach"] == 150
    assert body["total"]["engagement"] == 9 and body["total"]["arrivals"] == 7
    assert [(row["label"], row["posts"]) for row in body["by_channel"]] == [("Mastodon: Town", 2)]
    assert body["by_week"][-1]["posts"] == 1 and body["by_week"][-1]["arrivals"] == 7
    assert body["arrivals_by_platform"] == [{"platform": "Mastodon", "arrivals": 7}]


def test_figures_permissions_and_bad_filters(channel, harbour, limited):
    _published(channel, harbour, reach=100)
    assert _api(factories.UserFactory()).get(FIGURES).status_code == 403
    councillor = _api(factories.CouncillorFactory()).get(FIGURES).json()
    assert councillor["total"]["posts"] == 1
    # A planner limited to another consultation reads only that one's figures.
    assert _api(limited).get(FIGURES).json()["total"]["posts"] == 0
    answer = _api(limited).get(FIGURES, {"consultation": "harbour"})
    assert answer.status_code == 400 and list(answer.json()) == ["consultation"]
    answer = _api(limited).get(FIGURES, {"weeks": "7"})
    assert answer.status_code == 400 and list(answer.json()) == ["weeks"]


def test_figures_query_count_is_flat(channel, harbour, author, django_assert_num_queries):
    client = Client()
    client.force_login(author)
    for i in range(2):
        _published(channel, harbour, days_ago=i, reach=10)
    two = _queries(client, FIGURES)
    for i in range(2, 20):
        _published(channel, harbour, days_ago=i, reach=10)
    with django_assert_num_queries(two):
        assert client.get(FIGURES).json()["total"]["posts"] == 20
