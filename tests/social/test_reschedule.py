"""Moving a post in the content calendar: the service (who, when, which posts, what happens to
an approval), the form that works without a script, and the JSON answer the drag and drop reads."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from civic.models import AuditEntry, Notification
from social import services
from social.models import OutboxState, PostState
from social.outbox import claim_next, run_due
from tests import factories
from tests.social.factories import channel_for, draft, entry_of

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(
        hours=hour, minutes=minute
    )


@pytest.fixture
def channel(mastodon_fake):
    return channel_for(mastodon_fake, name="Copenhagen on Mastodon")


@pytest.fixture
def harbour():
    return factories.ConsultationFactory(title="Harbour baths")


@pytest.fixture
def author(harbour):
    person = factories.PlannerFactory(display_name="Anna", show_name_publicly=True)
    harbour.planners.add(person)
    return person


@pytest.fixture
def approver(harbour):
    person = factories.PlannerFactory(display_name="Bo", show_name_publicly=True)
    harbour.planners.add(person)
    return person


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def scheduled(channel, harbour, author, approver, tomorrow):
    post = draft(channel, consultation=harbour, author=author, text="Harbour baths: meeting")
    services.post_schedule(actor=author, post=post, scheduled_at=_at(tomorrow, 9, 30))
    return services.post_approve(actor=approver, post=post)


# --- The service ---------------------------------------------------------------------------------
def test_moving_an_approved_post_keeps_the_approval_moves_the_outbox_and_tells_the_approver(
    scheduled, author, approver, tomorrow, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    later = _at(tomorrow + timedelta(days=2), 9, 30)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_reschedule(actor=author, post=scheduled, scheduled_at=later)
    post.refresh_from_db()
    assert post.scheduled_at == later and post.state == PostState.SCHEDULED
    assert post.approved_by == approver  # the approval stands
    assert entry_of(post).not_before == later
    entry = AuditEntry.objects.get(action="social.post_rescheduled", object_id=str(post.pk))
    assert entry.actor == author
    assert entry.changes["scheduled_at"] == [_at(tomorrow, 9, 30).isoformat(), later.isoformat()]
    notice = Notification.objects.get(kind="social_approval")
    assert notice.recipient == approver
    assert "Anna moved the post you approved" in notice.body
    assert timezone.localtime(later).strftime("%Y-%m-%d %H:%M") in notice.body
    # Nothing goes out at the old time, and it goes out at the new one.
    assert run_due(now=_at(tomorrow, 10)).published == []
    assert run_due(now=later + timedelta(minutes=1)).published == [post.pk]


def test_the_approver_moving_it_is_not_told_about_their_own_move(scheduled, approver, tomorrow):
    Notification.objects.all().delete()
    services.post_reschedule(actor=approver, post=scheduled, scheduled_at=_at(tomorrow, 18))
    assert not Notification.objects.exists()


def test_a_draft_can_be_moved_and_stays_a_draft(channel, harbour, author, tomorrow):
    post = draft(channel, consultation=harbour, author=author)
    post = services.post_reschedule(actor=author, post=post, scheduled_at=_at(tomorrow, 8))
    assert post.state == PostState.AWAITING_APPROVAL and post.scheduled_at == _at(tomorrow, 8)


@pytest.mark.parametrize("minutes", [-60, 0])
def test_a_time_in_the_past_is_refused(scheduled, author, minutes):
    with pytest.raises(ValidationError) as error:
        services.post_reschedule(
            actor=author,
            post=scheduled,
            scheduled_at=timezone.now() + timedelta(minutes=minutes),
        )
    assert error.value.message_dict == {"scheduled_at": ["Choose a time in the future."]}
    scheduled.refresh_from_db()
    assert entry_of(scheduled).not_before == scheduled.scheduled_at


def test_only_planners_of_the_consultation_may_move_it(scheduled, tomorrow):
    outsider = factories.PlannerFactory(limited_to_assigned=True)
    for person in (outsider, factories.UserFactory(), factories.CouncillorFactory()):
        with pytest.raises(PermissionDenied):
            services.post_reschedule(actor=person, post=scheduled, scheduled_at=_at(tomorrow, 18))
    assert not AuditEntry.objects.filter(action="social.post_rescheduled").exists()


def test_a_post_being_sent_cannot_be_moved(scheduled, author, tomorrow):
    claimed = claim_next(now=scheduled.scheduled_at + timedelta(seconds=1))
    assert claimed is not None and claimed.post_id == scheduled.pk
    with pytest.raises(ValidationError) as error:
        services.post_reschedule(actor=author, post=scheduled, scheduled_at=_at(tomorrow, 20))
    assert "not being sent or published" in str(error.value)
    assert entry_of(scheduled).state == OutboxState.IN_FLIGHT


def test_a_post_whose_outbox_entry_was_claimed_meanwhile_is_not_moved(scheduled, author, tomorrow):
    """The post row still says scheduled, but the outbox has tried it: the fence refuses."""
    from social.models import OutboxEntry

    OutboxEntry.objects.filter(post=scheduled).update(attempts=1, maybe_sent=True)
    with pytest.raises(ValidationError) as error:
        services.post_reschedule(actor=author, post=scheduled, scheduled_at=_at(tomorrow, 20))
    assert "can no longer be moved" in str(error.value)
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == _at(tomorrow, 9, 30)


def test_a_published_post_cannot_be_moved(scheduled, author, tomorrow):
    run_due(now=scheduled.scheduled_at + timedelta(seconds=1))
    scheduled.refresh_from_db()
    assert scheduled.state == PostState.PUBLISHED
    with pytest.raises(ValidationError):
        services.post_reschedule(actor=author, post=scheduled, scheduled_at=_at(tomorrow, 20))


# --- The form and the endpoint -------------------------------------------------------------------
def _url(post):
    return reverse("social:post_reschedule", args=[post.pk])


def test_the_form_shows_the_current_day_and_time(client, scheduled, approver, tomorrow):
    client.force_login(approver)
    response = client.get(_url(scheduled), {"view": "month", "date": tomorrow.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{tomorrow.isoformat()}"' in page and 'value="09:30"' in page
    assert 'type="date"' in page and 'type="time"' in page
    assert '<input type="hidden" name="view" value="month"' in page
    assert "The approval stands" in page


def test_the_form_moves_the_post_and_returns_to_the_period(client, scheduled, author, tomorrow):
    client.force_login(author)
    new_day = tomorrow + timedelta(days=3)
    response = client.post(
        _url(scheduled),
        {"date": new_day.isoformat(), "time": "14:15", "view": "month", "focus": tomorrow},
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('social:calendar')}?view=month&date={tomorrow.isoformat()}"
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == _at(new_day, 14, 15)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "", "time": "10:00"}, "Day: Choose a day."),
        ({"date": "tomorrow", "time": "10:00"}, "Day: Enter a date as YYYY-MM-DD."),
        ({"date": "2026-01-01", "time": "25:99"}, "Time: Enter a time as HH:MM."),
        ({"date": "2020-01-01", "time": "10:00"}, "Choose a time in the future."),
    ],
)
def test_bad_input_is_a_readable_form_error(client, scheduled, author, data, message):
    client.force_login(author)
    response = client.post(_url(scheduled), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    scheduled.refresh_from_db()
    assert entry_of(scheduled).not_before == scheduled.scheduled_at


def test_the_drag_and_drop_answer_is_json(client, scheduled, author, tomorrow):
    client.force_login(author)
    new_day = tomorrow + timedelta(days=1)
    response = client.post(
        _url(scheduled),
        {"date": new_day.isoformat(), "time": "09:30"},
        HTTP_ACCEPT="application/json",
    )
    answer = json.loads(response.content)
    assert response.status_code == 200
    assert answer["ok"] and answer["day"] == new_day.isoformat() and answer["time"] == "09:30"
    assert answer["state"] == "scheduled"


def test_a_refusal_is_json_with_the_reason_in_the_persons_language(client, scheduled, author):
    author.language = "da"
    author.save(update_fields=["language"])
    client.force_login(author)
    with translation.override("da"):
        response = client.post(
            _url(scheduled),
            {"date": "2020-01-01", "time": "10:00"},
            HTTP_ACCEPT="application/json",
            HTTP_ACCEPT_LANGUAGE="da",
        )
    assert response.status_code == 400
    answer = json.loads(response.content)
    assert answer["ok"] is False
    reason = _da("Choose a time in the future.")
    assert reason != "Choose a time in the future."
    assert answer["errors"]["scheduled_at"] == [reason]


def _da(text: str) -> str:
    with translation.override("da"):
        return translation.gettext(text)


def test_others_may_neither_see_nor_use_the_form(client, scheduled, tomorrow):
    for person in (factories.UserFactory(), factories.PlannerFactory(limited_to_assigned=True)):
        client.force_login(person)
        assert client.get(_url(scheduled)).status_code == 403
        response = client.post(_url(scheduled), {"date": tomorrow.isoformat(), "time": "11:00"})
        assert response.status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == _at(tomorrow, 9, 30)


def test_the_calendar_links_each_movable_post_to_its_form_and_marks_it_draggable(
    client, scheduled, approver, tomorrow
):
    client.force_login(approver)
    page = client.get(
        reverse("social:calendar"), {"view": "week", "date": tomorrow.isoformat()}
    ).content.decode()
    assert f'href="{_url(scheduled)}?view=week&amp;date={tomorrow.isoformat()}"' in page
    assert f'data-reschedule-url="{_url(scheduled)}"' in page and 'data-time="09:30"' in page
    assert f'data-day="{tomorrow.isoformat()}"' in page
    assert "social/calendar.js" in page


def test_a_mangled_return_address_is_ignored_not_an_error(client, scheduled, author, tomorrow):
    client.force_login(author)
    page = client.get(_url(scheduled), {"view": "year", "date": "3rd of May"}).content.decode()
    assert '<input type="hidden" name="view" id="id_view"' in page
    response = client.post(
        _url(scheduled),
        {"date": tomorrow.isoformat(), "time": "12:00", "view": "year", "focus": "nonsense"},
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('social:calendar')}?date={tomorrow.isoformat()}"
    scheduled.refresh_from_db()
    assert scheduled.scheduled_at == _at(tomorrow, 12)
