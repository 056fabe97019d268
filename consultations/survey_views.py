"""Pages of a map survey: the planner's questions and drawn answers, and the residents' page
where each question is answered by drawing on the map or, without a mouse or without
JavaScript, by adding places from the address search one by one."""

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from shapely.geometry import Point

from maps import geocoding
from maps.geometry import prepared_area

from . import permissions, selectors, survey, survey_selectors
from .models import Consultation, MapQuestion
from .survey_forms import DrawnAnswerForm, HideAnswerForm, MapQuestionForm, Vertex
from .views import _attach_service_errors


def _survey(request, slug) -> Consultation:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        raise PermissionDenied(_("This consultation is not a map survey."))
    return consultation


def _managed(request, slug) -> Consultation:
    consultation = _survey(request, slug)
    if not permissions.can_manage_map_questions(request.user, consultation):
        raise PermissionDenied(_("You may not change this consultation's map questions."))
    return consultation


def _questions_url(consultation) -> str:
    return reverse("consultations:map-questions", kwargs={"slug": consultation.slug})


def survey_url(consultation) -> str:
    return reverse("consultations:survey", kwargs={"slug": consultation.slug})


# --- Planner ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def map_questions(request: HttpRequest, slug: str) -> HttpResponse:
    """The list of questions with the form that adds one (POST here adds)."""
    consultation = _managed(request, slug)
    form = MapQuestionForm(request.POST or None, prefix="question")
    if request.method == "POST" and form.is_valid():
        try:
            question = survey.map_question_create(
                actor=request.user, consultation=consultation, data=form.service_data()
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(
                request, _("The question “%(prompt)s” was added.") % {"prompt": question.prompt}
            )
            return redirect(_questions_url(consultation))
    return render(
        request,
        "consultations/map_questions.html",
        {
            "consultation": consultation,
            "summaries": survey_selectors.summaries(consultation),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def map_question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    question = get_object_or_404(consultation.map_questions, pk=pk)
    form = MapQuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            survey.map_question_update(
                actor=request.user, question=question, data=form.service_data()
            )
        except ValidationError as error:
            _attach_service_errors(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect(f"{_questions_url(consultation)}#question-{question.pk}")
    return render(
        request,
        "consultations/map_question_form.html",
        {"consultation": consultation, "question": question, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def map_question_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    question = get_object_or_404(consultation.map_questions, pk=pk)
    try:
        survey.map_question_move(
            actor=request.user, question=question, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{_questions_url(consultation)}#question-{question.pk}")


@require_http_methods(["GET", "POST"])
def map_question_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _managed(request, slug)
    question = get_object_or_404(consultation.map_questions, pk=pk)
    if request.method == "POST":
        survey.map_question_delete(actor=request.user, question=question)
        messages.success(
            request, _("The question “%(prompt)s” was removed.") % {"prompt": question.prompt}
        )
        return redirect(_questions_url(consultation))
    return render(
        request,
        "consultations/map_question_confirm_delete.html",
        {"consultation": consultation, "question": question},
    )


@require_GET
def drawn_answers(request: HttpRequest, slug: str) -> HttpResponse:
    """Every single answer, for the planners, with hide and show-again."""
    consultation = _survey(request, slug)
    if not permissions.can_see_drawn_answers_individually(request.user, consultation):
        raise PermissionDenied(_("You may not read single answers of this survey."))
    return render(
        request,
        "consultations/drawn_answers.html",
        {
            "consultation": consultation,
            "answers": list(survey_selectors.answers_for_planners(consultation)),
            "hide_form": HideAnswerForm(),
        },
    )


@require_POST
def drawn_answer_hide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _survey(request, slug)
    answer = get_object_or_404(consultation.drawn_answers, pk=pk)
    hidden = request.POST.get("hidden") != "0"
    form = HideAnswerForm(request.POST)
    reason = form.data.get("reason", "") if hidden else ""
    try:
        survey.drawn_answer_set_hidden(
            actor=request.user, answer=answer, hidden=hidden, reason=reason
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The answer is hidden.") if hidden else _("The answer is shown again.")
        )
    url = reverse("consultations:drawn-answers", kwargs={"slug": consultation.slug})
    return redirect(f"{url}#answer-{answer.pk}")


# --- Residents --------------------------------------------------------------------------------


class Builder:
    """The keyboard form of one question: the places added so far, the last search."""

    def __init__(self, question: MapQuestion, vertices=(), results=(), searched=""):
        self.question = question
        self.vertices = list(vertices)
        self.results = list(results)
        self.searched = searched
        self.error = ""


@require_GET
def survey_page(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _survey(request, slug)
    return _page(request, consultation)


def _page(request, consultation, *, builder=None, form=None, status=200) -> HttpResponse:
    user = request.user
    own = survey_selectors.own_answers(user, consultation)
    entries = []
    for summary in survey_selectors.summaries(consultation):
        question = summary.question
        active = builder is not None and builder.question.pk == question.pk
        entries.append(
            {
                "question": question,
                "summary": summary,
                "own": own.get(question.pk, []),
                "builder": builder if active else Builder(question),
                "form": form if active else DrawnAnswerForm(prefix=f"q{question.pk}"),
                "left": question.max_answers - len(own.get(question.pk, [])),
            }
        )
    return render(
        request,
        "consultations/survey.html",
        {
            "consultation": consultation,
            "entries": entries,
            "refusal": survey.answer_refusal(user, consultation),
            "can_manage": permissions.can_manage_map_questions(user, consultation),
            "can_read_answers": permissions.can_see_drawn_answers_individually(user, consultation),
            "feed_url": reverse("survey-feed", kwargs={"slug": consultation.slug}),
            "own_geometries": {
                str(question_id): [json.loads(answer.geometry) for answer in answers]
                for question_id, answers in own.items()
            },
            "survey_strings": survey_strings(),
        },
        status=status,
    )


def survey_strings() -> dict:
    """What the drawing script says and shows, in the page's language."""
    return {
        "drawPoint": _("Mark a point"),
        "drawLine": _("Draw a line"),
        "drawArea": _("Draw an area"),
        "edit": _("Change the drawing"),
        "remove": _("Remove the drawing"),
        "finish": _("Finish"),
        "cancel": _("Cancel"),
        "removeLastVertex": _("Remove the last point"),
        "placeMarker": _("Click to place the point"),
        "firstVertex": _("Click to place the first point"),
        "continueLine": _("Click to continue drawing"),
        "finishLine": _("Click the last point again to finish"),
        "finishPoly": _("Click the first point to close the area"),
        "drawn": _("Your drawing is ready to send: %(count)s points. You can still change it."),
        "drawnPoint": _("Your point is ready to send. You can still move it."),
        "cleared": _("The drawing was removed."),
        "feedFailed": _("Other people's answers could not be loaded."),
    }


def _places(consultation, query: str) -> list[Vertex]:
    """Places found for the search, only those inside the consultation's area."""
    inside = prepared_area(consultation.area) if consultation.area else None
    return [
        Vertex(place.longitude, place.latitude, place.label)
        for place in geocoding.geocode(query)
        if inside is None or inside.covers(Point(place.longitude, place.latitude))
    ]


@require_POST
def survey_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One question's form: search, add a place, remove one, or send the drawing."""
    consultation = _survey(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(survey_url(consultation))
    question = get_object_or_404(consultation.map_questions, pk=pk)
    form = DrawnAnswerForm(request.POST, prefix=f"q{question.pk}")
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    vertices = [v for v in map(Vertex.parse, request.POST.getlist("vertex")) if v is not None]
    action = request.POST.get("action", "")
    builder = Builder(question, vertices)
    if "add" in request.POST:
        added = Vertex.parse(request.POST["add"])
        if added is not None:
            builder.vertices = [added] if question.kind == MapQuestion.Kind.POINT else vertices
            if question.kind != MapQuestion.Kind.POINT:
                builder.vertices.append(added)
        return _page(request, consultation, builder=builder, form=_fresh(form, question, data))
    if "remove" in request.POST:
        raw = request.POST["remove"]
        if raw.isdigit() and int(raw) < len(builder.vertices):
            del builder.vertices[int(raw)]
        return _page(request, consultation, builder=builder, form=_fresh(form, question, data))
    if action == "search":
        query = (data.get("q") or "").strip()
        builder.searched = query
        if len(query) >= 2:
            builder.results = _places(consultation, query)
        return _page(request, consultation, builder=builder, form=_fresh(form, question, data))
    if not form.is_valid():
        return _page(request, consultation, builder=builder, form=form, status=400)
    geometry = data.get("geometry") or None
    try:
        survey.drawn_answer_submit(
            author=request.user,
            question=question,
            geometry=geometry,
            positions=(
                None if geometry else [(v.longitude, v.latitude) for v in builder.vertices] or None
            ),
            comment=data.get("comment", ""),
        )
    except ValidationError as error:
        _attach_service_errors(form, error)
        if "geometry" in error.message_dict:
            builder.error = " ".join(error.message_dict["geometry"])
        return _page(request, consultation, builder=builder, form=form, status=400)
    messages.success(
        request, _("Thank you. Your answer to “%(prompt)s” was sent.") % {"prompt": question.prompt}
    )
    return redirect(f"{survey_url(consultation)}#question-{question.pk}")


def _fresh(form, question, data) -> DrawnAnswerForm:
    """The form shown again with what was typed, without errors of a send that did not happen."""
    return DrawnAnswerForm(
        initial={"comment": data.get("comment", ""), "q": data.get("q", "")},
        prefix=f"q{question.pk}",
    )


@require_POST
def survey_answer_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _survey(request, slug)
    answer = get_object_or_404(consultation.drawn_answers, pk=pk)
    survey.drawn_answer_delete(user=request.user, answer=answer)
    messages.success(request, _("Your answer was deleted."))
    return redirect(f"{survey_url(consultation)}#question-{answer.question_id}")
