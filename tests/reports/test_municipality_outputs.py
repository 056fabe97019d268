"""What a municipality publishes carries its own name, sender and address, also when a job,
not a request, makes it: briefings, e-mail notices and social post drafts."""

import io
import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from docx import Document
from PIL import ImageDraw

from civic import branding, tenancy
from civic.models import Municipality, MunicipalityHost
from ideas import services as idea_services
from ideas.models import Follow
from reports.models import ExportJob
from reports.tasks import run_export_job
from social import services as social_services
from social.models import Channel, SocialPost
from tests import factories
from tests.tenancy_helpers import SECOND_HOST, first_municipality, inside

pytestmark = pytest.mark.django_db

HARSTAD = "Harstad kommune"
COPENHAGEN = "Københavns Kommune"
HARSTAD_SENDER = "Harstad kommune <deltar@harstad.kommune.no>"
FIRST_PRIMARY = "deltag.kobenhavn.test"


@pytest.fixture
def two(harstad, settings):
    """Harstad with a sender of its own; Copenhagen named as the environment names it."""
    settings.MUNICIPALITY_NAME = COPENHAGEN
    settings.SITE_URL = "https://deltag.example.dk"
    Municipality.objects.filter(pk=harstad.pk).update(email_sender=HARSTAD_SENDER)
    first = first_municipality()
    Municipality.objects.filter(pk=first.pk).update(name=COPENHAGEN)
    # Copenhagen's address for links (Django's "testserver" still reaches it).
    MunicipalityHost.objects.filter(municipality=first).update(is_primary=False)
    MunicipalityHost.objects.create(host=FIRST_PRIMARY, municipality=first, is_primary=True)
    tenancy.forget()
    return harstad


@pytest.fixture
def harstad_consultation(two):
    with inside(two):
        consultation = factories.ConsultationFactory(
            title="Havnepromenaden", slug="havnepromenaden", language="nb"
        )
        factories.IdeaFactory(consultation=consultation, title="Badstue", support_count=3)
    return consultation


@pytest.fixture
def copenhagen_consultation(two):
    with inside(first_municipality()):
        consultation = factories.ConsultationFactory(
            title="Harbour baths", slug="harbour-baths", language="en"
        )
        factories.IdeaFactory(consultation=consultation, title="Sauna", support_count=2)
    return consultation


EACH_WITH_ITS_NAME = [
    ("harstad_consultation", HARSTAD, COPENHAGEN),
    ("copenhagen_consultation", COPENHAGEN, HARSTAD),
]


def _briefing_by_the_task(consultation, name: str) -> bytes:
    """The briefing as the export worker makes it: the Celery task, no request, nothing
    active."""
    assert tenancy.active_id() is None
    job = ExportJob.objects.create(consultation=consultation, name=name, variant="public")
    run_export_job.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        return handle.read()


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "\n".join(
        [paragraph.text for paragraph in document.paragraphs]
        + [document.core_properties.author or ""]
    )


@pytest.mark.parametrize(("which", "own", "other"), EACH_WITH_ITS_NAME)
def test_a_pdf_briefing_made_by_the_worker_names_its_municipality(
    request, which, own, other, tmp_path
):
    consultation = request.getfixturevalue(which)
    text = _pdf_text(_briefing_by_the_task(consultation, "summary.pdf"), tmp_path)
    assert own in " ".join(text.split())
    assert other not in text


@pytest.mark.parametrize(("which", "own", "other"), EACH_WITH_ITS_NAME)
def test_a_docx_briefing_made_by_the_worker_names_its_municipality(request, which, own, other):
    consultation = request.getfixturevalue(which)
    text = _docx_text(_briefing_by_the_task(consultation, "summary.docx"))
    assert own in text
    assert other not in text


def test_a_worker_leaves_nothing_active_behind(harstad_consultation):
    _briefing_by_the_task(harstad_consultation, "summary.docx")
    assert tenancy.active_id() is None


# --- Addresses -------------------------------------------------------------------------------


def test_site_url_is_the_municipalitys_primary_host(two, settings):
    settings.SITE_URL = "https://deltag.example.dk:8443"
    assert tenancy.site_url(two) == f"https://{SECOND_HOST}:8443"
    assert tenancy.site_url(two.pk) == f"https://{SECOND_HOST}:8443"
    with tenancy.activate(two):
        assert tenancy.site_url() == f"https://{SECOND_HOST}:8443"


def test_site_url_without_a_host_of_its_own_is_site_url(db, settings):
    settings.SITE_URL = "https://deltag.example.dk/"
    lonely = Municipality.objects.create(slug="lonely", name="Lonely kommune")
    tenancy.forget()
    assert tenancy.site_url(lonely) == "https://deltag.example.dk"
    # One municipality without hosts: SITE_URL, as before municipalities.
    assert tenancy.site_url(first_municipality()) == "https://deltag.example.dk"


# --- E-mail ----------------------------------------------------------------------------------


def _phase_starting_now(consultation):
    consultation.phases.all().delete()
    now = timezone.now()
    factories.PhaseFactory(
        consultation=consultation,
        name="Støtte",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(days=7),
    )


def test_a_notice_from_the_phase_job_comes_from_harstad_and_links_there(
    harstad_consultation, django_capture_on_commit_callbacks
):
    follower = factories.UserFactory(email="kari@example.no", language="nb")
    Follow.objects.create(user=follower, consultation=harstad_consultation)
    with inside(harstad_consultation.municipality):
        _phase_starting_now(harstad_consultation)
    assert tenancy.active_id() is None
    with django_capture_on_commit_callbacks(execute=True):
        assert idea_services.phase_changes_announce() == 1
    (message,) = mail.outbox
    assert message.from_email == HARSTAD_SENDER
    assert message.subject.startswith(f"[{HARSTAD}] "), message.subject
    assert f"https://{SECOND_HOST}/" in message.body
    assert f"https://{SECOND_HOST}{harstad_consultation.get_absolute_url()}" in message.body
    assert "deltag.example.dk" not in message.body
    assert HARSTAD in message.body and COPENHAGEN not in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<https://{SECOND_HOST}/")


def test_a_copenhagen_notice_keeps_the_default_sender(
    copenhagen_consultation, django_capture_on_commit_callbacks, settings
):
    follower = factories.UserFactory(email="anna@example.dk", language="en")
    Follow.objects.create(user=follower, consultation=copenhagen_consultation)
    with inside(first_municipality()):
        _phase_starting_now(copenhagen_consultation)
    with django_capture_on_commit_callbacks(execute=True):
        assert idea_services.phase_changes_announce() == 1
    (message,) = mail.outbox
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject.startswith(f"[{COPENHAGEN}] "), message.subject
    assert f"https://{FIRST_PRIMARY}/" in message.body and SECOND_HOST not in message.body
    assert COPENHAGEN in message.body and HARSTAD not in message.body


def test_the_daily_digest_is_sent_per_municipality(
    harstad_consultation, copenhagen_consultation, django_capture_on_commit_callbacks
):
    from civic import notifications
    from civic.models import NotificationFrequency

    person = factories.UserFactory(
        email="both@example.org", notification_frequency=NotificationFrequency.DAILY
    )
    for consultation in (harstad_consultation, copenhagen_consultation):
        with tenancy.activate_for(consultation):
            notifications.notify(
                recipient=person,
                kind="phase_change",
                subject=f"News about {consultation.title}",
                body="A new phase.",
                url=consultation.get_absolute_url(),
            )
    assert mail.outbox == []
    assert notifications.send_digests() == 2
    by_sender = {message.from_email: message for message in mail.outbox}
    harstads = by_sender[HARSTAD_SENDER]
    assert "Havnepromenaden" in harstads.body and "Harbour baths" not in harstads.body
    assert f"https://{SECOND_HOST}/" in harstads.body
    # Subject: whose notices, from whom (one person, two municipalities, two mails).
    assert harstads.subject.startswith(f"[{HARSTAD}] ") and COPENHAGEN not in harstads.subject
    (copenhagens,) = [m for m in mail.outbox if m is not harstads]
    assert copenhagens.subject.startswith(f"[{COPENHAGEN}] ")
    assert HARSTAD not in copenhagens.subject
    assert "Harbour baths" in copenhagens.body and SECOND_HOST not in copenhagens.body


# --- Social posts ----------------------------------------------------------------------------


def _channel(municipality, name):
    with inside(municipality):
        channel = Channel(platform="mastodon", name=name, base_url="https://mastodon.example")
        channel.credentials = {"access_token": "token"}
        channel.save()
    return channel


def test_drafts_from_the_job_carry_harstads_name_link_and_chart(
    harstad_consultation, copenhagen_consultation, monkeypatch
):
    harstad_channel = _channel(harstad_consultation.municipality, "Harstad på Mastodon")
    copenhagen_channel = _channel(first_municipality(), "København på Mastodon")
    for consultation in (harstad_consultation, copenhagen_consultation):
        consultation.results_published_at = timezone.now()
        consultation.save(update_fields=["results_published_at"])

    # What the charts write, and whose name is in effect while each is drawn.
    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        drawn.append(str(text))
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)

    assert tenancy.active_id() is None
    created = social_services.event_posts_draft_due()
    assert tenancy.active_id() is None

    harstads = [post for post in created if post.consultation_id == harstad_consultation.pk]
    copenhagens = [post for post in created if post.consultation_id == copenhagen_consultation.pk]
    # Each consultation is drafted for its own municipality's channel only.
    assert [post.channel_id for post in harstads] == [harstad_channel.pk]
    assert [post.channel_id for post in copenhagens] == [copenhagen_channel.pk]
    (post,) = harstads
    assert post.link.startswith(f"https://{SECOND_HOST}/")
    assert f"https://{SECOND_HOST}/" in post.text
    assert "deltag.example.dk" not in post.text
    (other,) = copenhagens
    assert other.link.startswith(f"https://{FIRST_PRIMARY}/")

    footers = [text for text in drawn if "·" in text]
    assert any(text.startswith(HARSTAD) for text in footers), footers
    assert any(text.startswith(COPENHAGEN) for text in footers), footers
    assert SocialPost._base_manager.count() == 2


def test_a_harstad_chart_names_harstad(harstad_consultation, monkeypatch):
    from social import charts

    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        drawn.append(str(text))
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    with tenancy.activate_for(harstad_consultation):
        assert branding.effective().name == HARSTAD
        charts.render(harstad_consultation, charts.leading_ideas(harstad_consultation))
    assert any(HARSTAD in text for text in drawn)
    assert not any(COPENHAGEN in text for text in drawn)


def test_account_mail_at_harstads_host_comes_from_harstad(two, client, settings):
    from tests.civic.test_signup import _sign_up

    _sign_up(client, "ola@example.no", HTTP_HOST=SECOND_HOST)
    (message,) = mail.outbox
    assert message.from_email == HARSTAD_SENDER
    assert message.subject.startswith(f"[{HARSTAD}] "), message.subject
    assert settings.SITE_NAME not in message.subject
    assert f"https://{SECOND_HOST}/accounts/confirm-email/" in message.body
    # The site it names is Harstad's address, not SITE_URL's.
    assert settings.SITE_URL.split("://")[-1] not in message.body
