"""The social media analytics page and its CSV download (planners, administrators, councillors)."""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from civic.query_params import filter_choices
from consultations.models import Consultation

from . import charts
from . import social_analytics as figures
from .permissions import can_read_social_figures


class AnalyticsForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        coerce=int,
        required=False,
    )
    consultation = forms.ModelChoiceField(
        label=gettext_lazy("Consultation"),
        queryset=Consultation.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=gettext_lazy("All consultations"),
    )

    def __init__(self, *args, consultations, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so the labels are in the language of the request.
        self.fields["weeks"].choices = [
            (n, _("last %(n)s weeks") % {"n": n}) for n in figures.WEEKS_CHOICES
        ]
        self.fields["consultation"].queryset = consultations.order_by("title")


@require_GET
def social_analytics(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_read_social_figures(user):
        raise PermissionDenied(_("Only staff and councillors read the social media figures."))
    consultations = figures.consultations_for(user)
    params = request.GET.copy()
    params.pop("format", None)
    form = AnalyticsForm(params or None, initial={"weeks": 12}, consultations=consultations)
    chosen, valid = filter_choices(form)
    weeks = chosen.get("weeks") or 12
    if chosen.get("consultation"):
        consultations = consultations.filter(pk=chosen["consultation"].pk)
    analytics = figures.build(consultations, weeks)
    if valid and request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="social-media-per-week.csv"'
        csv.writer(response).writerows(figures.csv_rows(analytics))
        return response
    return render(
        request,
        "reports/social_analytics.html",
        {"form": form, "analytics": analytics, "chart": _weekly_chart(analytics), "weeks": weeks},
        status=200 if valid else 400,
    )


def _weekly_chart(analytics) -> charts.Chart:
    weeks = [row for _week, row in analytics.by_week]
    return charts.Chart(
        slug="social-weeks",
        title=_("Engagement and arrivals per week"),
        description=_(
            "Reactions, comments and shares on the published posts, and the visitors who came "
            "through their links, per week (Monday to Sunday)."
        ),
        kind="line",
        labels=[week.strftime("%d.%m") for week, _row in analytics.by_week],
        series=charts.styled_series(
            [
                charts.Series(_("Engagement"), [row.engagement for row in weeks]),
                charts.Series(_("Arrivals"), [row.arrivals for row in weeks]),
            ]
        ),
    )
