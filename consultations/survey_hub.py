"""The map survey's section of the consultation hub: its questions, how many answers each has,
and the way to the page where residents draw."""

from django.template.loader import render_to_string

from .models import Consultation
from .survey_selectors import summaries


def survey_section(request, consultation) -> str:
    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        return ""
    return render_to_string(
        "consultations/_survey_section.html",
        {"consultation": consultation, "summaries": summaries(consultation)},
        request=request,
    )
