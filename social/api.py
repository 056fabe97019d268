"""REST API of the social app.

GET/POST /api/v1/social/channels/                        administrators
GET/POST /api/v1/consultations/{slug}/social-posts/      staff see every post, others the published
POST     /api/v1/social-posts/{id}/approve/              a second planner (403 with the reason)
POST/DELETE /api/v1/social/crisis-stop/                  start (with a reason) / lift
GET      /api/v1/social/inbox/                           the comment inbox (planners), filters
                                                         consultation, channel (id or "site"),
                                                         unanswered, mine; paginated
POST     /api/v1/social/inbox/{source}/{id}/{action}/    source "social" or "site"; action
                                                         reply, assign, answered, official (and
                                                         hide, unhide for social); JSON text,
                                                         assigned_to
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civic.api import Pagination
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


# --- The comment inbox ---------------------------------------------------------------------------
class InboxItemSerializer(serializers.Serializer):
    """One inbox row. Residents' names are their public names (the platform's public author
    name, or the site's public name); nothing else about them."""

    source = serializers.CharField()
    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField(source="when", allow_null=True)
    author = serializers.CharField(source="author_name")
    text = serializers.CharField()
    channel = serializers.CharField(source="channel_label")
    platform = serializers.CharField()
    consultation = serializers.SerializerMethodField()
    url = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer_text = serializers.CharField()
    assigned_to = serializers.SerializerMethodField()
    hidden_on_platform = serializers.BooleanField()
    official_answer_url = serializers.CharField(source="official_url")

    def get_consultation(self, item) -> str | None:
        return item.consultation.slug if item.consultation else None

    def get_assigned_to(self, item) -> str | None:
        return item.assigned_to.public_name if item.assigned_to else None


class InboxPageSerializer(serializers.Serializer):
    """A page of the inbox, in the shape every paginated list of the API has."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InboxItemSerializer(many=True)


class InboxActionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    assigned_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)


def _require_inbox_reader(user) -> None:
    if not permissions.can_use_composer(user):
        raise PermissionDenied("Only planners and administrators use the comment inbox.")


class InboxView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: InboxPageSerializer},
        summary="The comment inbox: the platforms' comments and the site's debate, newest first",
    )
    def get(self, request):
        from django.core.exceptions import ValidationError

        from social.forms import InboxFilterForm

        _require_inbox_reader(request.user)
        form = InboxFilterForm(
            {k: v for k, v in request.query_params.items() if k != "page"} or None,
            user=request.user,
        )
        chosen = {}
        if form.is_bound:
            if not form.is_valid():
                raise ValidationError(
                    {field: list(errors) for field, errors in form.errors.items()}
                )
            chosen = form.cleaned_data
        items = selectors.inbox(
            request.user,
            consultation=chosen.get("consultation"),
            channel=chosen.get("channel"),
            unanswered=chosen.get("unanswered", False),
            assigned_to=request.user if chosen.get("mine") else None,
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(items, request, view=self)
        return paginator.get_paginated_response(InboxItemSerializer(page, many=True).data)


class InboxActionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=InboxActionSerializer,
        responses={200: InboxItemSerializer},
        summary="Answer, assign, mark answered, hide or publish an inbox item as official",
    )
    def post(self, request, source: str, pk: int, action: str):
        from civic.models import User

        _require_inbox_reader(request.user)
        if source not in services.INBOX_ACTIONS:
            return Response({"source": ["Choose social or site."]}, status=400)
        serializer = InboxActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = selectors.inbox_object(request.user, source, pk)
        if item is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        if source == selectors.SITE and not permissions.can_answer_site_comment(request.user, item):
            raise PermissionDenied("Only planners of this consultation answer its comments.")
        assignee = None
        if action == "assign" and data.get("assigned_to"):
            assignee = User.objects.filter(pk=data["assigned_to"]).first()
            if assignee is None:
                return Response({"assigned_to": ["Choose a colleague."]}, status=400)
        services.inbox_act(
            actor=request.user,
            item=item,
            action=action,
            text=data.get("text", ""),
            assignee=assignee,
        )
        fresh = selectors.inbox_item(request.user, source, pk)
        return Response(InboxItemSerializer(fresh).data if fresh else {"source": source, "id": pk})
