"""Map survey in the browser: a resident draws a line and an area with the mouse (Geoman) and
sends them; another answers by keyboard only, building the answer from places found by name;
a planner adds a question. axe runs on each page, in English, Danish and Norwegian, at desktop
and phone width."""

import json

import pytest

from consultations.models import Consultation, DrawnAnswer, MapQuestion
from tests import factories
from tests.browser.conftest import a11y_check, login, visit


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def survey(transactional_db):
    consultation = factories.ConsultationFactory(
        slug="skolevej", title="Routes to school", kind=Consultation.Kind.MAP_SURVEY
    )
    line = MapQuestion.objects.create(
        consultation=consultation, kind="line", prompt="Mark your route to school", position=1
    )
    area = MapQuestion.objects.create(
        consultation=consultation, kind="area", prompt="Where do you feel unsafe?", position=2
    )
    return consultation, line, area


def _section(page, question):
    return page.locator(f"#question-{question.pk}")


def _click_map(page, canvas, dx, dy):
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


def _wait_for_drawing(page, question, kind):
    page.wait_for_function(
        "([id, kind]) => (JSON.parse(document.getElementById(id).value || '{}').type === kind)",
        arg=[f"id_q{question.pk}-geometry", kind],
    )


def test_a_resident_draws_a_line_and_an_area_with_the_mouse(page, live_server, survey):
    consultation, line, area = survey
    resident = factories.UserFactory()
    login(page, live_server, resident)
    visit(page, f"/{consultation.slug}/map-survey/", "survey")

    section = _section(page, line)
    canvas = section.locator("[data-survey-map]")
    section.locator(".leaflet-pm-icon-polyline").click()
    _click_map(page, canvas, -80, 20)
    _click_map(page, canvas, 0, -10)
    _click_map(page, canvas, 70, 30)
    _click_map(page, canvas, 70, 30)  # the last point again finishes the line
    _wait_for_drawing(page, line, "LineString")
    assert "ready to send" in section.locator("[data-map-status]").inner_text()
    a11y_check(page, "line-drawn")
    with page.expect_navigation():
        section.get_by_role("button", name="Send your answer").click()

    section = _section(page, area)
    canvas = section.locator("[data-survey-map]")
    section.scroll_into_view_if_needed()
    section.locator(".leaflet-pm-icon-polygon").click()
    _click_map(page, canvas, -60, -40)
    _click_map(page, canvas, 60, -40)
    _click_map(page, canvas, 40, 50)
    _click_map(page, canvas, -60, -40)  # the first corner closes the area
    _wait_for_drawing(page, area, "Polygon")
    section.get_by_label("Comment (optional)").fill("Dark underpass")
    with page.expect_navigation():
        section.get_by_role("button", name="Send your answer").click()
    a11y_check(page, "both-sent")

    answers = {a.question_id: a for a in DrawnAnswer.objects.filter(author=resident)}
    assert json.loads(answers[line.pk].geometry)["type"] == "LineString"
    assert answers[line.pk].vertex_count == 3
    assert json.loads(answers[area.pk].geometry)["type"] == "Polygon"
    assert answers[area.pk].comment == "Dark underpass"
    assert "A line through 3 points" in _section(page, line).inner_text()

    # The resident deletes the line again.
    with page.expect_navigation():
        _section(page, line).get_by_role("button", name="Delete your answer 1").click()
    assert not DrawnAnswer.objects.filter(question=line).exists()


def test_a_resident_answers_by_keyboard_only(page, live_server, survey):
    consultation, line, _area = survey
    resident = factories.UserFactory()
    login(page, live_server, resident)
    visit(page, f"/{consultation.slug}/map-survey/", "survey-keyboard")
    search = page.locator(f"#id_q{line.pk}-q")
    for name in ("Trangravsvej 2", "Christiansholmsgade 9"):
        search = page.locator(f"#id_q{line.pk}-q")
        search.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(name)
        with page.expect_navigation():
            page.keyboard.press("Enter")  # the form's first button is the search
        add = _section(page, line).get_by_role("button", name=f"Add “{name}, 1436 København K”")
        add.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    places = _section(page, line).locator(".survey-vertices li")
    assert places.count() == 2
    a11y_check(page, "two-places")
    send = _section(page, line).get_by_role("button", name="Send your answer")
    send.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    answer = DrawnAnswer.objects.get(author=resident)
    assert answer.vertex_count == 2 and json.loads(answer.geometry)["type"] == "LineString"
    a11y_check(page, "keyboard-sent")


def test_a_planner_adds_a_question(page, live_server, survey):
    consultation, _line, _area = survey
    planner = factories.PlannerFactory()
    login(page, live_server, planner)
    visit(page, f"/{consultation.slug}/", "hub")
    with page.expect_navigation():
        page.get_by_role("link", name="Map questions").click()
    a11y_check(page, "questions")
    page.locator("#id_question-prompt").fill("Where should a crossing be?")
    page.get_by_label("What residents draw").select_option("point")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the question").click()
    assert MapQuestion.objects.filter(prompt="Where should a crossing be?", kind="point").exists()
    a11y_check(page, "question-added")


@pytest.mark.parametrize(
    ("locale", "width"), [("da-DK", 1280), ("nb-NO", 390), ("en-GB", 390), ("da-DK", 390)]
)
def test_the_survey_in_every_language_and_at_phone_width(
    new_page, live_server, survey, locale, width
):
    consultation, line, _area = survey
    page = new_page(locale=locale)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, factories.UserFactory())
    visit(page, f"/{consultation.slug}/map-survey/", f"survey-{locale}-{width}")
    visit(page, f"/{consultation.slug}/", f"hub-{locale}-{width}")
