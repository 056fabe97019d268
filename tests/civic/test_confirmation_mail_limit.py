"""Anonymous submissions cannot be used to mail someone else's address without end: confirmation
e-mails to one address are limited, whoever submits and from however many addresses."""

import time

import pytest
from django.core import mail, signing
from django.urls import reverse

from civic import ratelimit
from ideas.forms import FORM_STARTED_SALT
from ideas.models import Idea
from tests.factories import INSIDE


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _submit(client, email, ip):
    return client.post(
        reverse("ideas:create", args=[client.consultation.slug]),
        {
            "title": "Strandbar med sand under fødderne",
            "description": "Som i Berlin.",
            "latitude": INSIDE[1],
            "longitude": INSIDE[0],
            "address_label": "Papirøen",
            "email": email,
            "website": "",
            "started": signing.dumps(time.time() - 30, salt=FORM_STARTED_SALT),
        },
        REMOTE_ADDR=ip,
    )


def test_confirmation_mails_to_one_address_are_limited(
    client, consultation, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "confirmation_email": "3/d"}
    client.consultation = consultation
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            # A different address each time, and the address in other letters: the same target.
            target = "Victim@Example.org" if number % 2 else "victim@example.org"
            assert _submit(client, target, ip=f"192.0.2.{number}").status_code == 200
        response = _submit(client, "VICTIM@example.org", ip="198.51.100.4")
    assert response.status_code == 200
    assert "has received too many e-mails from us" in response.content.decode()
    assert len(mail.outbox) == 3
    assert Idea.objects.count() == 3

    # Someone else's address is not affected.
    with django_capture_on_commit_callbacks(execute=True):
        _submit(client, "other@example.org", ip="198.51.100.4")
    assert mail.outbox[-1].to == ["other@example.org"]


def test_check_key_keeps_no_address_in_the_cache(settings, monkeypatch):
    counted_keys = []
    counts = ratelimit._counts

    def recording_counts(keys, timeout):
        counted_keys.extend(keys)
        return counts(keys, timeout)

    monkeypatch.setattr(ratelimit, "_counts", recording_counts)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "confirmation_email": "1/h"}
    ratelimit.check_key("confirmation_email", "someone@example.org")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check_key("confirmation_email", "Someone@example.org ")
    assert len(set(counted_keys)) == 1
    assert not any("someone" in key or "example" in key for key in counted_keys)
