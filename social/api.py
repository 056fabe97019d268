"""REST API of the social app.

GET/POST /api/v1/social/channels/                        administrators
GET/POST /api/v1/consultations/{slug}/social-posts/      staff see every post, others the published
POST     /api/v1/social-posts/{id}/approve/              a second planner (403 with the reason)
POST/DELETE /api/v1/social/crisis-stop/                  start (with a reason) / lift
GET      /api/v1/social/approvals/                       posts waiting for my approval; paginated,
                                                         with the waiting count
POST     /api/v1/social-posts/{id}/send-back/            back to its author with a note
GET      /api/v1/social/calendar/                        the content calendar: view=week|month,
                                                         date=YYYY-MM-DD; posts per day, cadence
POST     /api/v1/social-posts/{id}/reschedule/           a new time (ISO 8601 with its offset)
GET      /api/v1/social/inbox/                           the comment inbox (planners), filters
                                                         consultation, channel (id or "site"),
                                                         unanswered, mine; paginated
POST     /api/v1/social/inbox/{source}/{id}/{action}/    source "social" or "site"; action
                                                         reply, assign, answered, official (and
                                                         hide, unhide for social); JSON text,
                                                         assigned_to
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
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


# --- The approval desk and the content calendar --------------------------------------------------
class DeskPostSerializer(serializers.ModelSerializer):
    """A post as the approval desk and the calendar show it."""

    channel = serializers.IntegerField(source="channel_id")
    channel_name = serializers.CharField(source="channel.name")
    platform = serializers.CharField(source="channel.platform")
    consultation = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()

    class Meta:
        model = SocialPost
        fields = [
            "id",
            "channel",
            "channel_name",
            "platform",
            "consultation",
            "author",
            "text",
            "state",
            "scheduled_at",
            "published_at",
            "created_at",
        ]

    def get_consultation(self, post: SocialPost) -> str | None:
        return post.consultation.slug if post.consultation_id else None

    def get_author(self, post: SocialPost) -> str | None:
        return post.created_by.public_name if post.created_by_id else None


def _require_desk(user) -> None:
    if not permissions.can_use_composer(user):
        raise PermissionDenied(
            gettext("Only planners and administrators use the communications desk.")
        )


class ApprovalsPagination(Pagination):
    """The page of posts, with `waiting`: how many wait for my approval in all."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["waiting"] = self.page.paginator.count
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["waiting"] = {"type": "integer", "example": 3}
        paginated["required"] = [*paginated.get("required", []), "waiting"]
        return paginated


class ApprovalsView(generics.ListAPIView):
    """Posts waiting for my approval: in the consultations I run, written by someone else,
    oldest first (the /social/approvals/ page's list)."""

    serializer_class = DeskPostSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = ApprovalsPagination

    def get_queryset(self):
        _require_desk(self.request.user)
        return selectors.awaiting_my_approval(self.request.user)


class SendBackSerializer(serializers.Serializer):
    note = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"What the author should change; at most {services.SEND_BACK_NOTE_MAX_LENGTH} "
        "characters.",
    )


class SendBackView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SendBackSerializer,
        responses={
            200: DeskPostSerializer,
            400: OpenApiResponse(
                description="The note is empty or too long, or the post waits no more"
            ),
            403: OpenApiResponse(description="Not allowed, e.g. the author sending back their own"),
            404: OpenApiResponse(description="No such post"),
        },
        summary="Send a post back to its author with a note instead of approving it",
    )
    def post(self, request, pk: int):
        post = get_object_or_404(SocialPost.objects.select_related("consultation"), pk=pk)
        refusal = permissions.approval_refusal(request.user, post)
        if refusal:
            raise PermissionDenied(refusal)
        serializer = SendBackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_send_back(
            actor=request.user, post=post, note=serializer.validated_data["note"]
        )
        return Response(DeskPostSerializer(_desk_post(post.pk)).data)


def _desk_post(pk: int) -> SocialPost:
    return SocialPost.objects.select_related("channel", "consultation", "created_by").get(pk=pk)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with its UTC offset: a time without one is ambiguous."""

    def to_internal_value(self, value):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None and timezone.is_naive(parsed):
            raise serializers.ValidationError(
                gettext("Give the time with its UTC offset, e.g. 2026-05-04T10:00:00+02:00.")
            )
        return super().to_internal_value(value)


class RescheduleSerializer(serializers.Serializer):
    scheduled_at = AwareDateTimeField(help_text="ISO 8601 with the UTC offset")


class RescheduleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=RescheduleSerializer,
        responses={
            200: DeskPostSerializer,
            400: OpenApiResponse(description="Not a future time, or the post can no longer move"),
            403: OpenApiResponse(description="Not a planner of the post's consultation"),
            404: OpenApiResponse(description="No such post"),
        },
        summary="Give a post a new time (the content calendar's move); an approval stands",
    )
    def post(self, request, pk: int):
        post = get_object_or_404(SocialPost.objects.select_related("consultation"), pk=pk)
        if not permissions.can_reschedule_post(request.user, post):
            raise PermissionDenied(gettext("Only planners of this consultation move its posts."))
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.post_reschedule(
            actor=request.user, post=post, scheduled_at=serializer.validated_data["scheduled_at"]
        )
        return Response(DeskPostSerializer(_desk_post(post.pk)).data)


class CalendarPostSerializer(DeskPostSerializer):
    when = serializers.DateTimeField(help_text="Where the post sits in the calendar")
    movable = serializers.SerializerMethodField()

    class Meta(DeskPostSerializer.Meta):
        fields = [*DeskPostSerializer.Meta.fields, "when", "movable"]

    def get_author(self, post: SocialPost) -> str | None:
        return None  # the calendar does not load the authors

    def get_movable(self, post: SocialPost) -> bool:
        """Whether the calendar offers to move it (the service has the last word)."""
        return post.state in (PostState.APPROVED, PostState.SCHEDULED)


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    posts = CalendarPostSerializer(many=True)


class CadenceSerializer(serializers.Serializer):
    channel = serializers.IntegerField(source="channel.pk")
    channel_name = serializers.CharField(source="channel.name")
    platform = serializers.CharField(source="channel.platform")
    planned = serializers.IntegerField()
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    rate = serializers.CharField()
    status = serializers.ChoiceField(choices=["below", "within", "above"])


class PeriodSerializer(serializers.Serializer):
    view = serializers.ChoiceField(choices=["week", "month"])
    start = serializers.DateField()
    last = serializers.SerializerMethodField()
    focus = serializers.DateField()
    previous = serializers.DateField()
    next = serializers.DateField()

    def get_last(self, period) -> date:
        return period.end - timedelta(days=1)


class CalendarSerializer(serializers.Serializer):
    period = PeriodSerializer()
    days = CalendarDaySerializer(many=True)
    cadence = CadenceSerializer(many=True)


class CalendarView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=["week", "month"], description="week by default"),
            OpenApiParameter("date", OpenApiTypes.DATE, description="a day in the period; today"),
        ],
        responses={200: CalendarSerializer},
        summary="The content calendar: the period's posts per day and each channel's cadence",
    )
    def get(self, request):
        from django.core.exceptions import ValidationError

        from consultations.models import Consultation
        from social import calendar
        from social.forms import CalendarForm

        _require_desk(request.user)
        form = CalendarForm(request.query_params or None)
        chosen = {}
        if form.is_bound:
            if not form.is_valid():
                raise ValidationError(
                    {field: list(errors) for field, errors in form.errors.items()}
                )
            chosen = form.cleaned_data
        period = calendar.period_for(
            chosen.get("view") or "week", chosen.get("date") or timezone.localdate()
        )
        result = calendar.build(period, Consultation.objects.managed_by(request.user))
        data = {
            "period": period,
            "days": [{"date": day, "posts": posts} for day, posts in result.days.items()],
            "cadence": result.plans,
        }
        return Response(CalendarSerializer(data).data)
