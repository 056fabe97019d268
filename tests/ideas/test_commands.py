import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ideas.models import Idea, Publication
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def test_purge_unconfirmed_ideas_command(consultation):
    stale = IdeaFactory(
        consultation=consultation,
        author=None,
        publication=Publication.PENDING_CONFIRMATION,
        pending_email="x@example.org",
        confirmation_expires_at=timezone.now() - timedelta(minutes=1),
    )
    kept = IdeaFactory(consultation=consultation)
    out = io.StringIO()
    call_command("purge_unconfirmed_ideas", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert list(Idea.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Idea.objects.filter(pk=stale.pk).exists()
