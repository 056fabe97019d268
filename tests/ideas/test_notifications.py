"""civic.notifications: immediate and digest mail, unsubscribe, settings; phase notices."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from civic.models import Notification
from civic.notifications import (
    KINDS,
    notify,
    read_unsubscribe_token,
    send_digests,
    unsubscribe_token,
)
from consultations.models import Phase
from ideas import services
from ideas.models import Follow, PhaseAnnouncement
from tests.factories import IdeaFactory, PhaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, kind="idea_answer", subject="Svar på din idé", body="Vi bygger den."):
    notify(recipient=user, kind=kind, subject=subject, body=body, url="/ideas/CPH-2026-00001/")


def test_immediate_mail_after_commit_with_unsubscribe_headers(
    resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(resident)
    assert not mail.outbox, "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert "Svar på din idé" in message.subject
    assert "Vi bygger den." in message.body
    assert "http://127.0.0.1:8000/ideas/CPH-2026-00001/" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/me/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert unsubscribe.strip("<>") in html


def test_nothing_is_sent_when_the_transaction_rolls_back(resident):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(resident)
        raise RuntimeError
    assert not mail.outbox


def test_unknown_kind_is_a_programming_error(resident):
    with pytest.raises(ValueError):
        _notify(resident, kind="spam")


def test_daily_digest_collects_and_sends_once(resident, django_capture_on_commit_callbacks):
    resident.notification_frequency = "daily"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        _notify(resident, subject="Første")
        _notify(resident, kind="phase_change", subject="Anden")
    assert not mail.outbox
    assert Notification.objects.filter(recipient=resident, sent_at__isnull=True).count() == 2
    assert send_digests() == 1
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Første" in body and "Anden" in body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    assert send_digests() == 0
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1


def test_one_click_unsubscribe_without_login(client, resident, django_capture_on_commit_callbacks):
    url = reverse("civic:unsubscribe", args=[unsubscribe_token(resident, "idea_answer")])
    page = client.get(url)
    assert page.status_code == 200
    assert not Notification.objects.filter(opted_out=True).exists(), "GET must not unsubscribe"
    # What a mail program sends for List-Unsubscribe-Post: no session, no CSRF token.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _notify(resident)
        _notify(resident, kind="idea_status", subject="Status")
    assert [m.subject for m in mail.outbox] == [f"[{settings.MUNICIPALITY_NAME}] Status"]


def test_forged_token_is_refused(client, resident):
    token = unsubscribe_token(resident, "idea_answer")
    assert read_unsubscribe_token(token) == (resident, "idea_answer")
    assert read_unsubscribe_token(token[:-2] + "xx") is None
    response = client.post(reverse("civic:unsubscribe", args=["not-a-token"]))
    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_unsubscribing_drops_queued_digest_items(resident):
    resident.notification_frequency = "daily"
    resident.save()
    _notify(resident)
    from civic.notifications import unsubscribe

    unsubscribe(recipient=resident, kind="all")
    assert send_digests() == 0
    assert not mail.outbox


def test_profile_notification_settings(client, resident, django_capture_on_commit_callbacks):
    client.force_login(resident)
    page = client.get(reverse("civic:profile")).content.decode()
    assert "notification_kinds" in page
    response = client.post(
        reverse("civic:profile"),
        {
            "display_name": "Mette",
            "phone": "",
            "notification_frequency": "daily",
            "notification_kinds": ["idea_answer", "phase_change"],
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.notification_frequency == "daily"
    opted_out = set(
        Notification.objects.filter(recipient=resident, opted_out=True).values_list(
            "kind", flat=True
        )
    )
    assert opted_out == set(KINDS) - {"idea_answer", "phase_change"}


def test_deleted_or_addressless_people_get_no_mail(django_capture_on_commit_callbacks):
    gone = UserFactory(is_deleted=True)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(gone)
    assert not mail.outbox


# --- Phase changes --------------------------------------------------------------------------------


def test_followers_are_told_once_when_a_phase_starts(
    consultation, django_capture_on_commit_callbacks
):
    follower = UserFactory()
    Follow.objects.create(user=follower, consultation=consultation)
    consultation.phases.all().delete()
    now = timezone.now()
    started = PhaseFactory(
        consultation=consultation,
        kind=Phase.Kind.SUPPORT,
        name="Støtte",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(days=7),
        allows_support=True,
    )
    PhaseFactory(
        consultation=consultation,
        kind=Phase.Kind.EVALUATION,
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=14),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phase_changes_announce() == 1
        assert services.phase_changes_announce() == 0
    assert len(mail.outbox) == 1
    assert "Støtte" in mail.outbox[0].subject
    assert PhaseAnnouncement.objects.get().phase == started
    later = now + timedelta(days=7, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.phase_changes_announce(now=later) == 1
    assert len(mail.outbox) == 2


def test_old_phases_are_not_announced(consultation):
    Follow.objects.create(user=UserFactory(), consultation=consultation)
    # The factory's phase started a week ago.
    assert services.phase_changes_announce() == 0
    call_command("notify_phase_changes", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not mail.outbox


def test_answer_notice_respects_digest_setting(consultation, planner):
    idea = IdeaFactory(consultation=consultation)
    idea.author.notification_frequency = "daily"
    idea.author.save()
    services.idea_answer(user=planner, idea=idea, status="accepted", answer="Ja")
    queued = Notification.objects.get(recipient=idea.author)
    assert queued.kind == "idea_answer"
    assert "Ja" in queued.body
