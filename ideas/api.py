"""REST API for ideas. The views parse and serialise; the services and selectors hold the rules.

    GET/POST          /api/v1/consultations/{slug}/ideas/
    GET/PATCH/DELETE  /api/v1/ideas/{id}/          (DELETE withdraws the idea)
    POST/DELETE       /api/v1/ideas/{id}/support/
    POST              /api/v1/ideas/{id}/status/   (planners)
    POST/DELETE       /api/v1/ideas/{id}/follow/

A location is a GeoJSON Point, longitude first: {"type": "Point", "coordinates": [lon, lat]}.
Photos come as multipart fields `photos` (repeated) with `photo_alt_texts` in the same order;
in a multipart request `location` is the GeoJSON as a string.
"""

import math
from dataclasses import asdict

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from civic import json_input, query_params, ratelimit
from civic.markdown import render_markdown
from consultations.models import Category, Consultation
from consultations.selectors import consultation_for_viewer

from . import selectors, services
from .models import Idea, IdeaStatus
from .permissions import can_see_pending_edit, can_view_idea
from .selectors import SORTS


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "[longitude, latitude] (WGS 84)",
            },
        },
        "required": ["type", "coordinates"],
    }
)
class PointField(serializers.Field):
    """A GeoJSON Point as (longitude, latitude); range and area are checked by the service."""

    default_error_messages = {
        "invalid": _(
            'Give a GeoJSON Point: {{"type": "Point", "coordinates": [longitude, latitude]}}.'
        ),
        "not_finite": _("The coordinates must be finite numbers."),
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json_input.loads(data)
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict) or data.get("type") != "Point":
            self.fail("invalid")
        coordinates = data.get("coordinates")
        if (
            not isinstance(coordinates, list | tuple)
            or len(coordinates) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
        ):
            self.fail("invalid")
        if not all(math.isfinite(c) for c in coordinates):
            self.fail("not_finite")
        return float(coordinates[0]), float(coordinates[1])

    def to_representation(self, value):
        return {"type": "Point", "coordinates": [value.longitude, value.latitude]}


class IdeaImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    alt_text = serializers.CharField()

    def get_url(self, image) -> str:
        request = self.context.get("request")
        url = image.image.url
        return request.build_absolute_uri(url) if request else url


class PendingIdeaEditSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class IdeaSerializer(serializers.ModelSerializer):
    consultation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    location = PointField(source="*", read_only=True)
    description_html = serializers.SerializerMethodField()
    answer_html = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    category_name = serializers.SerializerMethodField()
    viewer_supports = serializers.SerializerMethodField()
    images = IdeaImageSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    pending_edit = serializers.SerializerMethodField(
        help_text="The author's edit waiting for a planner; shown to the author and the "
        "consultation's planners only, null for everyone else. Title and description above are "
        "the approved text the public reads."
    )

    class Meta:
        model = Idea
        fields = [
            "id",
            "reference",
            "url",
            "consultation",
            "title",
            "description",
            "description_html",
            "category",
            "category_name",
            "author_name",
            "on_behalf_of",
            "location",
            "address_label",
            "status",
            "duplicate_of",
            "answer",
            "answer_html",
            "answered_at",
            "publication",
            "support_count",
            "comment_count",
            "viewer_supports",
            "images",
            "created_at",
            "moderator_edited_at",
            "pending_edit",
        ]
        read_only_fields = fields

    def get_description_html(self, idea) -> str:
        return render_markdown(idea.description)

    def get_answer_html(self, idea) -> str:
        return render_markdown(idea.answer) if idea.answer else ""

    def get_author_name(self, idea) -> str:
        # Only the public name, never an e-mail or phone number.
        return idea.author.public_name if idea.author else ""

    def get_category_name(self, idea) -> str:
        return idea.category.name if idea.category else ""

    def get_viewer_supports(self, idea) -> bool:
        return bool(getattr(idea, "viewer_supports", False))

    @extend_schema_field(PendingIdeaEditSerializer(allow_null=True))
    def get_pending_edit(self, idea) -> dict | None:
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if not idea.has_pending_edit or not can_see_pending_edit(viewer, idea):
            return None
        return PendingIdeaEditSerializer(
            {
                "title": idea.pending_title,
                "description": idea.pending_description,
                "submitted_at": idea.pending_edit_at,
            }
        ).data

    def get_url(self, idea) -> str:
        request = self.context.get("request")
        url = idea.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class IdeaWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=140)
    description = serializers.CharField(max_length=10_000)
    category = serializers.IntegerField(required=False, allow_null=True)
    location = PointField()
    address_label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)
    photo_alt_texts = serializers.ListField(
        child=serializers.CharField(max_length=250, allow_blank=True), required=False
    )

    def validate_category(self, value):
        if value is None:
            return None
        consultation = self.context["consultation"]
        category = Category.objects.filter(pk=value, consultation=consultation).first()
        if category is None:
            raise serializers.ValidationError(_("Choose a category of this consultation."))
        return category

    def validate(self, attrs):
        photos = attrs.get("photos") or []
        alts = attrs.get("photo_alt_texts") or []
        if photos and len(alts) != len(photos):
            raise serializers.ValidationError(
                {"photo_alt_texts": [_("Give one description per photo, in the same order.")]}
            )
        attrs["photo_list"] = [
            services.Photo(file=f, alt_text=a) for f, a in zip(photos, alts, strict=False)
        ]
        return attrs

    def service_fields(self) -> dict:
        data = self.validated_data
        fields = {}
        for name in ("title", "description", "address_label"):
            if name in data:
                fields[name] = data[name]
        if "category" in data:
            fields["category"] = data["category"]
        if "location" in data:
            fields["longitude"], fields["latitude"] = data["location"]
        if data.get("photo_list"):
            fields["photos"] = data["photo_list"]
        return fields


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IdeaStatus.choices)
    answer = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)


class SupportSerializer(serializers.Serializer):
    support_count = serializers.IntegerField()
    viewer_supports = serializers.BooleanField()
    supports_left = serializers.IntegerField(allow_null=True)


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


PARSERS = [json_input.JSONParser, MultiPartParser, FormParser]


def _visible_consultation(request, slug) -> Consultation:
    return consultation_for_viewer(
        request.user, slug, queryset=Consultation.objects.prefetch_related("phases")
    )


def _public_images():
    """Photos a moderator redacted stay in the database but leave every public answer."""
    from django.db.models import Prefetch

    from .models import IdeaImage

    return Prefetch(
        "images", queryset=IdeaImage.objects.filter(is_redacted=False, is_pending=False)
    )


def _visible_idea(request, pk, *, for_display: bool = True) -> Idea:
    """The idea if the viewer may see it, else 404; `for_display` adds what the serializer
    shows (category, author, photos), which the support and follow writes do not need."""
    # Writes answer from what the service returns, so they skip the viewer's-support subquery.
    ideas = selectors.for_viewer(Idea.objects.all(), request.user, with_supports=for_display)
    if for_display:
        ideas = ideas.select_related("category", "author").prefetch_related(_public_images())
    idea = ideas.filter(pk=pk).first()
    if idea is None or not can_view_idea(request.user, idea):
        raise Http404
    return idea


def _read(request, pk) -> dict:
    return IdeaSerializer(_visible_idea(request, pk), context={"request": request}).data


class ConsultationIdeasView(GenericAPIView):
    """List a consultation's public ideas, or submit one."""

    serializer_class = IdeaSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = PARSERS

    @extend_schema(
        parameters=[
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
            OpenApiParameter("category", OpenApiTypes.INT),
            OpenApiParameter("status", OpenApiTypes.STR, enum=IdeaStatus.values),
            OpenApiParameter("search", OpenApiTypes.STR),
        ],
        responses=IdeaSerializer(many=True),
    )
    def get(self, request, slug):
        consultation = _visible_consultation(request, slug)
        params = request.query_params
        ideas = selectors.idea_list(
            consultation=consultation,
            viewer=request.user,
            sort=params.get("sort", selectors.DEFAULT_SORT),
            category=query_params.optional_id(params.get("category"), name="category"),
            status=params.get("status") or None,
            search=query_params.search_text(params.get("search")),
        ).prefetch_related(_public_images())
        page = self.paginate_queryset(ideas)
        return self.get_paginated_response(
            IdeaSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=IdeaWriteSerializer, responses={201: IdeaSerializer})
    def post(self, request, slug):
        consultation = _visible_consultation(request, slug)
        # A 429 whose detail says how long to wait.
        ratelimit.raise_for_api(request, "idea_submit")
        serializer = IdeaWriteSerializer(data=request.data, context={"consultation": consultation})
        serializer.is_valid(raise_exception=True)
        idea = services.idea_submit(
            author=request.user, consultation=consultation, **serializer.service_fields()
        )
        return Response(_read(request, idea.pk), status=status.HTTP_201_CREATED)


class IdeaView(GenericAPIView):
    """One idea: read it, let its author edit it (PATCH) or withdraw it (DELETE)."""

    serializer_class = IdeaSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = PARSERS

    @extend_schema(responses=IdeaSerializer)
    def get(self, request, pk):
        return Response(_read(request, pk))

    @extend_schema(request=IdeaWriteSerializer, responses=IdeaSerializer)
    def patch(self, request, pk):
        idea = _visible_idea(request, pk)
        serializer = IdeaWriteSerializer(
            data=request.data, partial=True, context={"consultation": idea.consultation}
        )
        serializer.is_valid(raise_exception=True)
        services.idea_update(user=request.user, idea=idea, **serializer.service_fields())
        return Response(_read(request, pk))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        services.idea_withdraw(user=request.user, idea=_visible_idea(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdeaSupportView(GenericAPIView):
    """Support an idea (POST) or take the support back (DELETE)."""

    serializer_class = SupportSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: SupportSerializer})
    def post(self, request, pk):
        ratelimit.raise_for_api(request, "support")
        state = services.idea_support(user=request.user, idea=self._idea(request, pk))
        return Response(asdict(state), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SupportSerializer})
    def delete(self, request, pk):
        idea = self._idea(request, pk)
        return Response(asdict(services.idea_unsupport(user=request.user, idea=idea)))

    @staticmethod
    def _idea(request, pk) -> Idea:
        idea = selectors.idea_for_support(pk=pk, viewer=request.user)
        if idea is None:
            raise Http404
        return idea


class IdeaStatusView(GenericAPIView):
    """Set the status and official answer of an idea (the consultation's planners)."""

    serializer_class = StatusSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(request=StatusSerializer, responses=IdeaSerializer)
    def post(self, request, pk):
        idea = _visible_idea(request, pk)
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        duplicate_of = None
        if data.get("duplicate_of"):
            duplicate_of = Idea.objects.filter(
                pk=data["duplicate_of"], consultation=idea.consultation
            ).first()
            if duplicate_of is None:
                raise serializers.ValidationError(
                    {"duplicate_of": [_("Choose another idea of the same consultation.")]}
                )
        services.idea_answer(
            user=request.user,
            idea=idea,
            status=data["status"],
            answer=data.get("answer", ""),
            duplicate_of=duplicate_of,
        )
        return Response(_read(request, pk))


class IdeaFollowView(GenericAPIView):
    """Follow an idea (POST) or stop following it (DELETE)."""

    serializer_class = FollowSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: FollowSerializer})
    def post(self, request, pk):
        services.follow(user=request.user, idea=_visible_idea(request, pk, for_display=False))
        return Response({"following": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: FollowSerializer})
    def delete(self, request, pk):
        services.unfollow(user=request.user, idea=_visible_idea(request, pk, for_display=False))
        return Response({"following": False})
