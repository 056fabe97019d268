"""The role is the one source of an administrator's powers: Django Administration, the superuser
flag and every administrator-only action follow it, in the admin and in the code."""

import pytest
from django.urls import reverse

from civic import permissions
from civic.models import Role, User
from tests import factories

CHANNELS = "/social/channels/"


def _may_connect_channels(client) -> bool:
    """Connecting a social channel is for administrators only; an empty form is answered with
    its errors (200) to them and refused (403) to anyone else."""
    status = client.post(CHANNELS, {}).status_code
    assert status in {200, 403}
    return status == 200


def _change_role(client, person, role):
    """Give the person a role in the back office, as an administrator does (roles are held
    per municipality and given there; Django Administration only shows them)."""
    url = reverse("backoffice:user_role", args=[person.pk])
    response = client.post(url, {"role": role})
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    return person


def test_promote_and_demote_through_administration(client, db):
    head = factories.AdministratorFactory()
    client.force_login(head)
    assert client.get("/admin/").status_code == 200  # an administrator by role alone

    person = factories.PlannerFactory()
    person = _change_role(client, person, Role.ADMINISTRATOR)
    assert person.is_staff and person.is_superuser
    assert person.is_administrator and permissions.is_administrator(person)
    client.force_login(person)
    assert client.get("/admin/").status_code == 200
    assert _may_connect_channels(client)

    client.force_login(head)
    person = _change_role(client, person, Role.RESIDENT)
    assert not person.is_staff and not person.is_superuser
    assert not person.is_administrator and not permissions.is_administrator(person)
    client.force_login(person)
    assert client.get("/admin/").status_code == 302  # to the admin log-in page
    assert not _may_connect_channels(client)


def test_a_superuser_demoted_in_code_loses_every_power(client, db):
    boss = User.objects.create_superuser(email="boss@example.org", password="pass-word-123")
    assert boss.role == Role.ADMINISTRATOR and boss.is_administrator
    boss.role = Role.PLANNER
    boss.save()
    boss.refresh_from_db()
    assert not boss.is_superuser and not boss.is_staff
    assert not boss.is_administrator and not permissions.is_administrator(boss)
    client.force_login(boss)
    assert client.get("/admin/").status_code == 302
    assert not _may_connect_channels(client)


def test_the_superuser_flag_alone_grants_nothing(client, db):
    person = factories.UserFactory()
    client.force_login(person)
    # Flags set behind the model's back (a bulk update, a database console).
    User.objects.filter(pk=person.pk).update(is_superuser=True, is_staff=True)
    person.refresh_from_db()
    assert not person.is_administrator and not permissions.is_administrator(person)
    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("admin:civic_user_changelist")).status_code == 302


@pytest.mark.parametrize("change", [{"is_active": False}, {"is_deleted": True}])
def test_an_inactive_or_deleted_administrator_is_no_administrator(db, change):
    person = factories.AdministratorFactory()
    for field, value in change.items():
        setattr(person, field, value)
    person.save()
    assert person.is_administrator == permissions.is_administrator(person) is False
    person.refresh_from_db()
    if change.get("is_deleted"):
        assert not person.is_staff and not person.is_superuser


def test_administration_shows_the_role_but_does_not_change_it(client, db):
    """Roles are given in the back office under its rules (not one's own, never the last
    administrator); Django Administration shows the role held here, read-only."""
    head = factories.AdministratorFactory()
    client.force_login(head)
    url = reverse("admin:civic_user_change", args=[head.pk])
    page = client.get(url)
    assert "role_here" not in page.context["adminform"].form.fields
    assert "Administrator" in page.content.decode()

    from civic.services import role_change_refusal

    assert "own role" in role_change_refusal(actor=head, user=head, role=Role.PLANNER)
    other = factories.AdministratorFactory()
    assert role_change_refusal(actor=other, user=head, role=Role.PLANNER) is None
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert "last administrator" in role_change_refusal(actor=other, user=head, role=Role.PLANNER)
