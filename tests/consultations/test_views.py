from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation
from tests import factories

pytestmark = pytest.mark.django_db


def _timeline(consultation, *spans):
    now = timezone.now()
    for start, end in spans:
        factories.PhaseFactory(
            consultation=consultation,
            starts_at=now + timedelta(days=start),
            ends_at=now + timedelta(days=end),
        )
    return consultation


def test_draft_is_404_for_the_public_and_residents(client, resident):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(resident)
    assert client.get(url).status_code == 404
    assert client.get(reverse("consultations:edit", args=[draft.slug])).status_code == 404
    assert client.post(reverse("consultations:publish", args=[draft.slug])).status_code == 404
    assert draft.title not in client.get("/").content.decode()


def test_draft_is_shown_to_planners(client, planner):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT, title="Secret plan")
    client.force_login(planner)
    assert client.get(draft.get_absolute_url()).status_code == 200
    page = client.get("/").content.decode()
    assert "Drafts" in page and "Secret plan" in page


def test_limited_planner_does_not_see_others_drafts(client):
    limited = factories.PlannerFactory(limited_to_assigned=True)
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT, title="Not yours")
    client.force_login(limited)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Not yours" not in client.get("/").content.decode()


def test_list_sections(client):
    _timeline(factories.ConsultationFactory(title="Running", open_phase=False), (-1, 5))
    _timeline(factories.ConsultationFactory(title="Between", open_phase=False), (-10, -2), (3, 9))
    _timeline(factories.ConsultationFactory(title="Later", open_phase=False), (3, 9))
    _timeline(factories.ConsultationFactory(title="Done", open_phase=False), (-9, -3))
    factories.ConsultationFactory(title="Stopped", status=Consultation.Status.CLOSED)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    context = response.context
    assert {c.title for c in context["open_consultations"]} == {"Running", "Between"}
    assert [c.title for c in context["upcoming_consultations"]] == ["Later"]
    assert {c.title for c in context["closed_page"]} == {"Done", "Stopped"}
    assert context["draft_consultations"] is None
    assert "New consultation" not in response.content.decode()


def test_planner_sees_new_consultation_button(client, planner):
    client.force_login(planner)
    assert reverse("consultations:create") in client.get("/").content.decode()


def _list_queries(client, count):
    """Add `count` consultations, then count the list page's queries."""
    for _ in range(count):
        consultation = factories.ConsultationFactory()
        factories.PhaseFactory(
            consultation=consultation,
            starts_at=timezone.now() + timedelta(days=30),
            ends_at=timezone.now() + timedelta(days=40),
        )
        factories.CategoryFactory(consultation=consultation)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(client, planner):
    client.force_login(planner)
    with_3 = _list_queries(client, 3)
    with_15 = _list_queries(client, 12)
    assert with_3 == with_15
    assert with_15 <= 15


def test_detail_shows_timeline_with_current_phase(client):
    consultation = _timeline(
        factories.ConsultationFactory(open_phase=False, body="**Bold** <script>x()</script>"),
        (-10, -1),
        (-1, 5),
        (5, 9),
    )
    current = consultation.phases.all()[1]
    current.allows_ideas = current.allows_support = True
    current.name = "Ideas and support"
    current.save()
    response = client.get(consultation.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('aria-current="step"') == 1
    assert "You can submit ideas and support ideas until" in page
    assert "<strong>Bold</strong>" in page and "<script>x()" not in page
    assert response.context["now"] and response.context["consultation"] == consultation


def test_detail_query_count_does_not_grow_with_the_timeline(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(phases):
        consultation = factories.ConsultationFactory()
        for day in range(phases):
            factories.PhaseFactory(
                consultation=consultation,
                starts_at=timezone.now() + timedelta(days=50 + day),
                ends_at=timezone.now() + timedelta(days=51 + day),
            )
            factories.CategoryFactory(consultation=consultation)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(consultation.get_absolute_url()).status_code == 200
        return len(queries)

    assert count(1) == count(8)


def test_detail_open_graph_tags(client):
    consultation = factories.ConsultationFactory(title="Harbour <bath>", summary="Sum & more")
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Harbour &lt;bath&gt;">' in page
    assert '<meta property="og:description" content="Sum &amp; more">' in page
    assert f"/cards/consultation/{consultation.slug}.png" in page


def test_results_are_shown_once_published(client, planner):
    consultation = factories.ConsultationFactory(
        status=Consultation.Status.CLOSED,
        results="We **build** it",
        results_published_at=timezone.now(),
    )
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert 'id="results"' in page and "<strong>build</strong>" in page


def test_staff_tools_only_for_managers(client, planner, resident):
    consultation = factories.ConsultationFactory()
    edit = reverse("consultations:edit", args=[consultation.slug])
    assert edit not in client.get(consultation.get_absolute_url()).content.decode()
    client.force_login(resident)
    assert edit not in client.get(consultation.get_absolute_url()).content.decode()
    assert client.get(edit).status_code == 403
    client.force_login(planner)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert edit in page and reverse("consultations:close", args=[consultation.slug]) in page


def test_create_requires_login_and_role(client, resident):
    url = reverse("consultations:create")
    assert client.get(url).status_code == 302
    client.force_login(resident)
    assert client.get(url).status_code == 403


def test_publish_and_close_through_confirmation_pages(client, planner):
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    client.force_login(planner)
    publish = reverse("consultations:publish", args=[consultation.slug])
    assert b"Yes, publish" in client.get(publish).content
    consultation.refresh_from_db()
    assert consultation.status == "draft"  # GET only asks
    assert client.post(publish).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == "published"
    close = reverse("consultations:close", args=[consultation.slug])
    assert client.post(close, {"reason": "Done"}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == "closed"
    assert client.post(close).status_code == 403  # already closed
    results = reverse("consultations:results", args=[consultation.slug])
    assert client.post(results, {"results": ""}).status_code == 400
    assert client.post(results, {"results": "We build it."}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.results_published


def test_publish_without_phases_shows_the_reason(client, planner):
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT, open_phase=False)
    client.force_login(planner)
    response = client.post(reverse("consultations:publish", args=[consultation.slug]))
    assert response.status_code == 400
    assert "Add at least one phase" in response.content.decode()


def test_detail_template_places_every_slot_of_the_hub_once():
    from pathlib import Path

    import consultations
    from consultations.hub import SLOTS

    template = (
        Path(consultations.__file__).parent / "templates/consultations/consultation_detail.html"
    )
    lines = [line.strip() for line in template.read_text().splitlines()]
    for slot in SLOTS:
        assert sum(line.count("{{ sections." + slot + " }}") for line in lines) == 1


def test_open_graph_image_is_the_card_with_the_cover_description(client):
    from django.conf import settings
    from django.core.files.base import ContentFile

    from tests.consultations.images import png_bytes

    consultation = factories.ConsultationFactory(cover_alt="The quay at dusk")
    consultation.cover_image.save("cover.png", ContentFile(png_bytes()))
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="{settings.SITE_URL}/cards/consultation/' in page
    assert 'alt="The quay at dusk"' in page
    assert '<meta property="og:image:alt" content="Consultation' in page
    assert 'The quay at dusk">' in page


def test_a_draft_is_its_own_preview_until_published(client, planner):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT, title="Havnebad")
    client.force_login(planner)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Preview of a draft." in page
    assert reverse("consultations:publish", args=[draft.slug]) in page
    confirm = client.get(reverse("consultations:publish", args=[draft.slug])).content.decode()
    assert "Preview the consultation as residents will see it" in confirm
    client.post(reverse("consultations:publish", args=[draft.slug]))
    assert "Preview of a draft." not in client.get(draft.get_absolute_url()).content.decode()
