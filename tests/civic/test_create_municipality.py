"""`manage.py create_municipality` and `manage.py grant_operator`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from civic import tenancy
from civic.models import AuditEntry, Membership, Municipality, Role, User
from tests import factories


def _run(*args, **options):
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_creates_the_municipality_with_its_hosts(db):
    output = _run(
        "create_municipality",
        "harstad",
        "--name",
        "Harstad kommune",
        "--language",
        "nb",
        "--host",
        "deltag.harstad.kommune.no",
        "--host",
        "Harstad.example.org",
        "--contact-email",
        "post@harstad.kommune.no",
    )
    harstad = Municipality.objects.get(slug="harstad")
    assert (harstad.name, harstad.language) == ("Harstad kommune", "nb")
    assert harstad.contact_email == "post@harstad.kommune.no"
    hosts = {row.host: row.is_primary for row in harstad.hosts.all()}
    assert hosts == {"deltag.harstad.kommune.no": True, "harstad.example.org": False}
    assert "https://deltag.harstad.kommune.no/" in output
    # The table of every worker is read again: the new host is served at once.
    assert tenancy.for_host("deltag.harstad.kommune.no").slug == "harstad"
    entry = AuditEntry.objects.get(action="municipality.create")
    assert entry.object_id == str(harstad.pk) and entry.actor is None


def test_an_existing_account_becomes_its_administrator(db):
    person = factories.UserFactory(email="kari@harstad.kommune.no")
    first = Municipality.objects.get()
    output = _run(
        "create_municipality", "harstad", "--name", "Harstad kommune",
        "--host", "harstad.test", "--admin-email", "Kari@harstad.kommune.no",
    )  # fmt: skip
    harstad = Municipality.objects.get(slug="harstad")
    membership = Membership.objects.get(user=person)
    assert (membership.municipality, membership.role) == (harstad, Role.ADMINISTRATOR)
    assert not Membership.objects.filter(user=person, municipality=first).exists()
    person.refresh_from_db()
    assert person.is_staff and person.check_password("pass-word-123")
    assert "existing account" in output
    assert User.objects.filter(email__iexact="kari@harstad.kommune.no").count() == 1


def test_a_new_administrator_gets_an_account_without_a_password(db):
    output = _run(
        "create_municipality", "harstad", "--name", "Harstad kommune",
        "--host", "harstad.test", "--admin-email", "ny@harstad.kommune.no",
    )  # fmt: skip
    person = User.objects.get(email="ny@harstad.kommune.no")
    assert not person.has_usable_password()
    with tenancy.activate(Municipality.objects.get(slug="harstad").pk):
        assert person.role == Role.ADMINISTRATOR
    assert "/accounts/password/reset/" in output


def test_a_taken_slug_or_host_is_refused(db):
    _run("create_municipality", "harstad", "--name", "Harstad", "--host", "harstad.test")
    with pytest.raises(CommandError, match="taken"):
        _run("create_municipality", "harstad", "--name", "Harstad igjen")
    with pytest.raises(CommandError, match="harstad.test already serves"):
        _run("create_municipality", "tromso", "--name", "Tromsø", "--host", "HARSTAD.test")
    assert not Municipality.objects.filter(slug="tromso").exists()
    with pytest.raises(CommandError, match="Not a short name"):
        _run("create_municipality", "bad slug", "--name", "X")


def test_grant_operator(db):
    person = factories.UserFactory(email="ops@example.org")
    _run("grant_operator", "OPS@example.org")
    person.refresh_from_db()
    assert person.is_operator
    assert AuditEntry.objects.filter(action="account.operator_grant").count() == 1
    _run("grant_operator", "ops@example.org", "--revoke")
    person.refresh_from_db()
    assert not person.is_operator
    with pytest.raises(CommandError):
        _run("grant_operator", "nobody@example.org")
