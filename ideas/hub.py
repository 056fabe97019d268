"""The ideas' sections of the consultation hub (consultations.hub): the map with the list of the
ideas in view beside it, and the idea panel."""

from django.template.loader import render_to_string


def idea_map(request, consultation) -> str:
    return render_to_string(
        "ideas/_consultation_map.html", {"consultation": consultation}, request=request
    )


def idea_panel(request, consultation) -> str:
    return render_to_string(
        "ideas/_consultation_ideas.html", {"consultation": consultation}, request=request
    )
