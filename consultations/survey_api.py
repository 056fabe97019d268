"""The API of a map survey under /api/v1/consultations/<slug>/questions/: the questions, a
person's own answers, sending an answer (a 400 names the field and the reason for a bad
drawing), the public aggregate of every answer, and single answers for the planners."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civic.api import Pagination
from civic.reasons import public_reason_label

from . import permissions, selectors, survey, survey_selectors
from .models import Consultation, DrawnAnswer, MapQuestion


class MapQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MapQuestion
        fields = ["id", "prompt", "help_text", "kind", "required", "max_answers", "position"]


class OwnAnswerSerializer(serializers.ModelSerializer):
    geometry = serializers.SerializerMethodField()

    class Meta:
        model = DrawnAnswer
        fields = ["id", "question", "geometry", "comment", "is_hidden", "created_at"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_geometry(self, answer) -> dict:
        return json.loads(answer.geometry)


class PlannerAnswerSerializer(OwnAnswerSerializer):
    author = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()

    class Meta(OwnAnswerSerializer.Meta):
        fields = [*OwnAnswerSerializer.Meta.fields, "hidden_reason", "author"]

    def get_author(self, answer) -> str:
        return answer.author.public_name

    def get_hidden_reason(self, answer) -> str:
        return public_reason_label(answer.hidden_reason)


class AnswerInputSerializer(serializers.Serializer):
    geometry = serializers.JSONField(help_text="A GeoJSON Point, LineString or Polygon (WGS 84).")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=280)


def _survey(request, slug) -> Consultation:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if consultation.kind != Consultation.Kind.MAP_SURVEY:
        raise ValidationError({"slug": _("This consultation is not a map survey.")})
    return consultation


class MapQuestionListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: MapQuestionSerializer(many=True)}, summary="The map survey's questions"
    )
    def get(self, request, slug):
        consultation = _survey(request, slug)
        return Response(
            MapQuestionSerializer(survey_selectors.questions(consultation), many=True).data
        )


class OwnAnswerListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: OwnAnswerSerializer(many=True)}, summary="Your own drawn answers"
    )
    def get(self, request, slug):
        consultation = _survey(request, slug)
        answers = [
            answer
            for group in survey_selectors.own_answers(request.user, consultation).values()
            for answer in group
        ]
        return Response(OwnAnswerSerializer(answers, many=True).data)


class AnswerCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AnswerInputSerializer,
        responses={201: OwnAnswerSerializer},
        summary="Answer a map question with a drawing",
    )
    def post(self, request, slug, pk):
        consultation = _survey(request, slug)
        question = get_object_or_404(consultation.map_questions, pk=pk)
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer = survey.drawn_answer_submit(
            author=request.user,
            question=question,
            geometry=serializer.validated_data["geometry"],
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(OwnAnswerSerializer(answer).data, status=201)


class OwnAnswerDeleteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Delete your own drawn answer")
    def delete(self, request, slug, pk):
        consultation = _survey(request, slug)
        answer = get_object_or_404(consultation.drawn_answers, pk=pk)
        survey.drawn_answer_delete(user=request.user, answer=answer)
        return Response(status=204)


class AnswerFeedView(APIView):
    """Every public answer, aggregated: clusters of points and grid cells counting lines and
    areas (GeoJSON). Never a single drawing, its author or its comment."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("zoom", OpenApiTypes.INT, required=False)],
        responses={200: OpenApiTypes.OBJECT},
        summary="Drawn answers, aggregated (GeoJSON)",
    )
    def get(self, request, slug):
        consultation = _survey(request, slug)
        zoom = request.query_params.get("zoom")
        if zoom not in (None, ""):
            if not zoom.isdigit() or not 0 <= int(zoom) <= 22:
                raise ValidationError({"zoom": _("The zoom must be a whole number from 0 to 22.")})
            zoom = int(zoom)
        else:
            zoom = None
        return Response(
            survey_selectors.public_feed_kept(consultation, zoom),
            content_type="application/geo+json",
        )


class PlannerAnswerListView(ListAPIView):
    """Every single drawn answer, a page at a time (`page`, `page_size` up to 100), oldest first:
    a survey with thousands of answers is read in pages, never in one answer."""

    permission_classes = [IsAuthenticated]
    serializer_class = PlannerAnswerSerializer
    pagination_class = Pagination

    @extend_schema(summary="Every single drawn answer (planners)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        consultation = _survey(self.request, self.kwargs["slug"])
        if not permissions.can_see_drawn_answers_individually(self.request.user, consultation):
            raise PermissionDenied(_("You may not read single answers of this survey."))
        return survey_selectors.answers_for_planners(consultation).order_by("pk")
