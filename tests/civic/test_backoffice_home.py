"""The back office's home and the header's link to it: each role sees the sections it may use."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

HOME = reverse("backoffice:home")

SECTIONS = {
    "administrator": {
        "Users and roles",
        "API tokens",
        "Audit log",
        "Answer templates",
        "Municipality settings",
    },
    "planner": {"API tokens", "Answer templates"},
    "councillor": {"API tokens", "Audit log"},
}
ALL = set().union(*SECTIONS.values())


@pytest.mark.parametrize("role", SECTIONS)
def test_each_role_sees_its_sections(client, role):
    client.force_login(factories.UserFactory(role=role))
    page = client.get(HOME).content.decode()
    shown = {title for title in ALL if f">{title}</a></h2>" in page}
    assert shown == SECTIONS[role]
    assert ("Open Django Administration" in page) == (role == "administrator")
    assert f'href="{HOME}"' in page  # the header's link


def test_residents_and_visitors_stay_out(client, resident):
    response = client.get(HOME)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(resident)
    assert client.get(HOME).status_code == 403
    assert "Back office" not in client.get("/").content.decode()


def test_the_header_no_longer_links_to_django_administration(client, administrator):
    client.force_login(administrator)
    page = client.get("/").content.decode()
    assert 'href="/admin/"' not in page and "Back office" in page


def test_staff_is_no_consultation_address():
    from consultations.services import RESERVED_SLUGS

    assert "staff" in RESERVED_SLUGS
