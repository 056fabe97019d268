"""The demo's map survey: Harstad's way to school, with drawn answers inside the area."""

import io

import pytest
import shapely
from django.core.management import call_command

from consultations.models import Consultation
from devsite.demo.consultations import HARSTAD_AREA

pytestmark = pytest.mark.django_db


def test_demo_loads_the_map_survey_with_answers_once():
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    survey = Consultation.objects.get(slug="harstad-skolevei")
    assert survey.kind == Consultation.Kind.MAP_SURVEY
    assert list(survey.map_questions.values_list("kind", flat=True)) == ["line", "area", "point"]
    answers = list(survey.drawn_answers.all())
    assert len(answers) == 9
    area = shapely.geometry.shape(HARSTAD_AREA)
    for answer in answers:
        assert area.covers(shapely.from_geojson(answer.geometry))
