"""Map-survey data shared by the survey tests: a survey consultation, questions, drawings."""

from consultations import survey
from consultations.models import Consultation, MapQuestion
from tests import factories

# Inside the Christiansholm square of tests.factories (longitude, latitude).
LINE = {"type": "LineString", "coordinates": [[12.5940, 55.6790], [12.5960, 55.6800]]}
AREA = {
    "type": "Polygon",
    "coordinates": [
        [[12.5940, 55.6790], [12.5960, 55.6790], [12.5960, 55.6805], [12.5940, 55.6790]]
    ],
}
POINT = {"type": "Point", "coordinates": [12.5960, 55.6797]}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [
            [12.5940, 55.6790],
            [12.5960, 55.6805],
            [12.5960, 55.6790],
            [12.5940, 55.6805],
            [12.5940, 55.6790],
        ]
    ],
}
ESCAPING_LINE = {"type": "LineString", "coordinates": [[12.5960, 55.6797], [12.5683, 55.6761]]}
DRAWINGS = {"point": POINT, "line": LINE, "area": AREA}


def survey_consultation(**fields) -> Consultation:
    return factories.ConsultationFactory(kind=Consultation.Kind.MAP_SURVEY, **fields)


def question(consultation: Consultation, kind: str = "line", **fields) -> MapQuestion:
    fields.setdefault("prompt", f"Draw a {kind}")
    fields.setdefault("max_answers", 3)
    return MapQuestion.objects.create(consultation=consultation, kind=kind, **fields)


def answer(question: MapQuestion, author=None, **fields):
    return survey.drawn_answer_submit(
        author=author or factories.UserFactory(),
        question=question,
        geometry=fields.pop("geometry", DRAWINGS[question.kind]),
        **fields,
    )
