"""The reports' section of the consultation hub (consultations.hub): a "Summary and exports"
link for those who may read the summary."""

from django.template.loader import render_to_string

from .permissions import can_read_summary


def summary_link(request, consultation) -> str:
    if not can_read_summary(request.user, consultation):
        return ""
    return render_to_string(
        "reports/_summary_link.html", {"consultation": consultation}, request=request
    )
