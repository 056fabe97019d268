"""A person accepts each municipality's terms before taking part there: at sign-up for the
municipality signed up at, and on a page of its own before the first contribution elsewhere."""

from allauth.account.models import EmailAddress
from django.test import Client

from civic.models import Consent, LegalPage, User
from tests import factories
from tests.civic.test_signup import _sign_up
from tests.tenancy_helpers import FIRST_HOST, SECOND_HOST, first_municipality, inside


def _open_idea(municipality):
    with inside(municipality):
        consultation = factories.ConsultationFactory(open_phase=True)
        return factories.IdeaFactory(consultation=consultation)


def test_sign_up_records_consent_to_the_municipality_signed_up_at_only(harstad, mailoutbox):
    with inside(harstad):
        LegalPage.objects.create(kind="terms", language="nb", body="Harstads vilkår")
    client = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="nb")
    response = _sign_up(client, "kari@example.no")
    assert response.status_code == 302
    person = User.objects.get(email="kari@example.no")
    (consent,) = Consent.objects.filter(user=person)
    assert consent.municipality_id == harstad.pk
    assert consent.terms_version == 2  # Harstad's own text, not the shipped default
    assert person.terms_version == 2


def test_taking_part_elsewhere_waits_for_that_municipalitys_terms(harstad):
    copenhagen = first_municipality()
    with inside(copenhagen):
        person = factories.UserFactory()  # accepted Copenhagen's terms at sign-up
    idea = _open_idea(harstad)
    client = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)

    page = client.get(f"/ideas/{idea.reference}/").content.decode()
    assert "To take part in Harstad kommune, accept its terms" in page

    support = f"/ideas/{idea.reference}/support/"
    response = client.post(support, HTTP_REFERER=f"http://{SECOND_HOST}/ideas/{idea.reference}/")
    assert response.status_code == 302 and response["Location"].startswith("/consent/?next=")
    api = client.post(f"/api/v1/ideas/{idea.pk}/support/")
    assert api.status_code == 403 and "Harstad kommune" in api.json()["detail"]
    assert not idea.supports.exists()

    consent_page = client.get(response["Location"])
    assert consent_page.status_code == 200
    refused = client.post("/consent/", {"next": f"/ideas/{idea.reference}/"})
    assert refused.status_code == 400 and "Accept the terms of use" in refused.content.decode()
    accepted = client.post("/consent/", {"accept_terms": "on", "next": f"/ideas/{idea.reference}/"})
    assert accepted.status_code == 302 and accepted["Location"] == f"/ideas/{idea.reference}/"
    assert Consent.objects.filter(user=person, municipality=harstad).exists()

    assert client.post(support).status_code == 302
    assert idea.supports.filter(user=person).exists()
    # Copenhagen's consent was there all along.
    home = Client(HTTP_HOST=FIRST_HOST)
    home.force_login(person)
    assert "accept its terms" not in home.get("/").content.decode()


def test_the_way_back_stays_on_the_site(harstad):
    with inside(first_municipality()):
        person = factories.UserFactory()
    client = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person)
    response = client.post("/consent/", {"accept_terms": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_staff_of_the_municipality_are_not_asked(harstad):
    with inside(harstad):
        planner = factories.PlannerFactory(consented=False)
    client = Client(HTTP_HOST=SECOND_HOST, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(planner)
    assert "accept its terms" not in client.get("/").content.decode()


def test_an_unverified_sign_up_elsewhere_is_no_consent_here(harstad, mailoutbox):
    client = Client(HTTP_HOST=FIRST_HOST)
    _sign_up(client, "ole@example.dk")
    person = User.objects.get(email="ole@example.dk")
    EmailAddress.objects.filter(user=person).update(verified=True)
    assert list(Consent.objects.filter(user=person).values_list("municipality", flat=True)) == [
        first_municipality().pk
    ]
