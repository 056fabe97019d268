import pytest
from rest_framework.test import APIClient

from moderation import services
from moderation.models import Report
from tests.factories import IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_report_once_then_400(api, resident, idea):
    api.force_authenticate(resident)
    body = {"target_type": "idea", "target_id": idea.pk, "reason": "spam"}
    first = api.post("/api/v1/reports/", body, format="json")
    assert first.status_code == 201 and first.json()["target_type"] == "idea"
    second = api.post("/api/v1/reports/", body, format="json")
    assert second.status_code == 400
    assert "already reported" in second.json()["target_id"][0]


def test_report_bad_input_is_400_with_field(api, resident, idea):
    api.force_authenticate(resident)
    response = api.post(
        "/api/v1/reports/", {"target_type": "poster", "target_id": idea.pk}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"target_type", "reason"}
    missing = api.post(
        "/api/v1/reports/",
        {"target_type": "comment", "target_id": 999999, "reason": "spam"},
        format="json",
    )
    assert missing.status_code == 400 and "target_id" in missing.json()


def test_report_needs_sign_in_and_blocked_gets_403_with_reason(api, resident, idea, planner):
    body = {"target_type": "idea", "target_id": idea.pk, "reason": "spam"}
    assert api.post("/api/v1/reports/", body, format="json").status_code in (401, 403)
    services.user_block(
        actor=planner, user=resident, consultation=idea.consultation, days=2, reason="Flooding"
    )
    api.force_authenticate(resident)
    response = api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 403 and "Flooding" in response.json()["detail"]


def test_report_rate_limit_is_429_with_message(api, settings, consultation):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "1/h"}
    api.force_authenticate(UserFactory())
    ideas = IdeaFactory.create_batch(2, consultation=consultation)
    codes = [
        api.post(
            "/api/v1/reports/",
            {"target_type": "idea", "target_id": each.pk, "reason": "spam"},
            format="json",
        )
        for each in ideas
    ]
    assert [c.status_code for c in codes] == [201, 429]
    assert "Try again in" in codes[1].json()["detail"]
    assert Report.objects.count() == 1


def test_queue_for_planners_only(api, planner, councillor, resident, other_planner, idea):
    services.report_create(reporter=resident, target=idea, reason="spam")
    api.force_authenticate(planner)
    rows = api.get("/api/v1/moderation/queue/").json()
    assert rows[0]["key"] == f"idea:{idea.pk}" and rows[0]["report_count"] == 1
    assert rows[0]["reasons"] == {"Spam or advertising": 1}
    assert "email" not in str(rows)
    api.force_authenticate(councillor)
    assert api.get("/api/v1/moderation/queue/").status_code == 200
    api.force_authenticate(resident)
    assert api.get("/api/v1/moderation/queue/").status_code == 403
    api.force_authenticate(other_planner)
    response = api.get(f"/api/v1/moderation/queue/?consultation={idea.consultation.slug}")
    assert response.status_code == 403
    assert api.get("/api/v1/moderation/queue/").json() == []


def test_actions_bulk_and_permissions(api, planner, resident, councillor, idea, comment):
    body = {
        "action": "hide",
        "items": [f"idea:{idea.pk}", f"comment:{comment.pk}"],
        "public_reason": "personal_data",
    }
    for person in (resident, councillor):
        api.force_authenticate(person)
        response = api.post("/api/v1/moderation/actions/", body, format="json")
        assert response.status_code == 403 and response.json()["detail"]
    api.force_authenticate(planner)
    response = api.post("/api/v1/moderation/actions/", body, format="json")
    assert response.status_code == 200
    assert response.json() == {"done": body["items"], "failed": {}}
    bad = api.post("/api/v1/moderation/actions/", {**body, "public_reason": ""}, format="json")
    assert bad.status_code == 400 and "public_reason" in bad.json()
    unknown = api.post("/api/v1/moderation/actions/", {**body, "action": "nuke"}, format="json")
    assert unknown.status_code == 400 and "action" in unknown.json()


def test_schema_lists_the_endpoints(api):
    schema = api.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/reports/",
        "/api/v1/moderation/queue/",
        "/api/v1/moderation/actions/",
        "/api/v1/moderation/appeals/",
    ):
        assert path in schema["paths"]


def test_author_appeals_through_the_api(api, planner, author, resident, comment):
    services.item_hide(actor=planner, target=comment, public_reason="offensive")
    body = {"target_type": "comment", "target_id": comment.pk, "text": "A quote."}
    api.force_authenticate(resident)
    assert api.post("/api/v1/moderation/appeals/", body, format="json").status_code == 403
    api.force_authenticate(author)
    created = api.post("/api/v1/moderation/appeals/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "open"
    again = api.post("/api/v1/moderation/appeals/", body, format="json")
    assert again.status_code == 400 and "target_id" in again.json()
    api.force_authenticate(planner)
    queue = api.get("/api/v1/moderation/queue/").json()
    assert queue[0]["appeals"] == ["A quote."]
