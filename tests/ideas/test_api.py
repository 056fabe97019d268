"""The REST API: the same rules as the pages, answered as 400 / 403 / 404 with reasons."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ideas.models import Idea, Publication, Support
from tests.factories import (
    INSIDE,
    OUTSIDE,
    CategoryFactory,
    IdeaFactory,
    PhaseFactory,
    PlannerFactory,
    UserFactory,
)

from .factories import image_file

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def point(lon=INSIDE[0], lat=INSIDE[1]):
    return {"type": "Point", "coordinates": [lon, lat]}


def ideas_url(consultation):
    return f"/api/v1/consultations/{consultation.slug}/ideas/"


def test_list_is_public_and_shows_geojson_locations(consultation):
    idea = IdeaFactory(consultation=consultation)
    IdeaFactory(consultation=consultation, is_hidden=True)
    response = client_for().get(ideas_url(consultation))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["location"] == {"type": "Point", "coordinates": [INSIDE[0], INSIDE[1]]}
    assert item["reference"] == idea.reference
    assert item["author_name"] == idea.author.public_name
    assert "email" not in json.dumps(body)
    assert idea.author.email not in json.dumps(body)


def test_list_filters_and_sorts(consultation):
    category = CategoryFactory(consultation=consultation)
    IdeaFactory(consultation=consultation, title="a", support_count=1)
    IdeaFactory(consultation=consultation, title="b", support_count=7, category=category)
    response = client_for().get(ideas_url(consultation), {"sort": "supported"})
    assert [i["title"] for i in response.json()["results"]] == ["b", "a"]
    response = client_for().get(ideas_url(consultation), {"category": category.pk})
    assert [i["title"] for i in response.json()["results"]] == ["b"]
    response = client_for().get(ideas_url(consultation), {"search": "a"})
    assert response.status_code == 200


def test_list_query_count_is_constant(consultation, django_assert_max_num_queries):
    viewer = UserFactory()
    IdeaFactory.create_batch(3, consultation=consultation)
    client = client_for(viewer)
    with django_assert_max_num_queries(8) as small:
        client.get(ideas_url(consultation))
    IdeaFactory.create_batch(20, consultation=consultation)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(ideas_url(consultation))
    assert response.json()["count"] == 23


def test_create_with_json(consultation, resident):
    category = CategoryFactory(consultation=consultation)
    response = client_for(resident).post(
        ideas_url(consultation),
        {
            "title": "Klatrevæg",
            "description": "En klatrevæg i den gamle hal.",
            "category": category.pk,
            "location": point(),
            "address_label": "Papirøen",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("CPH-")
    assert body["category"] == category.pk
    assert body["location"]["coordinates"] == [INSIDE[0], INSIDE[1]]


def test_create_with_photos_multipart(consultation, resident):
    response = client_for(resident).post(
        ideas_url(consultation),
        {
            "title": "Havnesauna",
            "description": "Sauna ved vandet.",
            "location": json.dumps(point()),
            "photos": [image_file(with_gps=True)],
            "photo_alt_texts": ["Sauna på en pram"],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["images"][0]["alt_text"] == "Sauna på en pram"


def test_anonymous_cannot_post(consultation):
    response = client_for().post(ideas_url(consultation), {}, format="json")
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"description": "x", "location": point()}, "title"),
        ({"title": "x", "location": point()}, "description"),
        ({"title": "x", "description": "y"}, "location"),
        ({"title": "x", "description": "y", "location": point(*OUTSIDE)}, "location"),
        ({"title": "x", "description": "y", "location": point(181, 55)}, "location"),
        ({"title": "x", "description": "y", "location": point(12.5, -91)}, "location"),
        ({"title": "x", "description": "y", "location": {"type": "Point"}}, "location"),
        ({"title": "x", "description": "y", "location": [12.59, 55.67]}, "location"),
        (
            {
                "title": "x",
                "description": "y",
                "location": {"type": "Point", "coordinates": ["a", 1]},
            },
            "location",
        ),
        ({"title": "x", "description": "y", "location": point(), "category": 999999}, "category"),
        ({"title": "x" * 141, "description": "y", "location": point()}, "title"),
    ],
)
def test_bad_input_is_400_with_the_field(consultation, resident, payload, field):
    response = client_for(resident).post(ideas_url(consultation), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Idea.objects.exists()


def test_nan_coordinates_are_400(consultation, resident):
    raw = (
        '{"title": "x", "description": "y", '
        '"location": {"type": "Point", "coordinates": [NaN, 55.6]}}'
    )
    response = client_for(resident).post(
        ideas_url(consultation), raw, content_type="application/json"
    )
    assert response.status_code == 400
    response = client_for(resident).post(
        ideas_url(consultation),
        {"title": "x", "description": "y", "location": '{"type":"Point","coordinates":[NaN,55.6]}'},
        format="multipart",
    )
    assert response.status_code == 400
    assert "location" in response.json()


def test_non_image_and_oversized_uploads_are_400(consultation, resident, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho pwned", content_type="image/jpeg")
    response = client_for(resident).post(
        ideas_url(consultation),
        {
            "title": "x",
            "description": "y",
            "location": json.dumps(point()),
            "photos": [fake],
            "photo_alt_texts": ["a photo"],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "photos" in response.json()
    settings.IDEA_IMAGE_MAX_BYTES = 10
    response = client_for(resident).post(
        ideas_url(consultation),
        {
            "title": "x",
            "description": "y",
            "location": json.dumps(point()),
            "photos": [image_file()],
            "photo_alt_texts": ["a photo"],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["photos"][0]


def test_photo_without_alt_text_is_400(consultation, resident):
    response = client_for(resident).post(
        ideas_url(consultation),
        {
            "title": "x",
            "description": "y",
            "location": json.dumps(point()),
            "photos": [image_file()],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "photo_alt_texts" in response.json()


def test_script_in_markdown_is_sanitised(consultation, resident):
    response = client_for(resident).post(
        ideas_url(consultation),
        {
            "title": "<script>alert(1)</script>Bad",
            "description": "**fed** <script>alert('x')</script> [klik](javascript:alert(1)) "
            "<img src=x onerror=alert(1)>",
            "location": point(),
        },
        format="json",
    )
    assert response.status_code == 201
    html = response.json()["description_html"]
    assert "<strong>fed</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    page = client_for().get(Idea.objects.get().get_absolute_url())
    content = page.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Bad" in content


def test_phase_closed_is_403_with_reason(consultation, resident):
    consultation.phases.all().delete()
    now = timezone.now()
    PhaseFactory(
        consultation=consultation,
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=1),
        allows_ideas=True,
        allows_support=True,
    )
    response = client_for(resident).post(
        ideas_url(consultation),
        {"title": "x", "description": "y", "location": point()},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "The idea phase has ended."
    idea = IdeaFactory(consultation=consultation)
    response = client_for(resident).post(f"/api/v1/ideas/{idea.pk}/support/")
    assert response.status_code == 403
    assert response.json()["detail"] == "The support phase has ended."


def test_hidden_and_unpublished_ideas_are_404_to_the_public(consultation):
    for idea in (
        IdeaFactory(consultation=consultation, is_hidden=True),
        IdeaFactory(consultation=consultation, publication=Publication.PENDING_MODERATION),
        IdeaFactory(consultation=consultation, publication=Publication.PENDING_CONFIRMATION),
        IdeaFactory(consultation=consultation, publication=Publication.WITHDRAWN),
    ):
        assert client_for().get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
        assert client_for(UserFactory()).get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
        assert (
            client_for(UserFactory()).post(f"/api/v1/ideas/{idea.pk}/support/").status_code == 404
        )


def test_author_and_planner_see_waiting_ideas(consultation, planner):
    idea = IdeaFactory(consultation=consultation, publication=Publication.PENDING_MODERATION)
    assert client_for(idea.author).get(f"/api/v1/ideas/{idea.pk}/").status_code == 200
    assert client_for(planner).get(f"/api/v1/ideas/{idea.pk}/").status_code == 200


def test_patch_and_delete_by_the_author(consultation, resident):
    idea = IdeaFactory(consultation=consultation, author=resident)
    url = f"/api/v1/ideas/{idea.pk}/"
    response = client_for(resident).patch(url, {"title": "Ny titel"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Ny titel"
    response = client_for(resident).patch(url, {"location": point(*OUTSIDE)}, format="json")
    assert response.status_code == 400
    assert client_for(UserFactory()).patch(url, {"title": "x"}, format="json").status_code == 403
    assert client_for(UserFactory()).delete(url).status_code == 403
    assert client_for(resident).delete(url).status_code == 204
    idea.refresh_from_db()
    assert idea.publication == Publication.WITHDRAWN


def test_patch_refused_once_supported(consultation, resident):
    idea = IdeaFactory(consultation=consultation, author=resident)
    client_for(UserFactory()).post(f"/api/v1/ideas/{idea.pk}/support/")
    response = client_for(resident).patch(
        f"/api/v1/ideas/{idea.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "supports" in response.json()["detail"]


def test_support_and_withdraw_support(consultation):
    consultation.support_limit = 5
    consultation.save()
    idea = IdeaFactory(consultation=consultation)
    supporter = UserFactory()
    url = f"/api/v1/ideas/{idea.pk}/support/"
    response = client_for(supporter).post(url)
    assert response.status_code == 201
    assert response.json() == {"support_count": 1, "viewer_supports": True, "supports_left": 4}
    response = client_for(supporter).post(url)
    assert response.status_code == 403
    assert response.json()["detail"] == "You already support this idea."
    response = client_for(supporter).delete(url)
    assert response.json() == {"support_count": 0, "viewer_supports": False, "supports_left": 5}
    assert client_for(idea.author).post(url).status_code == 403
    assert client_for().post(url).status_code in (401, 403)
    assert Support.objects.count() == 0


def test_status_by_planner_only(consultation):
    idea = IdeaFactory(consultation=consultation)
    url = f"/api/v1/ideas/{idea.pk}/status/"
    payload = {"status": "accepted", "answer": "Vi gør det."}
    assert client_for(UserFactory()).post(url, payload, format="json").status_code == 403
    response = client_for(PlannerFactory()).post(url, payload, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert response.json()["answer"] == "Vi gør det."
    bad = client_for(PlannerFactory()).post(url, {"status": "maybe"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    foreign = IdeaFactory()
    dup = client_for(PlannerFactory()).post(
        url, {"status": "duplicate", "answer": "x", "duplicate_of": foreign.pk}, format="json"
    )
    assert dup.status_code == 400 and "duplicate_of" in dup.json()


def test_follow_api(consultation, resident):
    idea = IdeaFactory(consultation=consultation)
    url = f"/api/v1/ideas/{idea.pk}/follow/"
    assert client_for(resident).post(url).json() == {"following": True}
    assert idea.follows.filter(user=resident).exists()
    assert client_for(resident).delete(url).json() == {"following": False}
    assert not idea.follows.exists()


def test_token_authentication(consultation, resident):
    from tests.factories import api_key_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(resident)}")
    response = client.post(
        ideas_url(consultation),
        {"title": "Roklub", "description": "Bådhus til roklubben.", "location": point()},
        format="json",
    )
    assert response.status_code == 201


def test_schema_is_valid(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/ideas/{id}/support/" in response.content


def test_supports_are_rate_limited(consultation, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support": "2/m"}
    supporter = UserFactory()
    ideas = IdeaFactory.create_batch(3, consultation=consultation)
    client = client_for(supporter)
    codes = [client.post(f"/api/v1/ideas/{i.pk}/support/").status_code for i in ideas]
    assert codes == [201, 201, 429]
    assert Support.objects.count() == 2
