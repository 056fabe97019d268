"""A form's `next` value sends the browser back only to a path on this site."""

import pytest
from django.urls import reverse

from civic.redirects import same_site_path
from tests import factories

HOSTILE = [
    "//evil.example",
    "//evil.example/moderation/",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
    "/\t/evil.example",
    " //evil.example",
    "evil.example",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_refused(value):
    assert same_site_path(value) is None


@pytest.mark.parametrize("value", ["/", "/moderation/?status=open&page=2", "/ideas/c/havn/#kort"])
def test_paths_on_this_site_pass(value):
    assert same_site_path(value) == value


def _post(client, url, target):
    return client.post(url, {"next": target})


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example/"])
def test_staff_forms_fall_back_instead_of_leaving_the_site(client, db, target):
    planner = factories.PlannerFactory()
    client.force_login(planner)
    queue = reverse("moderation:queue")

    # The moderation queue's bulk action (here without a chosen action).
    response = _post(client, reverse("moderation:act"), target)
    assert response.status_code == 302 and response.url == queue

    # Stopping social publishing in a crisis (here without a reason).
    response = _post(client, reverse("social:crisis_stop"), target)
    assert response.status_code == 302 and response.url == reverse("social:channels")

    # Following a consultation.
    consultation = factories.ConsultationFactory()
    response = _post(client, reverse("ideas:follow_consultation", args=[consultation.slug]), target)
    assert response.status_code == 302 and response.url == consultation.get_absolute_url()


def test_staff_forms_keep_a_path_on_this_site(client, db):
    client.force_login(factories.PlannerFactory())
    back = "/moderation/?status=open&page=2"
    assert _post(client, reverse("moderation:act"), back).url == back
    assert _post(client, reverse("social:crisis_stop"), back).url == back
