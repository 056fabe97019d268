"""Moderation in the REST API: reporting, the queue and actions. Same services as the pages."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civic import query_params, ratelimit
from consultations.models import Consultation

from . import permissions, selectors, services
from . import targets as t
from .forms import QUEUE_ACTIONS
from .models import PublicReason, ReportReason

TARGET_TYPES = [("idea", "idea"), ("photo", "photo"), ("comment", "comment")]


class ReportCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=TARGET_TYPES)
    target_id = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    target_type = serializers.CharField(source="target_kind")
    target_id = serializers.SerializerMethodField()
    reason = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_target_id(self, report) -> int:
        return report.idea_id or report.image_id or report.comment_id


class AuthorHistorySerializer(serializers.Serializer):
    ideas = serializers.IntegerField()
    comments = serializers.IntegerField()
    hidden = serializers.IntegerField()
    reports = serializers.IntegerField()
    blocks = serializers.IntegerField()


class QueueItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"idea:12", "photo:3" or "comment:40"; used in actions.')
    target_type = serializers.CharField(source="kind")
    target_id = serializers.IntegerField(source="target.pk")
    consultation = serializers.CharField(source="consultation.slug")
    title = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    author = serializers.SerializerMethodField()
    report_count = serializers.IntegerField()
    reasons = serializers.SerializerMethodField()
    pending = serializers.BooleanField()
    hidden = serializers.BooleanField()
    appeals = serializers.SerializerMethodField()
    words = serializers.ListField(child=serializers.CharField())
    history = AuthorHistorySerializer()

    def get_author(self, item) -> str | None:
        return item.author.public_name if item.author else None

    def get_reasons(self, item) -> dict[str, int]:
        return dict(item.reasons)

    def get_appeals(self, item) -> list[str]:
        return [appeal.text for appeal in item.appeals]


class ActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=QUEUE_ACTIONS)
    items = serializers.ListField(
        child=serializers.CharField(max_length=40), min_length=1, max_length=200
    )
    public_reason = serializers.ChoiceField(
        choices=PublicReason.choices, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ActionResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.CharField())
    failed = serializers.DictField(child=serializers.CharField())


class ReportCreateView(APIView):
    """Report an idea, a photo or a comment (once per person and item)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer})
    def post(self, request):
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = t.load(data["target_type"], data["target_id"])
        ratelimit.raise_for_api(request, "report")
        report = services.report_create(
            reporter=request.user, target=target, reason=data["reason"], text=data["text"]
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class QueueView(APIView):
    """The moderation queue: reported items first, then items waiting for approval, then
    appeals. `?consultation=<slug>` narrows it to one consultation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("consultation", str, description="A consultation's slug")],
        responses=QueueItemSerializer(many=True),
    )
    def get(self, request):
        slug = query_params.search_text(
            request.query_params.get("consultation"), name="consultation"
        )
        consultation = None
        if slug:
            consultation = Consultation.objects.filter(slug=slug).first()
            if consultation is None or not permissions.can_view_queue(request.user, consultation):
                raise PermissionDenied("Only the planners of this consultation see its queue.")
        elif not permissions.can_view_any_queue(request.user):
            raise PermissionDenied("Only planners and councillors see the moderation queue.")
        items = selectors.moderation_queue(viewer=request.user, consultation=consultation)
        return Response(QueueItemSerializer(items, many=True).data)


class ActionView(APIView):
    """One action on one or many items; each item succeeds or fails with its own reason."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ActionSerializer, responses=ActionResultSerializer)
    def post(self, request):
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.items_act(
            actor=request.user,
            action=data["action"],
            keys=data["items"],
            public_reason=data["public_reason"],
            note=data["note"],
        )
        return Response({"done": result.done, "failed": result.failed})


class AppealCreateSerializer(serializers.Serializer):
    target_type = serializers.ChoiceField(choices=TARGET_TYPES)
    target_id = serializers.IntegerField(min_value=1)
    text = serializers.CharField(max_length=services.APPEAL_MAX_LENGTH)


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    target_type = serializers.CharField(source="target_kind")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class AppealCreateView(APIView):
    """The author appeals a moderation decision about their own contribution."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=AppealCreateSerializer, responses={201: AppealSerializer})
    def post(self, request):
        serializer = AppealCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = t.load(data["target_type"], data["target_id"])
        appeal = services.appeal_create(author=request.user, target=target, text=data["text"])
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)
