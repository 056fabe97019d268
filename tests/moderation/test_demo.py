import io

import pytest
from django.core.management import call_command

from debate.models import Comment
from moderation.models import Appeal, Report

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_fills_the_queue(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    # Loading the demo sends nobody a moderation e-mail.
    assert not [m for m in mailoutbox if "moderator" in m.subject.lower()]
    reports = Report.objects.count()
    assert reports >= 5
    assert Report.objects.filter(consultation__slug="christiansholm").exists()
    hidden = Comment.objects.get(is_hidden=True, consultation__slug="harstad-sentrumstunnel")
    assert hidden.hidden_reason == "offensive"
    assert Appeal.objects.filter(comment=hidden, status="open").count() == 1
    call_command("load_demo", stdout=io.StringIO())
    assert Report.objects.count() == reports
    assert Appeal.objects.count() == 1
