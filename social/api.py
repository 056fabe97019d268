"""REST API of the social app.

GET/POST /api/v1/social/channels/                        administrators
GET/POST /api/v1/consultations/{slug}/social-posts/      staff see every post, others the published
POST     /api/v1/social-posts/{id}/approve/              a second planner (403 with the reason)
POST/DELETE /api/v1/social/crisis-stop/                  start (with a reason) / lift
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.models import Consultation
from consultations.selectors import consultation_for_viewer
from social import permissions, selectors, services
from social.models import PLATFORM_CHOICES, Channel, CrisisStop, PostState, SocialPost
from social.readback import METRIC_NAMES


class ChannelSerializer(serializers.ModelSerializer):
    platform = serializers.ChoiceField(choices=PLATFORM_CHOICES)
    credentials = serializers.DictField(
        child=serializers.CharField(),
        write_only=True,
        help_text="The platform's credential fields.",
    )
    owners = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = [
            "id",
            "platform",
            "name",
            "base_url",
            "credentials",
            "state",
            "state_reason",
            "token_expires_at",
            "max_characters",
            "remote_url",
            "owners",
        ]
        read_only_fields = ["state", "state_reason", "max_characters", "remote_url"]
        extra_kwargs = {"name": {"required": False}, "base_url": {"required": False}}

    def get_owners(self, channel: Channel) -> list[str]:
        return [owner.public_name for owner in channel.owners.all()]


class IsChannelAdministrator(IsAuthenticated):
    message = "Only administrators manage social channels."

    def has_permission(self, request, view) -> bool:
        return permissions.can_manage_channels(request.user)


class ChannelListView(generics.ListCreateAPIView):
    serializer_class = ChannelSerializer
    permission_classes = [IsChannelAdministrator]

    def get_queryset(self):
        return selectors.channels()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.channel_connect(
            actor=self.request.user,
            platform=data["platform"],
            name=data.get("name", ""),
            base_url=data.get("base_url", ""),
            credentials=data["credentials"],
            token_expires_at=data.get("token_expires_at"),
        )


class MetricsSerializer(serializers.Serializer):
    reach = serializers.IntegerField(allow_null=True, help_text="null: not available")
    views = serializers.IntegerField(allow_null=True)
    reactions = serializers.IntegerField(allow_null=True)
    comments = serializers.IntegerField(allow_null=True)
    shares = serializers.IntegerField(allow_null=True)


class SocialPostSerializer(serializers.ModelSerializer):
    channel = serializers.PrimaryKeyRelatedField(queryset=Channel.objects.listed())
    platform = serializers.CharField(source="channel.platform", read_only=True)
    engagement = serializers.SerializerMethodField()
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True)

    class Meta:
        model = SocialPost
        fields = [
            "id",
            "channel",
            "platform",
            "text",
            "link",
            "state",
            "origin",
            "scheduled_at",
            "published_at",
            "remote_id",
            "remote_url",
            "engagement",
            "metrics_fetched_at",
            "error",
        ]
        read_only_fields = [
            "link",
            "state",
            "origin",
            "published_at",
            "remote_id",
            "remote_url",
            "metrics_fetched_at",
            "error",
        ]

    @extend_schema_field(MetricsSerializer)
    def get_engagement(self, post: SocialPost) -> dict:
        metrics = post.metrics or {}
        return {name: metrics.get(name) for name in METRIC_NAMES}


def _consultation(slug: str, user) -> Consultation:
    return consultation_for_viewer(user, slug, queryset=Consultation.objects.all())


class ConsultationPostsView(generics.ListCreateAPIView):
    """Posts of a consultation. Staff of the consultation see every state; others see what was
    published. POST writes a draft that a second planner must approve."""

    serializer_class = SocialPostSerializer
    permission_classes = [AllowAny]  # social.permissions decides, per consultation

    def get_queryset(self):
        consultation = _consultation(self.kwargs["slug"], self.request.user)
        posts = selectors.posts_for(consultation)
        if not permissions.can_see_post_list(self.request.user, consultation):
            posts = posts.filter(state=PostState.PUBLISHED)
        return posts

    def create(self, request, *args, **kwargs):
        consultation = _consultation(self.kwargs["slug"], request.user)
        if not permissions.can_use_composer(request.user, consultation):
            raise PermissionDenied("Only planners of this consultation write its posts.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        post = services.post_create(
            actor=request.user,
            channel=data["channel"],
            text=data["text"],
            consultation=consultation,
            scheduled_at=data.get("scheduled_at"),
        )
        return Response(self.get_serializer(post).data, status=status.HTTP_201_CREATED)


class ApprovePostView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: SocialPostSerializer,
            403: OpenApiResponse(description="Not allowed, e.g. the author approving their own"),
        },
        summary="Approve a post (a second planner); it goes to the outbox",
    )
    def post(self, request, pk: int):
        post = get_object_or_404(SocialPost.objects.select_related("consultation"), pk=pk)
        post = services.post_approve(actor=request.user, post=post)
        return Response(SocialPostSerializer(post, context={"request": request}).data)


class CrisisStopSerializer(serializers.ModelSerializer):
    started_by = serializers.SerializerMethodField()

    class Meta:
        model = CrisisStop
        fields = ["id", "active", "reason", "started_by", "started_at", "ended_at"]
        read_only_fields = ["active", "started_at", "ended_at"]

    def get_started_by(self, stop: CrisisStop) -> str | None:
        return stop.started_by.public_name if stop.started_by else None


class CrisisStopView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CrisisStopSerializer, 204: None}, summary="The active stop")
    def get(self, request):
        if not permissions.can_stop_publishing(request.user):
            raise PermissionDenied("Only planners and administrators see the crisis stop.")
        stop = selectors.active_stop()
        if stop is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(CrisisStopSerializer(stop).data)

    @extend_schema(
        request=CrisisStopSerializer,
        responses={201: CrisisStopSerializer},
        summary="Stop publishing on every channel",
    )
    def post(self, request):
        serializer = CrisisStopSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stop = services.crisis_stop_start(
            actor=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(CrisisStopSerializer(stop).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CrisisStopSerializer}, summary="Lift the stop")
    def delete(self, request):
        stop = services.crisis_stop_lift(actor=request.user)
        return Response(CrisisStopSerializer(stop).data)
