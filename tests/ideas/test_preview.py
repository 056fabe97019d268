"""Preview of an idea before it is sent: shown as it will look, nothing saved, rules told early."""

import pytest
from django.urls import reverse

from ideas.models import Idea
from tests.factories import OUTSIDE, CategoryFactory, IdeaFactory

from .factories import image_file
from .test_views import _form

pytestmark = pytest.mark.django_db


def _create_url(consultation):
    return reverse("ideas:create", args=[consultation.slug])


def test_preview_shows_the_idea_as_written_and_saves_nothing(client, resident, consultation):
    category = CategoryFactory(consultation=consultation, name="Havnefront")
    client.force_login(resident)
    response = client.post(
        _create_url(consultation),
        _form(
            preview="1",
            category=category.pk,
            description="Med **sand** under fødderne.\n\n<script>alert(1)</script>",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: this is how your idea will look" in html
    assert "<strong>sand</strong>" in html  # the description is rendered as on the idea page
    assert "<script>alert(1)</script>" not in html  # and cleaned the same way
    assert "Havnefront" in html
    assert "Papirøen" in html
    # The form keeps what was written, ready to send.
    assert 'value="Strandbar med sand under fødderne"' in html
    assert not Idea.objects.exists()


def test_preview_tells_about_a_pin_outside_the_area_before_sending(client, resident, consultation):
    client.force_login(resident)
    response = client.post(
        _create_url(consultation),
        _form(preview="1", latitude=OUTSIDE[1], longitude=OUTSIDE[0]),
    )
    html = response.content.decode()
    assert "outside the consultation" in html
    assert "Preview: this is how" not in html
    assert not Idea.objects.exists()


def test_preview_fragment_is_only_the_preview(client, resident, consultation):
    client.force_login(resident)
    response = client.post(_create_url(consultation), _form(preview="1", fragment="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="idea-preview')
    assert "<form" not in html

    refused = client.post(_create_url(consultation), _form(preview="1", fragment="1", title=""))
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()


def test_preview_without_script_says_the_photos_must_be_chosen_again(
    client, resident, consultation
):
    client.force_login(resident)
    response = client.post(
        _create_url(consultation),
        _form(
            preview="1",
            **{"photo0-photo": image_file(), "photo0-alt_text": "Sand og liggestole"},
        ),
    )
    assert "Choose them again" in response.content.decode()
    assert not Idea.objects.exists()


def test_sending_after_a_preview_publishes(client, resident, consultation):
    client.force_login(resident)
    client.post(_create_url(consultation), _form(preview="1"))
    response = client.post(_create_url(consultation), _form())
    assert response.status_code == 302
    assert Idea.objects.get().title == "Strandbar med sand under fødderne"


def test_preview_of_an_edit_changes_nothing(client, consultation):
    idea = IdeaFactory(consultation=consultation, title="Før")
    client.force_login(idea.author)
    url = reverse("ideas:edit", args=[idea.reference])
    response = client.post(url, _form(preview="1", title="Efter"))
    html = response.content.decode()
    assert "Preview: this is how your idea will look" in html
    assert "Efter" in html
    idea.refresh_from_db()
    assert idea.title == "Før"


def test_preview_needs_the_same_permission_as_sending(client, consultation):
    idea = IdeaFactory(consultation=consultation)
    stranger = IdeaFactory(consultation=consultation).author
    client.force_login(stranger)
    url = reverse("ideas:edit", args=[idea.reference])
    response = client.post(url, _form(preview="1", title="Overtaget"))
    assert response.status_code == 403
