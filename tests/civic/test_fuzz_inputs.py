"""Hostile input that fuzzing found to end in a server error: each must answer 400 with the field
and the reason (or Django's 404 for a page beyond the last), on the API and the HTML pages."""

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.factories import api_key_for

HUGE = str(10**30)
BAD_PAGES = [HUGE, "-1", "abc", "1e400", str(-(10**30))]


def nested_json(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


@pytest.fixture
def world(db):
    consultation = factories.ConsultationFactory(slug="fuzz")
    idea = factories.IdeaFactory(consultation=consultation)
    topic = factories.TopicFactory(consultation=consultation)
    return {"consultation": consultation, "idea": idea, "topic": topic}


@pytest.fixture
def planner_api(db, world):
    planner = factories.PlannerFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(planner)}")
    return client


@pytest.fixture
def resident_api(db):
    resident = factories.UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(resident)}")
    return client


# --- NUL bytes -----------------------------------------------------------------------------------


def test_nul_in_api_search_is_400_with_the_field(client, world):
    response = client.get("/api/v1/consultations/fuzz/ideas/", {"search": "sauna\x00"})
    assert response.status_code == 400
    assert "search" in response.json()


def test_nul_in_html_search_is_400_with_the_reason(client, world):
    response = client.get("/ideas/c/fuzz/", {"q": "sauna\x00"})
    assert response.status_code == 400
    assert b"Null characters are not allowed" in response.content


def test_nul_in_other_query_parameters_is_not_a_server_error(client, world):
    for url, params in [
        (
            "/api/v1/consultations/fuzz/ideas/nearby/",
            {"lat": "55.6", "lon": "12.5", "title": "\x00"},
        ),
        ("/api/v1/geocode/", {"q": "Havn\x00"}),
        ("/api/v1/consultations/", {"state": "\x00"}),
        ("/api/v1/consultations/fuzz/ideas/", {"sort": "\x00", "status": "\x00"}),
    ]:
        assert client.get(url, params).status_code in (200, 400), url


# --- Page numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("page", BAD_PAGES)
def test_bad_page_numbers_on_api_lists_are_never_a_server_error(client, world, page):
    idea, topic = world["idea"], world["topic"]
    for url in [
        "/api/v1/consultations/",
        "/api/v1/consultations/fuzz/ideas/",
        "/api/v1/consultations/fuzz/social-posts/",
        f"/api/v1/ideas/{idea.pk}/comments/",
        f"/api/v1/topics/{topic.pk}/comments/",
    ]:
        for key in ("page", "page_size"):
            response = client.get(url, {key: page})
            assert response.status_code in (200, 400, 404), (url, key, response.status_code)


@pytest.mark.parametrize("page", BAD_PAGES)
def test_bad_page_numbers_on_comment_threads_are_400_with_the_field(client, world, page):
    response = client.get(f"/api/v1/topics/{world['topic'].pk}/comments/", {"page": page})
    assert response.status_code == 400
    assert "page" in response.json()


@pytest.mark.parametrize("page", BAD_PAGES)
def test_bad_page_numbers_on_html_lists_are_never_a_server_error(client, world, page):
    idea, topic = world["idea"], world["topic"]
    for url in [
        "/",
        "/ideas/c/fuzz/",
        f"/debate/topics/{topic.pk}/",
        f"/debate/ideas/{idea.pk}/comments/",
        f"/ideas/{idea.reference}/",
    ]:
        response = client.get(url, {"page": page})
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)


# --- Deeply nested JSON --------------------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_400_on_every_json_write(planner_api, world):
    idea, topic = world["idea"], world["topic"]
    body = '{"text": ' + nested_json(1000) + "}"
    for method, url in [
        ("post", "/api/v1/consultations/"),
        ("patch", "/api/v1/consultations/fuzz/"),
        ("post", "/api/v1/consultations/fuzz/ideas/"),
        ("post", f"/api/v1/ideas/{idea.pk}/comments/"),
        ("post", f"/api/v1/topics/{topic.pk}/comments/"),
        ("post", "/api/v1/reports/"),
        ("post", "/api/v1/moderation/actions/"),
    ]:
        response = getattr(planner_api, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert "nested" in response.json()["detail"], url


def test_json_within_the_depth_limit_is_still_parsed(planner_api, world):
    response = planner_api.post(
        f"/api/v1/topics/{world['topic'].pk}/comments/",
        '{"body": "Deep enough", "stance": "for", "extra": ' + nested_json(30) + "}",
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


def test_social_composer_check_refuses_deep_json(client, world):
    client.force_login(factories.PlannerFactory())
    response = client.post(
        "/social/check/", '{"channel": ' + nested_json(5000) + "}", content_type="application/json"
    )
    assert response.status_code == 400


# --- Areas and coordinates -----------------------------------------------------------------------


def test_area_nested_ten_thousand_deep_is_400_on_area(planner_api, world):
    deep = '{"area": {"type": "Polygon", "coordinates": ' + nested_json(10_000) + "}}"
    response = planner_api.patch(
        "/api/v1/consultations/fuzz/", deep, content_type="application/json"
    )
    assert response.status_code == 400
    as_text = {"area": '{"type": "Polygon", "coordinates": ' + nested_json(10_000) + "}"}
    response = planner_api.patch("/api/v1/consultations/fuzz/", as_text, format="json")
    assert response.status_code == 400
    assert "area" in response.json()


def test_area_nested_ten_thousand_deep_is_a_form_error_on_validate_area():
    from django.core.exceptions import ValidationError

    from maps.geometry import validate_area

    with pytest.raises(ValidationError) as caught:
        validate_area('{"type": "Polygon", "coordinates": ' + nested_json(10_000) + "}")
    assert "area" in caught.value.message_dict


def test_coordinate_beyond_float_is_400_on_location(resident_api, world):
    location = '{"type": "Point", "coordinates": [1e400, 55.67]}'
    body = '{"title": "Sauna", "description": "Warm", "location": ' + location + "}"
    response = resident_api.post(
        "/api/v1/consultations/fuzz/ideas/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "location" in response.json()


def test_coordinate_beyond_float_in_area_is_400_on_area(planner_api, world):
    ring = "[[12.5, 55.6], [1e400, 55.6], [12.6, 55.7], [12.5, 55.6]]"
    body = '{"area": {"type": "Polygon", "coordinates": [' + ring + "]}}"
    response = planner_api.patch(
        "/api/v1/consultations/fuzz/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "area" in response.json()


@pytest.mark.parametrize("value", ["1e400", "-1e400", "nan", "inf", "NaN", "Infinity"])
def test_coordinate_beyond_float_in_query_parameters_is_400(client, world, value):
    for url, params in [
        ("/api/v1/consultations/fuzz/ideas/nearby/", {"lat": value, "lon": "12.5"}),
        ("/api/v1/consultations/fuzz/ideas/nearby/", {"lat": "55.6", "lon": value}),
        ("/api/v1/geocode/reverse/", {"lat": value, "lon": "12.5"}),
        ("/api/v1/consultations/fuzz/ideas.geojson", {"bbox": f"{value},55,13,56"}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 400, (url, params, response.status_code)


def test_area_nested_deep_in_a_form_upload_is_400(planner_api, world):
    deep = '{"type": "Polygon", "coordinates": ' + nested_json(10_000) + "}"
    response = planner_api.patch("/api/v1/consultations/fuzz/", {"area": deep}, format="multipart")
    assert response.status_code == 400
    assert "nested too deeply" in str(response.json())


@pytest.mark.parametrize("value", ["²", "-3", HUGE, "1.5"])
def test_odd_category_ids_on_the_idea_list_are_400_with_the_field(client, world, value):
    response = client.get("/api/v1/consultations/fuzz/ideas/", {"category": value})
    assert response.status_code == 400
    assert "category" in response.json()


def test_html_area_nested_deep_is_a_form_error(client, world):
    client.force_login(factories.AdministratorFactory())
    deep = '{"type": "Polygon", "coordinates": ' + nested_json(10_000) + "}"
    response = client.post("/fuzz/edit/", {"title": "Harbour", "area": deep})
    assert response.status_code in (200, 400)
    assert b"nested too deeply" in response.content


def test_html_pin_beyond_float_is_a_form_error(client, world):
    client.force_login(factories.UserFactory())
    response = client.post(
        "/ideas/c/fuzz/new/",
        {"title": "Sauna", "description": "Warm", "latitude": "1e400", "longitude": "12.5"},
    )
    assert response.status_code in (200, 400)
    assert response.context["form"].errors.get("latitude")


@pytest.mark.parametrize("body", ["null", "5", '"text"', "[1, 2]"])
def test_comment_edit_with_a_body_that_is_no_object_is_400(planner_api, world, body):
    from debate.models import Comment

    idea = world["idea"]
    comment = Comment.objects.create(
        idea=idea, consultation=idea.consultation, author=idea.author, body="Yes"
    )
    response = planner_api.patch(
        f"/api/v1/comments/{comment.pk}/", body, content_type="application/json"
    )
    assert response.status_code in (400, 403), response.content


def test_nul_in_the_moderation_queue_filter_is_400(planner_api, world):
    response = planner_api.get("/api/v1/moderation/queue/", {"consultation": "fuzz\x00"})
    assert response.status_code == 400
    assert "consultation" in response.json()
