"""The OpenAPI schema matches what the API answers, for the answers a short fuzz run rarely
reaches: null reply targets and dates, blank links, file downloads, error answers."""

import pytest
import schemathesis
from django.utils import timezone
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civic.wsgi import application
from tests import factories
from tests.factories import api_key_for

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def schema(db, _keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    schema.raw_schema  # noqa: B018 - fetched now, inside the test's database access
    return schema


def _call_and_check(schema, path: str, method: str = "GET", headers=None, **parameters):
    case = schema[path][method].Case(**parameters)
    response = case.call(headers=headers or {})
    case.validate_response(response, checks=CHECKS)
    return response


def test_top_level_comment_has_a_null_reply_target(schema):
    from debate.models import Comment

    idea = factories.IdeaFactory()
    comment = Comment.objects.create(
        idea=idea, consultation=idea.consultation, author=idea.author, body="Yes"
    )
    response = _call_and_check(schema, "/api/v1/comments/{id}/", path_parameters={"id": comment.pk})
    assert response.json()["in_reply_to"] is None


def test_consultation_without_phases_has_null_dates(schema):
    consultation = factories.ConsultationFactory(open_phase=False)
    response = _call_and_check(
        schema, "/api/v1/consultations/{slug}/", path_parameters={"slug": consultation.slug}
    )
    assert response.json()["closes_at"] is None
    assert response.json()["opens_at"] is None


def test_social_post_without_a_link_has_an_empty_one(schema):
    from social.models import Channel, PostState, SocialPost

    consultation = factories.ConsultationFactory()
    channel = Channel.objects.create(platform="mastodon", name="Town")
    SocialPost.objects.create(
        consultation=consultation,
        channel=channel,
        text="Come and tell us",
        link="",
        state=PostState.PUBLISHED,
        published_at=timezone.now(),
    )
    response = _call_and_check(
        schema,
        "/api/v1/consultations/{slug}/social-posts/",
        path_parameters={"slug": consultation.slug},
    )
    assert [post["link"] for post in response.json()["results"]] == [""]


def test_errors_are_documented_with_their_status_and_media_type(schema):
    planner = factories.PlannerFactory()
    token = {"Authorization": f"Token {api_key_for(planner)}"}
    response = _call_and_check(
        schema, "/api/v1/ideas/{id}/", path_parameters={"id": 999_999}, headers=token
    )
    assert response.status_code == 404
    response = _call_and_check(
        schema,
        "/api/v1/consultations/{slug}/ideas.geojson",
        path_parameters={"slug": "nowhere"},
    )
    assert response.status_code == 404
    response = _call_and_check(
        schema, "/api/v1/geocode/reverse/", query={"lat": "1e400", "lon": "12"}
    )
    assert response.status_code == 400


def test_unknown_api_address_answers_json(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_every_export_media_type_is_documented(schema):
    from reports.formats import FORMATS

    for path in ("/api/v1/consultations/{slug}/exports/{name}", "/api/v1/export-jobs/{id}/file"):
        documented = schema[path]["GET"].definition.raw["responses"]["200"]["content"]
        for export in FORMATS.values():
            assert export.content_type.split(";")[0] in documented, (path, export.name)


def test_required_query_parameters_are_marked_required(schema):
    def required(path):
        parameters = schema[path]["GET"].definition.raw["parameters"]
        return {p["name"] for p in parameters if p["in"] == "query" and p.get("required")}

    assert required("/api/v1/consultations/{slug}/ideas/nearby/") == {"lat", "lon"}
    assert required("/api/v1/geocode/reverse/") == {"lat", "lon"}
    assert required("/api/v1/geocode/") == {"q"}
    queue = schema["/api/v1/moderation/queue/"]["GET"].definition.raw["parameters"]
    assert [p["name"] for p in queue] == ["consultation"]


def test_an_unsupported_body_media_type_is_documented(schema):
    planner = factories.PlannerFactory()
    token = {
        "Authorization": f"Token {api_key_for(planner)}",
        "Content-Type": "text/plain",
    }
    case = schema["/api/v1/reports/"]["POST"].Case(body="report", media_type="text/plain")
    response = case.call(headers=token)
    assert response.status_code == 415
    case.validate_response(response, checks=CHECKS)


def test_taking_back_a_follow_or_a_support_documents_its_200_answer(schema):
    idea = factories.IdeaFactory()
    resident = factories.UserFactory()
    token = {"Authorization": f"Token {api_key_for(resident)}"}
    for path in ("/api/v1/ideas/{id}/follow/", "/api/v1/ideas/{id}/support/"):
        schema[path]["POST"].Case(path_parameters={"id": idea.pk}).call(headers=token)
        response = _call_and_check(
            schema, path, "DELETE", headers=token, path_parameters={"id": idea.pk}
        )
        assert response.status_code == 200, path
