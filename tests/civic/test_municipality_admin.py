"""Django Administration for platform operators: the municipalities, and nothing else."""

from civic import tenancy
from civic.models import AuditEntry, Municipality, MunicipalityHost, User
from tests import factories
from tests.tenancy_helpers import SECOND_HOST, add_municipality, inside

MUNICIPALITIES = "/admin/civic/municipality/"


def _operator():
    person = factories.UserFactory(email="ops@example.org")
    User.objects.filter(pk=person.pk).update(is_operator=True)
    person.refresh_from_db()
    return person


def test_an_operator_sees_and_creates_municipalities(client, db):
    client.force_login(_operator())
    index = client.get("/admin/")
    assert index.status_code == 200
    assert MUNICIPALITIES in index.content.decode()
    assert client.get(MUNICIPALITIES).status_code == 200
    # Help texts are text: the sender example keeps its address (not read as an HTML tag).
    form = client.get(f"{MUNICIPALITIES}add/").content.decode()
    assert "Harstad kommune &lt;noreply@harstad.kommune.no&gt;" in form
    response = client.post(
        f"{MUNICIPALITIES}add/",
        {
            "slug": "tromso",
            "name": "Tromsø kommune",
            "language": "nb",
            "is_active": "on",
            "hosts-TOTAL_FORMS": "1",
            "hosts-INITIAL_FORMS": "0",
            "hosts-MIN_NUM_FORMS": "0",
            "hosts-MAX_NUM_FORMS": "1000",
            "hosts-0-host": "deltag.tromso.kommune.no",
            "hosts-0-is_primary": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    tromso = Municipality.objects.get(slug="tromso")
    assert MunicipalityHost.objects.get(municipality=tromso).host == "deltag.tromso.kommune.no"
    assert tenancy.for_host("deltag.tromso.kommune.no").slug == "tromso"  # forgotten, read again
    entry = AuditEntry.objects.get(action="municipality.create", object_id=str(tromso.pk))
    # Named as the operator who acted, not as a resident (the operator holds no role here).
    assert entry.actor_label == "ops@example.org (operator)"


def test_an_operator_sees_no_people_or_comments(client, db):
    client.force_login(_operator())
    index = client.get("/admin/").content.decode()
    assert "/admin/civic/user/" not in index
    for url in ["/admin/civic/user/", "/admin/debate/comment/", "/admin/civic/auditentry/"]:
        assert client.get(url).status_code == 403, url


def test_an_administrator_sees_no_municipalities(client, db, settings):
    harstad = add_municipality(settings)
    with inside(harstad):
        head = factories.AdministratorFactory()
    client.force_login(head)
    assert client.get("/admin/", HTTP_HOST=SECOND_HOST).status_code == 200
    assert client.get("/admin/civic/user/", HTTP_HOST=SECOND_HOST).status_code == 200
    assert client.get(MUNICIPALITIES, HTTP_HOST=SECOND_HOST).status_code == 403
    first = Municipality.objects.exclude(pk=harstad.pk).get()
    change = f"{MUNICIPALITIES}{first.pk}/change/"
    assert client.get(change, HTTP_HOST=SECOND_HOST).status_code == 403
    # At the other municipality's host, the superuser flag it got in Harstad opens nothing.
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/civic/user/").status_code == 302


def test_an_operator_administering_elsewhere_sees_no_people_here(client, db, settings):
    harstad = add_municipality(settings)
    with inside(harstad):
        person = factories.AdministratorFactory()
    User.objects.filter(pk=person.pk).update(is_operator=True)
    client.force_login(person)
    assert client.get("/admin/civic/user/").status_code == 403  # superuser, not here
    assert client.get(MUNICIPALITIES).status_code == 200
