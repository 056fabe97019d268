"""The social media figures over the REST API: what /reports/social/ shows, from the same module
(reports.social_analytics), the same form and the same permission.

GET /api/v1/social/figures/?weeks=4|12|26|52&consultation=<slug>
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from social.readback import METRIC_NAMES

from . import social_analytics as figures
from .permissions import can_read_social_figures
from .social_views import AnalyticsForm


class FigureMetricsSerializer(serializers.Serializer):
    """The platforms' figures summed (a figure a platform did not give counts as 0)."""

    reach = serializers.IntegerField()
    views = serializers.IntegerField()
    reactions = serializers.IntegerField()
    comments = serializers.IntegerField()
    shares = serializers.IntegerField()


class FigureRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The channel, the week's Monday, or total")
    posts = serializers.IntegerField()
    metrics = FigureMetricsSerializer()
    engagement = serializers.IntegerField(help_text="Reactions, comments and shares")
    arrivals = serializers.IntegerField(help_text="Visitors through the posts' tracked links")


class WeekRowSerializer(FigureRowSerializer):
    week = serializers.DateField(help_text="Monday of the week (local time)")


class ArrivalsSerializer(serializers.Serializer):
    platform = serializers.CharField()
    arrivals = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    weeks = serializers.IntegerField()
    by_channel = FigureRowSerializer(many=True)
    by_week = WeekRowSerializer(many=True)
    total = FigureRowSerializer()
    arrivals_by_platform = ArrivalsSerializer(many=True)


class SocialFiguresView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("weeks", int, enum=list(figures.WEEKS_CHOICES), description="12"),
            OpenApiParameter("consultation", str, description="a consultation's slug; all"),
        ],
        responses={200: FiguresSerializer},
        summary="Social media figures per channel and week (the /reports/social/ page)",
    )
    def get(self, request):
        user = request.user
        if not can_read_social_figures(user):
            raise PermissionDenied(_("Only staff and councillors read the social media figures."))
        consultations = figures.consultations_for(user)
        form = AnalyticsForm(request.query_params or None, consultations=consultations)
        chosen = {}
        if form.is_bound:
            if not form.is_valid():
                raise ValidationError(
                    {field: list(errors) for field, errors in form.errors.items()}
                )
            chosen = form.cleaned_data
        weeks = chosen.get("weeks") or 12
        if chosen.get("consultation"):
            consultations = consultations.filter(pk=chosen["consultation"].pk)
        analytics = figures.build(consultations, weeks)
        return Response(
            FiguresSerializer(
                {
                    "weeks": weeks,
                    "by_channel": analytics.by_channel,
                    "by_week": [_week_row(week, row) for week, row in analytics.by_week],
                    "total": analytics.total,
                    "arrivals_by_platform": [
                        {"platform": label, "arrivals": visits}
                        for label, visits in analytics.arrivals_by_platform
                    ],
                }
            ).data
        )


def _week_row(week, row: figures.Row) -> dict:
    return {
        "week": week,
        "label": row.label,
        "posts": row.posts,
        "metrics": {name: row.metrics[name] for name in METRIC_NAMES},
        "engagement": row.engagement,
        "arrivals": row.arrivals,
    }
