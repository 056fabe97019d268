"""The ideas' sections of the consultation hub (consultations.hub): the map with the list of the
ideas in view beside it, and the idea panel."""

from django.template.loader import render_to_string


def idea_map(request, consultation) -> str:
    if consultation.kind == consultation.Kind.MAP_SURVEY:
        return ""  # residents answer a map survey by drawing, on the survey's own page
    return render_to_string(
        "ideas/_consultation_map.html", {"consultation": consultation}, request=request
    )


def idea_panel(request, consultation) -> str:
    if consultation.kind == consultation.Kind.MAP_SURVEY:
        return ""
    return render_to_string(
        "ideas/_consultation_ideas.html", {"consultation": consultation}, request=request
    )
