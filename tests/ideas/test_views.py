"""The idea pages: thin checks that they render, call the services and show the rules."""

import time

import pytest
from django.core import mail, signing
from django.urls import reverse

from ideas.forms import FORM_STARTED_SALT
from ideas.models import Idea, Publication
from tests.factories import (
    INSIDE,
    OUTSIDE,
    CategoryFactory,
    IdeaFactory,
    SupportFactory,
    UserFactory,
)

from .factories import AnswerTemplateFactory, image_file

pytestmark = pytest.mark.django_db


def _form(**extra):
    data = {
        "title": "Strandbar med sand under fødderne",
        "description": "Som i Berlin.",
        "latitude": INSIDE[1],
        "longitude": INSIDE[0],
        "address_label": "Papirøen",
    }
    data.update(extra)
    return data


def test_list_page_and_hub_panel(client, consultation, django_assert_max_num_queries):
    IdeaFactory.create_batch(
        3, consultation=consultation, category=CategoryFactory(consultation=consultation)
    )
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("ideas:list", args=[consultation.slug]))
    assert response.status_code == 200
    IdeaFactory.create_batch(15, consultation=consultation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("ideas:list", args=[consultation.slug]))
    assert "18 ideas" in response.content.decode()
    hub = client.get(consultation.get_absolute_url())
    assert hub.status_code == 200
    assert 'id="ideas-heading"' in hub.content.decode()


def test_submit_form_has_the_location_inputs_and_slot(client, resident, consultation):
    client.force_login(resident)
    response = client.get(reverse("ideas:create", args=[consultation.slug]))
    html = response.content.decode()
    for element_id in ("id_title", "id_latitude", "id_longitude", "id_address_label"):
        assert f'id="{element_id}"' in html
    assert 'type="number"' in html
    assert "[slot:pin-picker]" not in html  # a template comment, not output


def test_submit_with_photo(client, resident, consultation):
    client.force_login(resident)
    response = client.post(
        reverse("ideas:create", args=[consultation.slug]),
        _form(
            **{"photo0-photo": image_file(with_gps=True), "photo0-alt_text": "Sand og liggestole"}
        ),
    )
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response.url == idea.get_absolute_url()
    page = client.get(idea.get_absolute_url()).content.decode()
    assert ">Sand og liggestole<" in page  # the caption describes the photo
    assert idea.author.public_name in page
    assert resident.email not in page


def test_submit_outside_the_area_shows_a_form_error(client, resident, consultation):
    client.force_login(resident)
    response = client.post(
        reverse("ideas:create", args=[consultation.slug]),
        _form(latitude=OUTSIDE[1], longitude=OUTSIDE[0]),
    )
    assert response.status_code == 200
    assert "outside the consultation" in response.content.decode()
    assert not Idea.objects.exists()


def test_photo_without_description_is_a_form_error(client, resident, consultation):
    client.force_login(resident)
    response = client.post(
        reverse("ideas:create", args=[consultation.slug]), _form(**{"photo0-photo": image_file()})
    )
    assert response.status_code == 200
    assert not Idea.objects.exists()


def _started(seconds_ago):
    return signing.dumps(time.time() - seconds_ago, salt=FORM_STARTED_SALT)


def test_anonymous_submission_sends_a_confirmation_link(
    client, consultation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ideas:create", args=[consultation.slug]),
            _form(email="ny@example.org", website="", started=_started(30)),
        )
    assert response.status_code == 200
    assert "ny@example.org" in response.content.decode()
    idea = Idea.objects.get()
    assert idea.publication == Publication.PENDING_CONFIRMATION
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/ideas/confirm/" in line)
    path = link[link.index("/ideas/confirm/") :].strip()
    response = client.get(path)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.publication == Publication.PUBLISHED
    # The new account is signed in.
    assert client.get(reverse("civic:profile")).status_code == 200
    assert client.get(path).status_code == 400


@pytest.mark.parametrize(
    "extra",
    [
        {"website": "http://spam.example", "started": None},
        {"website": "", "started": "now"},
        {"website": "", "started": "forged"},
    ],
)
def test_robot_traps(client, consultation, extra):
    started = {None: _started(30), "now": _started(0), "forged": "x"}[extra["started"]]
    response = client.post(
        reverse("ideas:create", args=[consultation.slug]),
        _form(email="bot@example.org", website=extra["website"], started=started),
    )
    assert response.status_code == 200
    assert not Idea.objects.exists()
    assert not mail.outbox


def test_detail_shows_answer_supports_and_history(client, consultation, planner):
    consultation.support_limit = 5
    consultation.save()
    idea = IdeaFactory(consultation=consultation)
    from ideas import services

    services.idea_answer(user=planner, idea=idea, status="accepted", answer="**Ja**, vi bygger.")
    supporter = UserFactory()
    client.force_login(supporter)
    response = client.post(reverse("ideas:support", args=[idea.reference]))
    assert response.status_code == 302
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Official answer from the municipality" in html
    assert "<strong>Ja</strong>, vi bygger." in html
    assert "You have 4 of 5 supports left." in html
    assert "Withdraw my support" in html
    assert "Status history" in html


def test_support_after_phase_is_403_with_reason(client, consultation):
    idea = IdeaFactory(consultation=consultation)
    consultation.phases.update(allows_support=False)
    client.force_login(UserFactory())
    response = client.post(reverse("ideas:support", args=[idea.reference]))
    assert response.status_code == 403


def test_author_sees_edit_until_supported(client, consultation):
    idea = IdeaFactory(consultation=consultation)
    client.force_login(idea.author)
    assert "Edit my idea" in client.get(idea.get_absolute_url()).content.decode()
    response = client.post(reverse("ideas:edit", args=[idea.reference]), _form(title="Ny titel"))
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Ny titel"
    SupportFactory(idea=idea)
    type(idea).objects.filter(pk=idea.pk).update(support_count=1)
    assert "Edit my idea" not in client.get(idea.get_absolute_url()).content.decode()
    assert client.get(reverse("ideas:edit", args=[idea.reference])).status_code == 403


def test_withdraw_page(client, consultation):
    idea = IdeaFactory(consultation=consultation)
    client.force_login(idea.author)
    assert client.post(reverse("ideas:withdraw", args=[idea.reference])).status_code == 302
    assert client.get(idea.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(idea.get_absolute_url()).status_code == 404


def test_planner_answer_form_and_template_prefill(client, consultation, planner):
    idea = IdeaFactory(consultation=consultation)
    template = AnswerTemplateFactory(
        consultation=consultation, body="Tak, vi ser på det.", status="under_review"
    )
    client.force_login(planner)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Answer officially" in html
    assert 'id="answer-templates"' in html
    response = client.post(
        reverse("ideas:answer", args=[idea.reference]),
        {"template": template.pk, "status": "submitted", "answer": "", "prefill": "1"},
    )
    assert response.status_code == 200
    assert "Tak, vi ser på det.</textarea>" in response.content.decode()
    response = client.post(
        reverse("ideas:answer", args=[idea.reference]),
        {"status": "under_review", "answer": "Tak, vi ser på det. Også på sauna."},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.answer == "Tak, vi ser på det. Også på sauna."


def test_resident_cannot_post_an_answer(client, consultation, resident):
    idea = IdeaFactory(consultation=consultation)
    client.force_login(resident)
    response = client.post(
        reverse("ideas:answer", args=[idea.reference]), {"status": "accepted", "answer": "x"}
    )
    assert response.status_code == 403
    assert "Answer officially" not in client.get(idea.get_absolute_url()).content.decode()


def test_answer_templates_page(client, consultation, planner, resident):
    url = reverse("ideas:answer_templates", args=[consultation.slug])
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(planner)
    response = client.post(url, {"title": "Afvist", "status": "rejected", "body": "Desværre."})
    assert response.status_code == 302
    template = consultation.answer_templates.get()
    client.post(url + f"?edit={template.pk}", {"title": "Afvist", "status": "", "body": "Nej."})
    template.refresh_from_db()
    assert template.body == "Nej."
    client.post(url, {"delete": template.pk})
    assert not consultation.answer_templates.exists()


def test_planner_enters_a_paper_submission(client, consultation, planner):
    client.force_login(planner)
    response = client.post(
        reverse("ideas:create", args=[consultation.slug]), _form(on_behalf_of="Ole (telefon)")
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.on_behalf_of == "Ole (telefon)" and idea.entered_by == planner
    assert (
        "Submitted on behalf of Ole (telefon)"
        in client.get(idea.get_absolute_url()).content.decode()
    )


def test_follow_buttons(client, consultation, resident):
    idea = IdeaFactory(consultation=consultation)
    client.force_login(resident)
    client.post(reverse("ideas:follow", args=[idea.reference]))
    assert idea.follows.filter(user=resident).exists()
    client.post(
        reverse("ideas:follow_consultation", args=[consultation.slug]),
        {"next": "//evil.example/"},
    )
    assert consultation.follows.filter(user=resident).exists()
    client.post(
        reverse("ideas:follow_consultation", args=[consultation.slug]), {"action": "unfollow"}
    )
    assert not consultation.follows.exists()


def test_submissions_are_rate_limited(client, resident, consultation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "idea_submit": "2/h"}
    client.force_login(resident)
    url = reverse("ideas:create", args=[consultation.slug])
    # Mistakes do not count against the limit.
    for _ in range(3):
        assert client.post(url, _form(title="")).status_code == 200
    assert client.post(url, _form(title="En")).status_code == 302
    assert client.post(url, _form(title="To")).status_code == 302
    assert client.post(url, _form(title="Tre")).status_code == 429
    assert Idea.objects.count() == 2


def test_planner_sees_and_approves_waiting_ideas(client, consultation, planner):
    idea = IdeaFactory(consultation=consultation, publication=Publication.PENDING_MODERATION)
    client.force_login(planner)
    listing = client.get(reverse("ideas:list", args=[consultation.slug])).content.decode()
    assert "1 idea waits for approval" in listing
    assert idea.reference in listing
    assert client.post(reverse("ideas:approve", args=[idea.reference])).status_code == 302
    idea.refresh_from_db()
    assert idea.is_public
    client.force_login(UserFactory())
    listing = client.get(reverse("ideas:list", args=[consultation.slug])).content.decode()
    assert "waits for approval" not in listing
