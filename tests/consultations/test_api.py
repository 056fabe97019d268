from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from civic.models import AuditEntry
from consultations.models import Consultation
from tests import factories

pytestmark = pytest.mark.django_db
LIST = "/api/v1/consultations/"


@pytest.fixture
def api():
    return APIClient()


def _payload(**overrides):
    now = timezone.now()
    data = {
        "title": "Harbour bath",
        "summary": "Where should the bath go?",
        "body": "Tell us <script>alert(1)</script> **more**.",
        "kind": "ideas",
        "language": "en",
        "hashtag": "#harbourbath",
        "reference_prefix": "BATH",
        "area": factories.CHRISTIANSHOLM_AREA,
        "phases": [
            {
                "kind": "ideas",
                "name": "Ideas",
                "starts_at": (now - timedelta(days=1)).isoformat(),
                "ends_at": (now + timedelta(days=9)).isoformat(),
                "allows_ideas": True,
                "allows_support": True,
            }
        ],
        "categories": [{"name": "Water", "colour": "#0b6e99"}],
    }
    data.update(overrides)
    return data


def test_list_hides_drafts_and_filters_by_state(api, planner):
    open_one = factories.ConsultationFactory(title="Open")
    upcoming = factories.ConsultationFactory(title="Upcoming", open_phase=False)
    factories.PhaseFactory(
        consultation=upcoming,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=9),
    )
    factories.ConsultationFactory(title="Closed", status=Consultation.Status.CLOSED)
    factories.ConsultationFactory(title="Draft", status=Consultation.Status.DRAFT)
    body = api.get(LIST).json()
    assert body["count"] == 3
    assert "Draft" not in {row["title"] for row in body["results"]}
    assert [r["title"] for r in api.get(LIST, {"state": "open"}).json()["results"]] == ["Open"]
    assert [r["title"] for r in api.get(LIST, {"state": "upcoming"}).json()["results"]] == [
        "Upcoming"
    ]
    assert [r["title"] for r in api.get(LIST, {"state": "closed"}).json()["results"]] == ["Closed"]
    row = next(r for r in body["results"] if r["slug"] == open_one.slug)
    assert row["state"] == "open" and row["current_phase"]["kind"] == "ideas"
    api.force_authenticate(planner)
    assert api.get(LIST).json()["count"] == 4


def test_list_bad_state_is_400(api):
    response = api.get(LIST, {"state": "soon"})
    assert response.status_code == 400
    assert "state" in response.json()


def test_list_is_paginated_with_constant_queries(api, django_assert_max_num_queries):
    for _ in range(30):
        factories.ConsultationFactory()
    with django_assert_max_num_queries(4):  # count, page, phases, categories
        body = api.get(LIST, {"page_size": 10}).json()
    assert body["count"] == 30 and len(body["results"]) == 10 and body["next"]


def test_detail(api, resident):
    consultation = factories.ConsultationFactory()
    factories.CategoryFactory(consultation=consultation, name="Water")
    body = api.get(f"{LIST}{consultation.slug}/").json()
    assert body["area"]["type"] == "Polygon"
    assert body["categories"][0]["name"] == "Water"
    assert body["phases"][0]["allows_ideas"] is True
    assert body["current_phase"]["id"] == body["phases"][0]["id"]
    assert body["allowed_actions"] == ["submit_idea"]
    api.force_authenticate(resident)
    assert api.get(f"{LIST}{consultation.slug}/").json()["allowed_actions"] == [
        "submit_idea",
        "support",
        "comment",
        "answer_poll",
    ]


def test_detail_allowed_actions_for_staff(api, planner, administrator):
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    api.force_authenticate(planner)
    actions = api.get(f"{LIST}{consultation.slug}/").json()["allowed_actions"]
    assert actions == ["edit", "publish", "assign_planners"]


def test_draft_detail_is_404_for_the_public(api, resident):
    draft = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    assert api.get(f"{LIST}{draft.slug}/").status_code == 404
    api.force_authenticate(resident)
    assert api.get(f"{LIST}{draft.slug}/").status_code == 404
    assert api.patch(f"{LIST}{draft.slug}/", {"title": "x"}, format="json").status_code == 404


def test_unpublished_results_stay_private(api):
    consultation = factories.ConsultationFactory(results="Secret draft")
    body = api.get(f"{LIST}{consultation.slug}/").json()
    assert body["results"] == "" and body["results_html"] == ""


def test_planner_creates_through_the_service(api, planner):
    api.force_authenticate(planner)
    response = api.post(LIST, _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "harbour-bath" and body["status"] == "draft"
    assert "<script>" not in body["body_html"] and "<strong>more</strong>" in body["body_html"]
    assert [p["name"] for p in body["phases"]] == ["Ideas"]
    assert AuditEntry.objects.filter(action="consultation.create").count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"hashtag": "no hash"}, "hashtag"),
        ({"reference_prefix": "bath"}, "reference_prefix"),
        ({"area": {"type": "Point", "coordinates": [12.5, 55.6]}}, "area"),
        ({"kind": "party"}, "kind"),
        ({"categories": [{"name": "Water", "colour": "blue"}]}, "categories"),
    ],
)
def test_create_bad_input_is_400_with_field(api, planner, overrides, field):
    api.force_authenticate(planner)
    response = api.post(LIST, _payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Consultation.objects.exists()


def test_create_overlapping_phases_is_400(api, planner):
    now = timezone.now()
    phases = [
        {
            "kind": "ideas",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=5)).isoformat(),
        },
        {
            "kind": "support",
            "starts_at": (now + timedelta(days=4)).isoformat(),
            "ends_at": (now + timedelta(days=8)).isoformat(),
        },
    ]
    api.force_authenticate(planner)
    response = api.post(LIST, _payload(phases=phases), format="json")
    assert response.status_code == 400
    assert "overlaps" in response.json()["phases"][0]


def test_create_slug_clash_is_400(api, planner):
    factories.ConsultationFactory(slug="harbour-bath")
    api.force_authenticate(planner)
    response = api.post(LIST, _payload(slug="harbour-bath"), format="json")
    assert response.status_code == 400
    assert "harbour-bath" in response.json()["slug"][0]


def test_create_is_403_for_residents_and_refused_to_visitors(api, resident):
    assert api.post(LIST, _payload(), format="json").status_code in (401, 403)
    api.force_authenticate(resident)
    response = api.post(LIST, {"title": ""}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not create consultations."


def test_patch(api, planner, resident):
    consultation = factories.ConsultationFactory()
    url = f"{LIST}{consultation.slug}/"
    api.force_authenticate(resident)
    assert api.patch(url, {"title": "Mine"}, format="json").status_code == 403
    api.force_authenticate(planner)
    response = api.patch(url, {"title": "Renamed", "support_limit": 3}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed" and response.json()["support_limit"] == 3
    assert consultation.phases.count() == 1  # untouched when not sent
    response = api.patch(url, {"hashtag": "#"}, format="json")
    assert response.status_code == 400 and "hashtag" in response.json()


def test_patch_by_limited_planner_of_another_consultation_is_403(api):
    limited = factories.PlannerFactory(limited_to_assigned=True)
    consultation = factories.ConsultationFactory()
    api.force_authenticate(limited)
    assert (
        api.patch(f"{LIST}{consultation.slug}/", {"title": "x"}, format="json").status_code == 403
    )


def test_status_endpoints(api, planner, resident):
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    base = f"{LIST}{consultation.slug}/"
    api.force_authenticate(planner)
    assert api.post(f"{base}close/").status_code == 400  # a draft cannot be closed
    assert api.post(f"{base}publish/").json()["status"] == "published"
    api.force_authenticate(resident)
    assert api.post(f"{base}close/").status_code == 403
    api.force_authenticate(planner)
    assert api.post(f"{base}close/", {"reason": "Done"}, format="json").json()["status"] == "closed"
    response = api.post(f"{base}results/", {"results": ""}, format="json")
    assert response.status_code == 400 and "results" in response.json()
    body = api.post(f"{base}results/", {"results": "We **build**"}, format="json").json()
    assert "<strong>build</strong>" in body["results_html"] and body["results_published_at"]


def test_schema_endpoint_answers(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/consultations/{slug}/" in response.content


def test_cover_image_by_multipart_patch(api, planner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.consultations.images import png_bytes

    consultation = factories.ConsultationFactory()
    url = f"{LIST}{consultation.slug}/"
    api.force_authenticate(planner)
    image = SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png")
    response = api.patch(url, {"cover_image": image}, format="multipart")
    assert response.status_code == 400 and "cover_alt" in response.json()
    image.seek(0)
    response = api.patch(url, {"cover_image": image, "cover_alt": "The quay"}, format="multipart")
    assert response.status_code == 200
    assert response.json()["cover_image"].startswith("http://testserver/")
    text = SimpleUploadedFile("cover.png", b"not an image", content_type="image/png")
    assert api.patch(url, {"cover_image": text}, format="multipart").status_code == 400
    response = api.patch(url, {"cover_image": None}, format="json")
    assert response.status_code == 200 and response.json()["cover_image"] is None
