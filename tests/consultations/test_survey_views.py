import json

import pytest
from django.urls import reverse

from consultations.models import DrawnAnswer, MapQuestion
from tests import factories

from .survey_helpers import AREA, LINE, answer, question, survey_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return survey_consultation()


def _page(consultation):
    return reverse("consultations:survey", args=[consultation.slug])


def _answer_url(question):
    return reverse("consultations:survey-answer", args=[question.consultation.slug, question.pk])


def test_a_planner_adds_edits_moves_and_removes_questions_through_the_pages(client, consultation):
    planner = factories.PlannerFactory()
    client.force_login(planner)
    url = reverse("consultations:map-questions", args=[consultation.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"question-prompt": "", "question-kind": "line", "question-max_answers": 2}
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = client.post(
        url,
        {"question-prompt": "Route to school", "question-kind": "line", "question-max_answers": 2},
    )
    assert response.status_code == 302
    client.post(
        url,
        {"question-prompt": "Unsafe places", "question-kind": "area", "question-max_answers": 3},
    )
    first, second = MapQuestion.objects.order_by("position")
    client.post(
        reverse("consultations:map-question-move", args=[consultation.slug, second.pk]),
        {"direction": "up"},
    )
    assert list(MapQuestion.objects.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    edit = reverse("consultations:map-question-edit", args=[consultation.slug, first.pk])
    client.post(edit, {"prompt": "Your route", "kind": "line", "max_answers": 2})
    first.refresh_from_db()
    assert first.prompt == "Your route"
    client.post(reverse("consultations:map-question-delete", args=[consultation.slug, second.pk]))
    assert list(MapQuestion.objects.all()) == [first]
    page = client.get(url).content.decode()
    assert "Your route" in page


def test_question_pages_are_for_map_surveys_and_their_planners(client, consultation):
    client.force_login(factories.UserFactory())
    assert (
        client.get(reverse("consultations:map-questions", args=[consultation.slug])).status_code
        == 403
    )
    client.force_login(factories.PlannerFactory())
    ideas = factories.ConsultationFactory()
    assert client.get(reverse("consultations:map-questions", args=[ideas.slug])).status_code == 403


def test_the_hub_shows_the_questions_and_leads_to_the_survey(client, consultation):
    question(consultation, "line", prompt="Your route to school")
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Your route to school" in page and _page(consultation) in page
    assert "Ideas on the map" not in page  # a map survey is answered by drawing, not pinning


def test_a_resident_sends_a_drawing_from_the_map(client, consultation):
    asked = question(consultation, "line")
    resident = factories.UserFactory()
    client.force_login(resident)
    assert client.get(_page(consultation)).status_code == 200
    response = client.post(
        _answer_url(asked),
        {
            "action": "send",
            f"q{asked.pk}-geometry": json.dumps(LINE),
            f"q{asked.pk}-comment": "Busy",
        },
    )
    assert response.status_code == 302
    drawn = DrawnAnswer.objects.get()
    assert drawn.author == resident and drawn.comment == "Busy"
    page = client.get(_page(consultation)).content.decode()
    assert "A line through 2 points" in page and "Busy" in page


def test_a_bad_drawing_is_a_readable_error_and_keeps_the_comment(client, consultation):
    asked = question(consultation, "line")
    client.force_login(factories.UserFactory())
    bad = {"type": "LineString", "coordinates": [[12.5960, 55.6797], [12.5683, 55.6761]]}
    response = client.post(
        _answer_url(asked),
        {
            "action": "send",
            f"q{asked.pk}-geometry": json.dumps(bad),
            f"q{asked.pk}-comment": "Keep me",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "leaves the consultation" in page and "Keep me" in page
    assert not DrawnAnswer.objects.exists()


def test_the_keyboard_form_builds_an_area_from_places_without_javascript(client, consultation):
    asked = question(consultation, "area")
    client.force_login(factories.UserFactory())
    url = _answer_url(asked)
    response = client.post(url, {"action": "search", f"q{asked.pk}-q": "Christiansholmsgade"})
    page = response.content.decode()
    assert response.status_code == 200 and "Christiansholmsgade 1, 1436" in page
    vertices = []
    for label, lon, lat in [
        ("Trangravsvej 2", 12.5941, 55.6803),
        ("Christiansholmsgade 9", 12.59656, 55.68042),
        ("Somewhere else", 12.5960, 55.6790),
    ]:
        response = client.post(url, {"vertex": vertices, "add": f"{lon},{lat}|{label}"})
        vertices.append(f"{lon:.7f},{lat:.7f}|{label}")
        assert f'value="{vertices[-1]}"' in response.content.decode()
    # a wrong place is removed again
    response = client.post(url, {"vertex": [*vertices, "12.6,55.7|Wrong"], "remove": "3"})
    assert "Wrong" not in response.content.decode()
    response = client.post(url, {"vertex": vertices, "action": "send"})
    assert response.status_code == 302
    drawn = DrawnAnswer.objects.get()
    assert json.loads(drawn.geometry)["type"] == "Polygon" and drawn.vertex_count == 3


def test_search_results_outside_the_area_are_not_offered(client, consultation):
    asked = question(consultation, "point")
    client.force_login(factories.UserFactory())
    page = client.post(
        _answer_url(asked), {"action": "search", f"q{asked.pk}-q": "Rådhuspladsen"}
    ).content.decode()
    assert "Rådhuspladsen 1" not in page


def test_a_resident_deletes_an_own_answer_only(client, consultation):
    drawn = answer(question(consultation, "line"))
    url = reverse("consultations:survey-answer-delete", args=[consultation.slug, drawn.pk])
    client.force_login(factories.UserFactory())
    assert client.post(url).status_code == 403
    client.force_login(drawn.author)
    assert client.post(url).status_code == 302
    assert not DrawnAnswer.objects.exists()


def test_signed_out_visitors_are_asked_to_sign_in(client, consultation):
    asked = question(consultation, "line")
    page = client.get(_page(consultation)).content.decode()
    assert "Sign in to answer" in page and "Send your answer" not in page
    response = client.post(_answer_url(asked), {"action": "send"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_planners_read_and_hide_single_answers(client, consultation):
    drawn = answer(question(consultation, "area"), geometry=AREA, comment="Dark underpass")
    client.force_login(factories.UserFactory())
    assert (
        client.get(reverse("consultations:drawn-answers", args=[consultation.slug])).status_code
        == 403
    )
    client.force_login(factories.PlannerFactory())
    page = client.get(
        reverse("consultations:drawn-answers", args=[consultation.slug])
    ).content.decode()
    assert (
        "Dark underpass" in page
        and drawn.author.public_name in page
        and drawn.author.email not in page
    )
    client.post(
        reverse("consultations:drawn-answer-hide", args=[consultation.slug, drawn.pk]),
        {"reason": "offensive"},
    )
    drawn.refresh_from_db()
    assert drawn.is_hidden and drawn.hidden_reason == "offensive"


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _add_answers(questions, count):
    for index in range(count):
        answer(questions[index % len(questions)], comment=f"Answer {index}")


def test_the_survey_and_answers_pages_do_not_query_per_row(client, consultation):
    asked = [
        question(consultation, "line"),
        question(consultation, "area"),
        question(consultation, "point"),
    ]
    resident = factories.UserFactory()
    for item in asked:
        answer(item, author=resident)
    _add_answers(asked, 2)
    client.force_login(factories.PlannerFactory())
    pages = [
        _page(consultation),
        reverse("consultations:drawn-answers", args=[consultation.slug]),
        reverse("consultations:map-questions", args=[consultation.slug]),
    ]
    few = [_queries(client, url) for url in pages]
    _add_answers(asked, 18)
    assert [_queries(client, url) for url in pages] == few
