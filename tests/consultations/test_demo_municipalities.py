"""The demo: Københavns Kommune and Harstad kommune on one installation, each at its own
development host, with its own consultations and staff."""

import io

import pytest
from django.core.management import call_command

from civic import tenancy
from civic.models import Membership, Municipality, Role, User
from consultations.models import Consultation

pytestmark = pytest.mark.django_db


def test_two_municipalities_each_with_its_consultations_and_staff(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".localhost"]
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    kobenhavn = Municipality.objects.get(slug="kobenhavn")
    harstad = Municipality.objects.get(slug="harstad")
    assert (kobenhavn.name, kobenhavn.language) == ("Københavns Kommune", "da")
    assert (harstad.name, harstad.language, harstad.map_zoom) == ("Harstad kommune", "nb", 13)
    assert (harstad.map_center_lat, harstad.map_center_lon) == (68.798, 16.541)

    where = dict(Consultation.everywhere.values_list("slug", "municipality__slug"))
    assert where == {
        "christiansholm": "kobenhavn",
        "harstad-sentrumstunnel": "harstad",
        "harstad-skolevei": "harstad",
    }
    for municipality in (kobenhavn, harstad):
        roles = set(
            Membership.objects.filter(municipality=municipality).values_list("role", flat=True)
        )
        assert roles == {Role.ADMINISTRATOR, Role.PLANNER, Role.COUNCILLOR}
    planner2 = User.objects.get(email="planner2@demo.borgerdialog.dk")
    with tenancy.activate(harstad.pk):
        assert planner2.role == Role.PLANNER
    assert not Membership.objects.filter(user=planner2, municipality=kobenhavn).exists()
    printed = out.getvalue()
    assert "admin.harstad@demo.borgerdialog.dk" in printed
    assert "councillor.harstad@demo.borgerdialog.dk" in printed

    assert tenancy.for_host("harstad.localhost:8000").slug == "harstad"
    assert tenancy.for_host("kobenhavn.localhost").slug == "kobenhavn"
    page = client.get("/", HTTP_HOST="harstad.localhost:8000").content.decode()
    assert "sentrumstunnel" in page and "christiansholm" not in page
    page = client.get("/", HTTP_HOST="kobenhavn.localhost:8000").content.decode()
    assert "christiansholm" in page and "sentrumstunnel" not in page

    again = io.StringIO()
    call_command("load_demo", if_needed=True, stdout=again)
    assert "already loaded" in again.getvalue()
    assert Municipality.objects.count() == 2


def test_rundemo_prints_each_municipality_address(monkeypatch):
    from devsite.management.commands import rundemo

    monkeypatch.setattr(rundemo, "call_command", lambda *args, **kwargs: None)
    out = io.StringIO()
    command = rundemo.Command(stdout=out)
    command.handle(addrport="127.0.0.1:8000")
    printed = out.getvalue()
    assert "http://kobenhavn.localhost:8000/" in printed
    assert "http://harstad.localhost:8000/" in printed
