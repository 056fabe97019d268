import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from consultations import survey
from consultations.models import DrawnAnswer
from tests import factories

from .survey_helpers import AREA, BOWTIE, LINE, POINT, answer, question, survey_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def consultation():
    return survey_consultation()


def _base(consultation) -> str:
    return f"/api/v1/consultations/{consultation.slug}/questions/"


def test_questions_are_listed_in_order(api, consultation):
    second = question(consultation, "area", prompt="Unsafe", position=2)
    first = question(consultation, "line", prompt="Route", position=1)
    body = api.get(_base(consultation)).json()
    assert [item["id"] for item in body] == [first.pk, second.pk]
    assert body[0]["kind"] == "line"


def test_a_resident_posts_an_answer_and_reads_it_back(api, consultation):
    asked = question(consultation, "line")
    resident = factories.UserFactory()
    api.force_authenticate(resident)
    response = api.post(
        f"{_base(consultation)}{asked.pk}/answers/",
        {"geometry": LINE, "comment": "Via the bridge"},
        format="json",
    )
    assert response.status_code == 201, response.content
    mine = api.get(f"{_base(consultation)}my-answers/").json()
    assert [item["comment"] for item in mine] == ["Via the bridge"]
    assert mine[0]["geometry"]["type"] == "LineString"
    assert api.delete(f"{_base(consultation)}my-answers/{mine[0]['id']}/").status_code == 204
    assert not DrawnAnswer.objects.exists()


@pytest.mark.parametrize(
    ("kind", "geometry", "reason"),
    [
        ("area", BOWTIE, "crosses itself"),
        ("line", POINT, "asks for a line"),
        ("line", "nonsense", "not valid GeoJSON"),
    ],
)
def test_a_bad_drawing_is_400_with_the_field_and_the_reason(
    api, consultation, kind, geometry, reason
):
    asked = question(consultation, kind)
    api.force_authenticate(factories.UserFactory())
    response = api.post(
        f"{_base(consultation)}{asked.pk}/answers/", {"geometry": geometry}, format="json"
    )
    assert response.status_code == 400
    assert reason in json.dumps(response.json()["geometry"])


def test_signed_out_and_blocked_people_may_not_post(api, consultation):
    from moderation.models import Block

    asked = question(consultation, "line")
    url = f"{_base(consultation)}{asked.pk}/answers/"
    assert api.post(url, {"geometry": LINE}, format="json").status_code in (401, 403)
    blocked = factories.UserFactory()
    Block.objects.create(
        user=blocked, reason="Flooding", created_by=factories.AdministratorFactory()
    )
    api.force_authenticate(blocked)
    response = api.post(url, {"geometry": LINE}, format="json")
    assert response.status_code == 403 and "blocked" in response.json()["detail"]


def test_the_public_feed_aggregates_and_names_nobody(api, consultation):
    points, lines, areas = (
        question(consultation, "point"),
        question(consultation, "line"),
        question(consultation, "area"),
    )
    author = factories.UserFactory(display_name="Karen Secretname", show_name_publicly=True)
    for _ in range(3):
        answer(points, geometry=POINT)
    answer(lines, author=author, comment="secret comment")
    answer(areas, geometry=AREA)
    hidden = answer(areas, geometry=AREA)
    survey.drawn_answer_set_hidden(
        actor=factories.PlannerFactory(), answer=hidden, hidden=True, reason="spam"
    )
    response = api.get(f"{_base(consultation)}answers.geojson")
    body = response.json()
    text = response.content.decode()
    assert response["Content-Type"].startswith("application/geo+json")
    clusters = [f for f in body["features"] if f["properties"]["kind"] == "cluster"]
    assert [c["properties"]["count"] for c in clusters] == [3]
    area_cells = [f for f in body["features"] if f["properties"]["question"] == areas.pk]
    assert area_cells and max(f["properties"]["count"] for f in area_cells) == 1  # hidden left out
    assert [f for f in body["features"] if f["properties"]["question"] == lines.pk]
    assert "Secretname" not in text and "secret comment" not in text and author.email not in text


def _points_counted(api, consultation) -> int:
    body = api.get(f"{_base(consultation)}answers.geojson").json()
    return sum(f["properties"]["count"] for f in body["features"] if f["properties"]["question"])


def test_the_kept_public_feed_follows_every_change(api, consultation):
    points = question(consultation, "point")
    first = answer(points, geometry=POINT)
    with CaptureQueriesContext(connection) as built:
        assert _points_counted(api, consultation) == 1
    with CaptureQueriesContext(connection) as kept:
        assert _points_counted(api, consultation) == 1
    # A kept aggregate reads only the consultation, not the questions and answers.
    assert not any("drawnanswer" in query["sql"] for query in kept.captured_queries)
    assert any("drawnanswer" in query["sql"] for query in built.captured_queries)
    second = answer(points, geometry=POINT)
    assert _points_counted(api, consultation) == 2
    planner = factories.PlannerFactory()
    survey.drawn_answer_set_hidden(actor=planner, answer=second, hidden=True, reason="spam")
    assert _points_counted(api, consultation) == 1
    survey.drawn_answer_delete(user=first.author, answer=first)
    assert _points_counted(api, consultation) == 0


def test_planners_get_single_answers_without_e_mail(api, consultation):
    author = factories.UserFactory()
    answer(question(consultation, "line"), author=author, comment="Dark path")
    url = f"{_base(consultation)}all-answers/"
    api.force_authenticate(factories.UserFactory())
    assert api.get(url).status_code == 403
    api.force_authenticate(factories.PlannerFactory())
    response = api.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["author"] == author.public_name
    assert author.email not in response.content.decode()


def test_planners_read_single_answers_a_page_at_a_time(api, consultation):
    asked = question(consultation, "point")
    for _ in range(3):
        answer(asked)
    api.force_authenticate(factories.PlannerFactory())
    first = api.get(f"{_base(consultation)}all-answers/?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == 3


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_answers(api, consultation):
    asked = [question(consultation, kind) for kind in ("point", "line", "area")]
    resident = factories.UserFactory()
    api.force_authenticate(factories.PlannerFactory())

    def add(count):
        for index in range(count):
            answer(asked[index % 3], author=resident if index < 2 else None)

    urls = [f"{_base(consultation)}{tail}" for tail in ("", "answers.geojson", "all-answers/")]
    add(2)
    few = [_count(api, url) for url in urls]
    add(18)
    assert [_count(api, url) for url in urls] == few


def test_the_schema_documents_the_survey(client):
    response = client.get("/api/schema/")
    assert b"/api/v1/consultations/{slug}/questions/{id}/answers/" in response.content
