import json
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civic.models import AuditEntry
from consultations import survey
from consultations.models import Consultation, DrawnAnswer, MapQuestion
from moderation.models import Block
from tests import factories

from .survey_helpers import (
    AREA,
    BOWTIE,
    ESCAPING_LINE,
    LINE,
    POINT,
    answer,
    question,
    survey_consultation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return survey_consultation()


@pytest.fixture
def planner(consultation):
    return factories.PlannerFactory()


def test_a_planner_adds_changes_orders_and_removes_questions_with_audit(consultation, planner):
    first = survey.map_question_create(
        actor=planner,
        consultation=consultation,
        data={"prompt": "Your route to school", "kind": "line", "max_answers": 2},
    )
    second = survey.map_question_create(
        actor=planner, consultation=consultation, data={"prompt": "Where unsafe?", "kind": "area"}
    )
    survey.map_question_move(actor=planner, question=second, direction="up")
    assert list(consultation.map_questions.values_list("pk", flat=True)) == [second.pk, first.pk]
    survey.map_question_update(actor=planner, question=first, data={"prompt": "Route to school"})
    survey.map_question_delete(actor=planner, question=second)
    assert list(consultation.map_questions.all()) == [first]
    first.refresh_from_db()
    assert first.prompt == "Route to school"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "consultation.map_question_create",
        "consultation.map_question_move",
        "consultation.map_question_update",
        "consultation.map_question_delete",
    } <= actions


def test_questions_belong_to_map_surveys_and_their_managers_only(consultation, planner):
    ideas = factories.ConsultationFactory(kind=Consultation.Kind.IDEA_COMPETITION)
    with pytest.raises(PermissionDenied):
        survey.map_question_create(
            actor=planner, consultation=ideas, data={"prompt": "Draw", "kind": "line"}
        )
    with pytest.raises(PermissionDenied):
        survey.map_question_create(
            actor=factories.UserFactory(),
            consultation=consultation,
            data={"prompt": "Draw", "kind": "line"},
        )


def test_a_bad_kind_is_a_field_error(consultation, planner):
    with pytest.raises(ValidationError) as error:
        survey.map_question_create(
            actor=planner, consultation=consultation, data={"prompt": "Draw", "kind": "circle"}
        )
    assert "kind" in error.value.message_dict


def test_the_kind_of_an_answered_question_stays(consultation, planner):
    asked = question(consultation, "line")
    answer(asked)
    with pytest.raises(ValidationError) as error:
        survey.map_question_update(actor=planner, question=asked, data={"kind": "area"})
    assert "kind" in error.value.message_dict


@pytest.mark.parametrize("kind", ["point", "line", "area"])
def test_a_resident_draws_each_kind(consultation, kind):
    asked = question(consultation, kind)
    drawn = answer(asked, comment="  Busy   crossing ")
    assert drawn.comment == "Busy crossing"
    geometry = json.loads(drawn.geometry)
    assert geometry["type"] == {"point": "Point", "line": "LineString", "area": "Polygon"}[kind]
    assert AuditEntry.objects.filter(action="consultation.drawn_answer_submit").exists()


def test_an_area_is_closed_and_oriented_as_rfc_7946_asks(consultation):
    asked = question(consultation, "area")
    clockwise = {"type": "Polygon", "coordinates": [list(reversed(AREA["coordinates"][0]))]}
    geometry = json.loads(answer(asked, geometry=clockwise).geometry)
    ring = geometry["coordinates"][0]
    assert ring[0] == ring[-1]
    signed = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))
    assert signed > 0  # counterclockwise


@pytest.mark.parametrize(
    ("kind", "geometry", "words"),
    [
        ("line", POINT, "asks for a line, not Point"),
        ("area", LINE, "asks for an area, not LineString"),
        ("area", BOWTIE, "outline crosses itself"),
        ("line", ESCAPING_LINE, "leaves the consultation's area"),
        (
            "line",
            {"type": "LineString", "coordinates": [[12.594, 55.679], [12.594, 55.679]]},
            "two different points",
        ),
        (
            "line",
            {"type": "LineString", "coordinates": [[12.594, 95.0], [12.595, 55.679]]},
            "latitude",
        ),
        (
            "line",
            {"type": "LineString", "coordinates": [[12.594, True], [12.595, 55.679]]},
            "malformed",
        ),
        ("line", "{not json", "not valid GeoJSON"),
        ("point", None, "Draw your answer"),
    ],
)
def test_bad_drawings_are_refused_on_the_geometry_field_with_the_reason(
    consultation, kind, geometry, words
):
    asked = question(consultation, kind)
    with pytest.raises(ValidationError) as error:
        answer(asked, geometry=geometry)
    assert words in " ".join(error.value.message_dict["geometry"])
    assert not DrawnAnswer.objects.exists()


def test_infinite_coordinates_are_refused(consultation):
    asked = question(consultation, "line")
    with pytest.raises(ValidationError) as error:
        answer(
            asked, geometry={"type": "LineString", "coordinates": [[math.inf, 55.6], [12.5, 55.6]]}
        )
    assert "finite" in " ".join(error.value.message_dict["geometry"])


def test_too_many_vertices_are_refused(consultation, settings):
    settings.SURVEY_MAX_VERTICES = 5
    asked = question(consultation, "line")
    coordinates = [[12.594 + i * 0.0001, 55.679 + i * 0.0001] for i in range(7)]
    with pytest.raises(ValidationError) as error:
        answer(asked, geometry={"type": "LineString", "coordinates": coordinates})
    assert "too many points" in " ".join(error.value.message_dict["geometry"])


def test_the_keyboard_positions_make_the_same_drawing(consultation):
    asked = question(consultation, "area")
    drawn = survey.drawn_answer_submit(
        author=factories.UserFactory(),
        question=asked,
        positions=[tuple(p) for p in AREA["coordinates"][0][:-1]],
    )
    assert json.loads(drawn.geometry)["type"] == "Polygon"
    assert drawn.vertex_count == 3


def test_the_answer_limit_per_person(consultation):
    asked = question(consultation, "point", max_answers=1)
    resident = factories.UserFactory()
    answer(asked, author=resident)
    with pytest.raises(ValidationError) as error:
        answer(asked, author=resident)
    assert "most allowed" in " ".join(error.value.message_dict["geometry"])
    answer(asked)  # someone else still may


def test_drawing_follows_the_phase_that_takes_pins():
    closed = survey_consultation(open_phase=False)
    asked = question(closed, "line")
    with pytest.raises(PermissionDenied):
        answer(asked)


def test_a_blocked_person_is_refused(consultation):
    resident = factories.UserFactory()
    Block.objects.create(
        user=resident,
        consultation=consultation,
        reason="Flooding",
        created_by=factories.AdministratorFactory(),
    )
    with pytest.raises(PermissionDenied) as refusal:
        answer(question(consultation, "line"), author=resident)
    assert "blocked" in str(refusal.value)


def test_an_idea_competition_takes_no_drawings():
    ideas = factories.ConsultationFactory()
    asked = MapQuestion.objects.create(consultation=ideas, kind="line", prompt="Draw")
    with pytest.raises(PermissionDenied):
        answer(asked)


def test_only_the_author_deletes_an_answer(consultation):
    drawn = answer(question(consultation, "line"))
    with pytest.raises(PermissionDenied):
        survey.drawn_answer_delete(user=factories.UserFactory(), answer=drawn)
    survey.drawn_answer_delete(user=drawn.author, answer=drawn)
    assert not DrawnAnswer.objects.exists()


def test_a_planner_hides_and_restores_with_a_reason(consultation, planner):
    drawn = answer(question(consultation, "line"))
    with pytest.raises(ValidationError):
        survey.drawn_answer_set_hidden(actor=planner, answer=drawn, hidden=True, reason="")
    survey.drawn_answer_set_hidden(actor=planner, answer=drawn, hidden=True, reason="offensive")
    assert not DrawnAnswer.objects.public().exists()
    survey.drawn_answer_set_hidden(actor=planner, answer=drawn, hidden=False)
    assert DrawnAnswer.objects.public().exists()
    with pytest.raises(PermissionDenied):
        survey.drawn_answer_set_hidden(
            actor=factories.UserFactory(), answer=drawn, hidden=True, reason="spam"
        )
