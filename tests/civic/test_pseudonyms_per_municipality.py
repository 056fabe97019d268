"""One account taking part in two municipalities appears under a different pseudonym in each,
so nobody can link its comment in Harstad to its comment in København; the first municipality
keeps the pseudonyms it has published, and every output of a municipality uses its own."""

import re

import pytest
from django.test import Client

from civic import tenancy
from civic.models import AuditEntry, Municipality
from civic.pseudonyms import DERIVED_LENGTH, code_here
from tests import factories
from tests.debate.factories import CommentFactory
from tests.tenancy_helpers import FIRST_HOST, SECOND_HOST, first_municipality, inside

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^[A-HJ-NP-Z2-9]+$")


@pytest.fixture
def person_in_both(harstad):
    """A resident with no public name who commented in both municipalities."""
    person = factories.UserFactory(email="anon@example.org", show_name_publicly=False)
    topics = {}
    for municipality, body in ((first_municipality(), "Havnebad"), (harstad, "Tunnel nei")):
        with inside(municipality):
            consultation = factories.ConsultationFactory(open_phase=True)
            topic = factories.TopicFactory(consultation=consultation)
            CommentFactory(topic=topic, author=person, body=body)
        topics[municipality.pk] = topic
    return person, topics


def test_each_municipality_shows_its_own_pseudonym(harstad, person_in_both):
    person, topics = person_in_both
    copenhagen = first_municipality()
    here = code_here(person.pseudonym_code, copenhagen)
    there = code_here(person.pseudonym_code, harstad)
    # The first municipality keeps the stored code; Harstad shows a derived one.
    assert here == person.pseudonym_code
    assert there != here and len(there) == DERIVED_LENGTH and CODE.match(there)
    pages = {
        FIRST_HOST: Client(HTTP_HOST=FIRST_HOST).get(topics[copenhagen.pk].get_absolute_url()),
        SECOND_HOST: Client(HTTP_HOST=SECOND_HOST).get(topics[harstad.pk].get_absolute_url()),
    }
    assert pages[FIRST_HOST].status_code == pages[SECOND_HOST].status_code == 200
    first, second = (pages[h].content.decode() for h in (FIRST_HOST, SECOND_HOST))
    assert here in first and there not in first
    assert there in second and here not in second
    # The API says the same.
    api = Client(HTTP_HOST=SECOND_HOST).get(f"/api/v1/topics/{topics[harstad.pk].pk}/comments/")
    assert there in api.content.decode() and here not in api.content.decode()


def test_a_derived_pseudonym_is_stable_and_differs_between_people(harstad):
    codes = {
        code_here(factories.UserFactory(consented=False).pseudonym_code, harstad) for _ in range(50)
    }
    assert len(codes) == 50
    person = factories.UserFactory(consented=False)
    with tenancy.activate(harstad.pk):
        assert person.pseudonym == person.pseudonym  # no randomness per call
        assert code_here(person.pseudonym_code) in str(person.pseudonym)


def test_a_chosen_public_name_is_the_same_everywhere(harstad):
    person = factories.UserFactory(display_name="Kari Nordmann", show_name_publicly=True)
    for municipality in (first_municipality(), harstad):
        with tenancy.activate(municipality.pk):
            assert person.public_name == "Kari Nordmann"


def test_the_audit_log_names_a_resident_as_the_pages_do(harstad):
    person = factories.UserFactory(consented=False)
    from civic.audit import audit_record

    with tenancy.activate(harstad.pk):
        audit_record(actor=person, action="idea.create", target=harstad)
        entry = AuditEntry.objects.get(action="idea.create")
    assert entry.actor_label == f"resident {code_here(person.pseudonym_code, harstad)}"
    assert person.pseudonym_code not in entry.actor_label


def test_a_new_municipality_gets_a_secret_and_the_first_has_none(harstad):
    assert first_municipality().pseudonym_key == ""
    assert len(harstad.pseudonym_key) >= 32
    other = Municipality.objects.create(slug="tromso", name="Tromsø kommune")
    assert other.pseudonym_key and other.pseudonym_key != harstad.pseudonym_key


def test_a_full_export_made_by_the_worker_names_authors_as_the_municipalitys_pages(harstad):
    from reports.models import ExportJob
    from reports.tasks import run_export_job

    person = factories.UserFactory(email="anon2@example.org", show_name_publicly=False)
    with inside(harstad):
        consultation = factories.ConsultationFactory(open_phase=True)
        topic = factories.TopicFactory(consultation=consultation)
        CommentFactory(topic=topic, author=person, body="Tunnel ja")
        administrator = factories.AdministratorFactory()
    assert tenancy.active_id() is None  # the worker activates the consultation's municipality
    job = ExportJob.objects.create(
        consultation=consultation, name="comments.csv", variant="full", requested_by=administrator
    )
    run_export_job.apply(args=[job.pk]).get()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    with job.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert code_here(person.pseudonym_code, harstad) in text
    assert person.pseudonym_code not in text and "anon2@example.org" not in text


def test_harstads_administrator_finds_a_resident_by_the_code_harstad_shows(
    harstad, person_in_both, client
):
    person, _topics = person_in_both
    with inside(harstad):
        administrator = factories.AdministratorFactory()
    client = Client(HTTP_HOST=SECOND_HOST)
    client.force_login(administrator)
    shown = code_here(person.pseudonym_code, harstad)
    found = client.get("/admin/civic/user/", {"q": shown.lower()})
    assert found.status_code == 200
    assert "anon@example.org" in found.content.decode()
    # Another resident's code finds nobody else.
    other = client.get("/admin/civic/user/", {"q": "ZZZZZZZZ"}).content.decode()
    assert "anon@example.org" not in other
