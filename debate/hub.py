"""The debate's sections of the consultation hub (consultations.hub): key figures and topics."""

from django.template.loader import render_to_string

from . import permissions, selectors


def figures(request, consultation) -> str:
    return render_to_string(
        "debate/_figures.html",
        {"figures": selectors.consultation_figures(consultation)},
        request=request,
    )


def topics(request, consultation) -> str:
    return render_to_string(
        "debate/_consultation_topics.html",
        {
            "consultation": consultation,
            "topics": list(selectors.consultation_topics(consultation)),
            "may_manage": permissions.can_manage_topics(request.user, consultation),
        },
        request=request,
    )
