"""/api/v1/consultations/: the list, the detail, and the planner's writes through the same
services as the site's forms."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from civic.markdown import render_markdown
from civic.models import User

from . import permissions, selectors, services
from .models import Category, Consultation, MapService, Phase, PlanLayer
from .rules import FLAGS, PRESETS

STATES = ("open", "upcoming", "closed")


class PhaseSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Phase
        fields = [
            "id",
            "kind",
            "name",
            "display_name",
            "description",
            "starts_at",
            "ends_at",
            "allows_ideas",
            "allows_support",
            "allows_comments",
            "allows_poll",
        ]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "colour", "position"]


class ConsultationSerializer(serializers.ModelSerializer):
    """A consultation as the list shows it."""

    url = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    cover_image = serializers.SerializerMethodField()
    current_phase = serializers.SerializerMethodField()
    opens_at = serializers.SerializerMethodField()
    closes_at = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "slug",
            "url",
            "title",
            "summary",
            "kind",
            "status",
            "state",
            "language",
            "hashtag",
            "cover_image",
            "cover_alt",
            "opens_at",
            "closes_at",
            "current_phase",
            "results_published_at",
        ]

    def _now(self):
        return self.context.setdefault("now", timezone.now())

    def get_url(self, consultation) -> str:
        return self.context["request"].build_absolute_uri(consultation.get_absolute_url())

    @extend_schema_field(serializers.ChoiceField(choices=["draft", *STATES]))
    def get_state(self, consultation) -> str:
        return consultation.state(self._now())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_cover_image(self, consultation) -> str | None:
        if not consultation.cover_image:
            return None
        return self.context["request"].build_absolute_uri(consultation.cover_image.url)

    @extend_schema_field(PhaseSerializer(allow_null=True))
    def get_current_phase(self, consultation):
        phase = consultation.current_phase(self._now())
        return PhaseSerializer(phase).data if phase else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_opens_at(self, consultation):
        phases = list(consultation.phases.all())
        return (
            serializers.DateTimeField().to_representation(phases[0].starts_at) if phases else None
        )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_closes_at(self, consultation):
        phases = list(consultation.phases.all())
        if not phases:
            return None
        return serializers.DateTimeField().to_representation(max(p.ends_at for p in phases))


class ConsultationDetailSerializer(ConsultationSerializer):
    """Everything about one consultation, with what the requesting person may do now."""

    body_html = serializers.SerializerMethodField()
    results_html = serializers.SerializerMethodField()
    phases = PhaseSerializer(many=True, read_only=True)
    categories = CategorySerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    area = serializers.JSONField(
        read_only=True, help_text="GeoJSON Polygon or MultiPolygon geometry (RFC 7946)."
    )

    class Meta(ConsultationSerializer.Meta):
        fields = [
            *ConsultationSerializer.Meta.fields,
            "body",
            "body_html",
            "reference_prefix",
            "support_limit",
            "verified_only",
            "pre_moderation",
            "area",
            "phases",
            "categories",
            "results",
            "results_html",
            "allowed_actions",
        ]

    def get_body_html(self, consultation) -> str:
        return render_markdown(consultation.body)

    def get_results_html(self, consultation) -> str:
        return render_markdown(consultation.results) if consultation.results_published else ""

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(
                choices=[*permissions.STAFF_ACTIONS, *permissions.RESIDENT_ACTIONS]
            )
        )
    )
    def get_allowed_actions(self, consultation) -> list[str]:
        return permissions.allowed_actions(self.context["request"].user, consultation, self._now())

    def to_representation(self, consultation):
        data = super().to_representation(consultation)
        if not consultation.results_published:
            data["results"] = ""  # a draft of the results is not public
        return data


class PhaseInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Keep an existing phase.")
    kind = serializers.ChoiceField(choices=Phase.Kind.choices)
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    allows_ideas = serializers.BooleanField(default=False)
    allows_support = serializers.BooleanField(default=False)
    allows_comments = serializers.BooleanField(default=False)
    allows_poll = serializers.BooleanField(default=False)

    def to_internal_value(self, data):
        """A new phase that names only its kind gets that kind's preset (rules.PRESETS)."""
        values = super().to_internal_value(data)
        is_new = not (isinstance(data, dict) and data.get("id"))
        if is_new and isinstance(data, dict) and not any(flag in data for flag in FLAGS):
            for flag in PRESETS.get(values.get("kind"), ()):
                values[flag] = True
        return values


class CategoryInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Keep an existing category.")
    name = serializers.CharField(max_length=80)
    colour = serializers.CharField(max_length=7)


class ConsultationWriteSerializer(serializers.Serializer):
    """Input for POST and PATCH. `phases` and `categories`, when given, replace the lists."""

    title = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=80, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=400)
    body = serializers.CharField(required=False, allow_blank=True)
    cover_image = serializers.ImageField(
        required=False,
        allow_null=True,
        help_text="JPEG, PNG or WebP up to 5 MB (multipart); null removes the image.",
    )
    cover_alt = serializers.CharField(max_length=250, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Consultation.Kind.choices, required=False)
    language = serializers.ChoiceField(
        choices=Consultation._meta.get_field("language").choices, required=False
    )
    hashtag = serializers.CharField(max_length=60, required=False, allow_blank=True)
    reference_prefix = serializers.CharField(max_length=8, required=False)
    support_limit = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, allow_null=True
    )
    verified_only = serializers.BooleanField(required=False)
    pre_moderation = serializers.BooleanField(required=False)
    area = serializers.JSONField(
        required=False, allow_null=True, help_text="GeoJSON Polygon or MultiPolygon, or null."
    )
    phases = PhaseInputSerializer(many=True, required=False)
    categories = CategoryInputSerializer(many=True, required=False)
    planners = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=User.objects.filter(is_deleted=False),
        help_text="Ids of the planners running it (administrators and unrestricted planners).",
    )


def _write(request, consultation: Consultation | None, data: dict) -> Consultation:
    phases = data.pop("phases", None)
    categories = data.pop("categories", None)
    planners = data.pop("planners", None)
    if "cover_image" in data and data["cover_image"] is None:
        data["cover_image"] = False  # null in the API means "remove the image"
    if consultation is None:
        consultation = services.consultation_create(
            actor=request.user, data=data, phases=phases or (), categories=categories or ()
        )
    else:
        consultation = services.consultation_update(
            actor=request.user,
            consultation=consultation,
            data=data,
            phases=phases,
            categories=categories,
        )
    if planners is not None:
        services.consultation_assign_planners(
            actor=request.user, consultation=consultation, planners=planners
        )
    return consultation


def _detail_response(request, slug: str, status_code=status.HTTP_200_OK) -> Response:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    serializer = ConsultationDetailSerializer(consultation, context={"request": request})
    return Response(serializer.data, status=status_code)


class ConsultationListView(generics.GenericAPIView):
    serializer_class = ConsultationSerializer

    def get_queryset(self):
        queryset = selectors.consultations_visible_to(self.request.user).with_dates()
        state = self.request.query_params.get("state")
        if state:
            if state not in STATES:
                raise serializers.ValidationError(
                    {"state": [_("Choose one of: open, upcoming, closed.")]}
                )
            queryset = queryset.in_state(state, timezone.now())
        return selectors.with_timeline(queryset.order_by("-created_at", "-pk"))

    @extend_schema(
        summary="List consultations",
        operation_id="consultations_list",
        responses=ConsultationSerializer(many=True),
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=list(STATES), required=False),
        ],
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Create a draft consultation (planners, administrators)",
        operation_id="consultations_create",
        request=ConsultationWriteSerializer,
        responses={201: ConsultationDetailSerializer},
    )
    def post(self, request):
        # Refuse before looking at the input, so a resident learns nothing from field errors.
        if not permissions.can_create_consultation(request.user):
            raise PermissionDenied(_("You may not create consultations."))
        serializer = ConsultationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = _write(request, None, dict(serializer.validated_data))
        return _detail_response(request, consultation.slug, status.HTTP_201_CREATED)


class ConsultationDetailView(APIView):
    serializer_class = ConsultationDetailSerializer

    @extend_schema(
        summary="A consultation with its timeline and allowed actions",
        operation_id="consultations_retrieve",
    )
    def get(self, request, slug):
        return _detail_response(request, slug)

    @extend_schema(
        summary="Change a consultation (its planners, administrators)",
        operation_id="consultations_partial_update",
        request=ConsultationWriteSerializer,
        responses={200: ConsultationDetailSerializer},
    )
    def patch(self, request, slug):
        consultation = selectors.consultation_for_viewer(request.user, slug)
        if not permissions.can_edit_consultation(request.user, consultation):
            raise PermissionDenied(_("You may not edit this consultation."))
        serializer = ConsultationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        consultation = _write(request, consultation, dict(serializer.validated_data))
        return _detail_response(request, consultation.slug)


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ResultsSerializer(serializers.Serializer):
    results = serializers.CharField(help_text="Markdown.")


class ConsultationPublishView(APIView):
    serializer_class = None

    @extend_schema(
        summary="Publish a draft", request=None, responses={200: ConsultationDetailSerializer}
    )
    def post(self, request, slug):
        consultation = _managed(request, slug)
        services.consultation_publish(actor=request.user, consultation=consultation)
        return _detail_response(request, slug)


class ConsultationCloseView(APIView):
    serializer_class = CloseSerializer

    @extend_schema(
        summary="Close a published consultation",
        request=CloseSerializer,
        responses={200: ConsultationDetailSerializer},
    )
    def post(self, request, slug):
        consultation = _managed(request, slug)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.consultation_close(
            actor=request.user,
            consultation=consultation,
            reason=serializer.validated_data.get("reason", ""),
        )
        return _detail_response(request, slug)


class ConsultationResultsView(APIView):
    serializer_class = ResultsSerializer

    @extend_schema(
        summary="Publish or correct the results",
        request=ResultsSerializer,
        responses={200: ConsultationDetailSerializer},
    )
    def post(self, request, slug):
        consultation = _managed(request, slug)
        serializer = ResultsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.consultation_publish_results(
            actor=request.user,
            consultation=consultation,
            results=serializer.validated_data["results"],
        )
        return _detail_response(request, slug)


def _managed(request, slug: str) -> Consultation:
    consultation = selectors.consultation_for_viewer(request.user, slug)
    if not permissions.can_edit_consultation(request.user, consultation):
        raise PermissionDenied(_("You may not manage this consultation."))
    return consultation


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"
    charset = "utf-8"


# The same for everyone (no drafts, no per-person data), so proxies and browsers may keep it.
OPEN_FEED_MAX_AGE = 30


class OpenConsultationsGeoJSONView(APIView):
    """The consultations open now as an RFC 7946 FeatureCollection (longitude first), as the
    home page's map shows them: one point inside each consultation's area, with title,
    summary, url and closes_at. `without_place` counts the open consultations without an area.
    One query, whatever the number of consultations."""

    permission_classes = [AllowAny]
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        collection = selectors.open_consultation_features()
        for feature in collection["features"]:
            properties = feature["properties"]
            properties["url"] = request.build_absolute_uri(properties["url"])
        return Response(
            collection, headers={"Cache-Control": f"public, max-age={OPEN_FEED_MAX_AGE}"}
        )


# --- plan layers and map services ------------------------------------------------------------


class PlanLayerSerializer(serializers.ModelSerializer):
    style = serializers.SerializerMethodField()
    feed_url = serializers.SerializerMethodField()

    class Meta:
        model = PlanLayer
        fields = [
            "id",
            "name",
            "legend",
            "position",
            "feature_count",
            "version",
            "source_crs",
            "style",
            "feed_url",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_style(self, layer) -> dict:
        return plan_layer_style(layer)

    def get_feed_url(self, layer) -> str:
        return self.context["request"].build_absolute_uri(plan_layer_feed_url(layer))


def plan_layer_style(layer: PlanLayer) -> dict:
    """The layer's style as Leaflet path options (also what the page hands to the map)."""
    return {
        "color": layer.colour,
        "weight": layer.line_width,
        "fillColor": layer.fill_colour,
        "fillOpacity": layer.fill_opacity / 100,
        "dashArray": layer.dash_array or None,
        "dash": layer.dash,
    }


def plan_layer_feed_url(layer: PlanLayer) -> str:
    from django.urls import reverse

    return (
        reverse(
            "api-plan-layer-geojson",
            kwargs={"slug": layer.consultation.slug, "pk": layer.pk},
        )
        + f"?v={layer.version}"
    )


class MapServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = MapService
        fields = [
            "id",
            "name",
            "protocol",
            "role",
            "url",
            "layers",
            "image_format",
            "attribution",
            "opacity",
            "style",
            "tile_matrix_set",
            "tile_matrices",
            "bounds",
        ]


class PlanLayerListView(APIView):
    """The consultation's plan layers in drawing order with their style and feed address, and
    its official map services. Two queries, whatever the number of layers."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Plan layers and map services")
    def get(self, request, slug):
        consultation = selectors.consultation_for_viewer(request.user, slug)
        layers = list(consultation.plan_layers.order_by("position", "pk"))
        for layer in layers:
            layer.consultation = consultation
        context = {"request": request}
        return Response(
            {
                "layers": PlanLayerSerializer(layers, many=True, context=context).data,
                "map_services": MapServiceSerializer(
                    consultation.map_services.all(), many=True
                ).data,
            }
        )


class PlanLayerGeoJSONView(APIView):
    """One plan layer as an RFC 7946 FeatureCollection, simplified for ?zoom= (0-22; without
    it, as uploaded). Each feature keeps its stable id, number in the file, name and kind."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("zoom", OpenApiTypes.INT, required=False)],
        responses={200: OpenApiTypes.OBJECT},
        summary="A plan layer's features (GeoJSON)",
    )
    def get(self, request, slug, pk):
        from django.core.exceptions import ValidationError
        from django.http import HttpResponse

        zoom = request.query_params.get("zoom")
        if zoom not in (None, ""):
            try:
                zoom = int(zoom)
            except ValueError:
                zoom = -1
            if not 0 <= zoom <= 22:
                raise ValidationError({"zoom": _("The zoom must be a whole number from 0 to 22.")})
        else:
            zoom = None
        layer = selectors.plan_layer_for_viewer(request.user, slug, pk)
        body = selectors.plan_layer_feed(layer, zoom)
        response = HttpResponse(body, content_type="application/geo+json")
        # The page asks with ?v=<version>, so a copy may be kept as long as it is asked for;
        # a draft's layers are for its planners only.
        draft = layer.consultation.status == Consultation.Status.DRAFT
        response["Cache-Control"] = "private, no-store" if draft else "public, max-age=300"
        return response
