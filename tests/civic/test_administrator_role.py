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
    """Save the person's change form in Django Administration, as an administrator does."""
    url = reverse("admin:civic_user_change", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or name == "password":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if hasattr(value, "isoformat"):  # the admin splits date and time in two inputs
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
            continue
        data[name] = value
    data["role"] = role
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
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


def test_administration_keeps_the_back_office_rules_for_roles(client, db):
    """Not one's own role, never the last administrator: in Django Administration as well."""
    head = factories.AdministratorFactory()
    client.force_login(head)
    url = reverse("admin:civic_user_change", args=[head.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in ("username", "email")}
    data.update(
        {
            "role": Role.RESIDENT,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": f"{head.date_joined:%Y-%m-%d}",
            "date_joined_1": f"{head.date_joined:%H:%M:%S}",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "You cannot change your own role" in response.content.decode()
    head.refresh_from_db()
    assert head.role == Role.ADMINISTRATOR

    from civic.services import role_change_refusal

    other = factories.AdministratorFactory()
    assert role_change_refusal(actor=other, user=head, role=Role.PLANNER) is None
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert "last administrator" in role_change_refusal(actor=other, user=head, role=Role.PLANNER)
