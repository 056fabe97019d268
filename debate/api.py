"""The debate in the REST API. The views call the same services and selectors as the pages."""

import hashlib
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from civic import query_params, ratelimit
from civic.pagecache import page_version_keys
from civic.reasons import public_reason_label
from consultations.api import GeoJSONRenderer
from consultations.models import Topic
from consultations.selectors import topic_for_viewer
from ideas.models import Idea
from ideas.selectors import idea_by_id_for_viewer

from . import selectors, services
from .models import COMMENT_MAX_LENGTH, Comment, Stance

# --- serializers ----------------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The public name; never an e-mail address.")


class PendingCommentEditSerializer(serializers.Serializer):
    body = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class PlanFeatureRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The plan feature's stable id (plan layer feeds).")
    name = serializers.CharField()
    layer = serializers.CharField(help_text="The plan layer's name.")


class AnchorSerializer(serializers.Serializer):
    longitude = serializers.FloatField(help_text="WGS 84, snapped onto the feature.")
    latitude = serializers.FloatField()
    fraction = serializers.FloatField(
        allow_null=True, help_text="Along a line feature, 0 at its start to 1 at its end."
    )


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField(help_text="Real depth in the thread; 0 for top level.")
    in_reply_to = serializers.SerializerMethodField(
        help_text="For replies shown flattened under an ancestor: the comment they answer."
    )
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text="Markdown; empty when deleted or hidden.")
    body_html = serializers.SerializerMethodField(help_text="Sanitised HTML of the body.")
    stance = serializers.CharField()
    is_official = serializers.BooleanField()
    is_deleted = serializers.BooleanField()
    is_hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField(
        source="get_hidden_reason_display",
        help_text="Why the comment is hidden, in the language of the request.",
    )
    hidden_reason_code = serializers.CharField(
        source="hidden_reason",
        help_text="The same reason as a code (personal_data, offensive, spam, off_topic, "
        "rules, awaiting_decision); empty when not hidden.",
    )
    edited_at = serializers.DateTimeField(
        allow_null=True, help_text="When the author last edited the comment."
    )
    moderator_edited_at = serializers.DateTimeField(
        allow_null=True,
        read_only=True,
        help_text="When a moderator last edited the comment; shown publicly as such.",
    )
    created_at = serializers.DateTimeField()
    upvotes = serializers.IntegerField()
    downvotes = serializers.IntegerField()
    score = serializers.FloatField(help_text="Wilson lower bound of the up and down votes.")
    your_vote = serializers.SerializerMethodField(help_text="1, -1 or 0.")
    pending_edit = serializers.SerializerMethodField(
        help_text="The author's edit waiting for a planner, shown to the author only; null for "
        "everyone else, who read the approved `body`."
    )
    plan_feature = serializers.SerializerMethodField(
        help_text="The part of the plan a top-level comment is about; null when none."
    )
    anchor = serializers.SerializerMethodField(
        help_text="The point on that part of the plan; null when the comment has none."
    )
    replies = serializers.SerializerMethodField()
    reply_count = serializers.IntegerField(
        default=0,
        help_text="Published replies to this comment; `replies` shows the first few of them.",
    )
    replies_next = serializers.CharField(
        allow_null=True,
        default=None,
        help_text="Where the rest of the replies are (GET comments/{id}/replies/, paged by a "
        "cursor); null when `replies` shows them all.",
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_in_reply_to(self, comment) -> int | None:
        other = getattr(comment, "in_reply_to", None)
        return other.pk if other is not None else None

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_author(self, comment):
        return {"name": comment.author.public_name} if comment.author else None

    def get_body(self, comment) -> str:
        return comment.body if comment.is_visible else ""

    def get_body_html(self, comment) -> str:
        return comment.rendered_body if comment.is_visible else ""

    def get_your_vote(self, comment) -> int:
        return getattr(comment, "viewer_vote", 0)

    @extend_schema_field(PendingCommentEditSerializer(allow_null=True))
    def get_pending_edit(self, comment):
        return _pending_edit(comment, self.context.get("viewer_id"))

    @extend_schema_field(PlanFeatureRefSerializer(allow_null=True))
    def get_plan_feature(self, comment):
        return _plan_feature(comment)

    @extend_schema_field(AnchorSerializer(allow_null=True))
    def get_anchor(self, comment):
        return _anchor(comment)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.DictField(), help_text="Replies, each shaped like a comment."
        )
    )
    def get_replies(self, comment):
        return CommentSerializer(
            getattr(comment, "display_replies", []), many=True, context=self.context
        ).data


class CommentPageSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    sort = serializers.CharField()
    stance = serializers.CharField()
    comment_count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CommentSerializer(many=True)


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=True)
    parent = serializers.IntegerField(required=False, allow_null=True)
    stance = serializers.ChoiceField(choices=Stance.choices, required=False, allow_blank=True)
    official = serializers.BooleanField(
        required=False, default=False, help_text="Planners: publish as the official answer."
    )
    plan_feature = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A top-level comment in a topic: the id of the plan feature it is about.",
    )
    anchor_longitude = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="With plan_feature: a point on it (WGS 84), within "
        "PLAN_COMMENT_TOLERANCE_METRES; snapped onto a line.",
    )
    anchor_latitude = serializers.FloatField(required=False, allow_null=True)


class CommentUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=True)


class VoteSerializer(serializers.Serializer):
    value = serializers.ChoiceField(
        choices=[(1, "up"), (-1, "down"), (0, "withdraw")],
        help_text="1 up, -1 down, 0 withdraws the vote.",
    )


class OfficialSerializer(serializers.Serializer):
    official = serializers.BooleanField(default=True)


class PollOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="Null while results are hidden.")
    percent = serializers.IntegerField(allow_null=True)


class PollSerializer(serializers.Serializer):
    question = serializers.CharField()
    multiple = serializers.BooleanField()
    is_open = serializers.BooleanField()
    results_visible = serializers.BooleanField()
    respondents = serializers.IntegerField(allow_null=True)
    your_answer = serializers.ListField(child=serializers.IntegerField())
    options = PollOptionSerializer(many=True)


class PollAnswerSerializer(serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


# --- helpers --------------------------------------------------------------------------------------


def _page_params(request: Request) -> tuple[int, int]:
    """The page and page size, each refused with its own reason (both at once, if both are off)."""
    errors, values = {}, {}
    for name, read in (
        ("page", lambda raw: query_params.page_number(raw)),
        (
            "page_size",
            lambda raw: query_params.bounded_int(
                raw, name="page_size", minimum=1, maximum=100, default=selectors.ROOTS_PER_PAGE
            ),
        ),
    ):
        try:
            values[name] = read(request.query_params.get(name))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return values["page"], values["page_size"]


def _pending_edit(comment: Comment, viewer_id: int | None) -> dict | None:
    """The author's waiting edit, for the author's eyes only."""
    if not comment.has_pending_edit or viewer_id is None or comment.author_id != viewer_id:
        return None
    return {"body": comment.pending_body, "submitted_at": _datetime(comment.pending_edit_at)}


def _plan_feature(comment: Comment) -> dict | None:
    if not comment.plan_feature_id or comment.is_deleted:
        return None
    feature = comment.plan_feature
    return {"id": feature.pk, "name": str(feature), "layer": feature.layer.name}


def _anchor(comment: Comment) -> dict | None:
    if comment.anchor_longitude is None or comment.is_deleted:
        return None
    return {
        "longitude": comment.anchor_longitude,
        "latitude": comment.anchor_latitude,
        "fraction": comment.anchor_fraction,
    }


def comment_data(comment: Comment, viewer_id: int | None = None, replies_url=None) -> dict:
    """A comment and its displayed replies as CommentSerializer describes them.

    Built by hand because a page holds a few hundred comments and a nested DRF serializer
    costs about half a millisecond for each; tests hold the keys equal to the serializer's.
    `replies_url(comment, after)` gives the address of the replies not shown.
    """
    visible = comment.is_visible
    other = getattr(comment, "in_reply_to", None)
    shown = getattr(comment, "display_replies", [])
    reply_count = getattr(comment, "reply_count", len(shown))
    replies_next = None
    if replies_url is not None and reply_count > len(shown):
        replies_next = replies_url(comment, selectors.reply_cursor(shown[-1]) if shown else None)
    return {
        "id": comment.pk,
        "parent": comment.parent_id,
        "depth": comment.depth,
        "in_reply_to": other.pk if other is not None else None,
        "author": {"name": comment.author.public_name} if comment.author else None,
        "body": comment.body if visible else "",
        "body_html": str(comment.rendered_body) if visible else "",
        "stance": comment.stance,
        "is_official": comment.is_official,
        "is_deleted": comment.is_deleted,
        "is_hidden": comment.is_hidden,
        "hidden_reason": public_reason_label(comment.hidden_reason),
        "hidden_reason_code": comment.hidden_reason,
        "edited_at": _datetime(comment.edited_at),
        "moderator_edited_at": _datetime(comment.moderator_edited_at),
        "created_at": _datetime(comment.created_at),
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "score": comment.score,
        "your_vote": getattr(comment, "viewer_vote", 0),
        "pending_edit": _pending_edit(comment, viewer_id),
        "plan_feature": _plan_feature(comment),
        "anchor": _anchor(comment),
        "replies": [comment_data(reply, viewer_id, replies_url) for reply in shown],
        "reply_count": reply_count,
        "replies_next": replies_next,
    }


_DATETIME = serializers.DateTimeField()


def _datetime(value):
    return _DATETIME.to_representation(value) if value is not None else None


def _single(comment: Comment, request: Request) -> dict:
    comment.viewer_vote = getattr(comment, "viewer_vote", 0)
    comment.display_replies = []
    return comment_data(comment, request.user.pk)


# --- views ----------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("page", int, description="Page of top-level comments, from 1."),
    OpenApiParameter("page_size", int, description="Top-level comments per page (1-100)."),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), description="Default: best."),
]


class _CommentsView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    model: type = Topic
    # The one "load it or 404" lookup of the model's own app.
    target_for_viewer = staticmethod(topic_for_viewer)

    # The consultation a target belongs to, without a query (None: anonymous answers of this
    # kind of target are not kept).
    consultation_of = None

    def get(self, request: Request, pk: int) -> Response:
        key = _kept_answer_key(self, request, pk)
        content = cache.get(key) if key else None
        if content is not None:
            return _kept_answer(request, content)
        response = self._answer(request, pk)
        if key and response.status_code == 200:
            # Only what an anonymous visitor may read got here (the lookup answers 404 else).
            content = JSONRenderer().render(response.data)
            cache.set(key, content, settings.PAGE_CACHE_SECONDS)
            return _kept_answer(request, content)
        return response

    def _answer(self, request: Request, pk: int) -> Response:
        target = self.target_for_viewer(request.user, pk)
        page_number, size = _page_params(request)
        stance = request.query_params.get("stance", "")
        if stance and stance not in Stance.values:
            raise ValidationError({"stance": ["Choose for, against or neutral."]})
        sort = request.query_params.get("sort", selectors.DEFAULT_SORT)
        if sort not in selectors.SORTS:
            raise ValidationError({"sort": [f"Choose one of {', '.join(selectors.SORTS)}."]})
        plan_feature = request.query_params.get("plan_feature", "")
        if plan_feature and not plan_feature.isdigit():
            raise ValidationError({"plan_feature": ["Give a plan feature's id (a number)."]})
        page = selectors.bounded_comment_page(
            target=target,
            viewer=request.user,
            sort=sort,
            stance=stance,
            plan_feature=int(plan_feature) if plan_feature else None,
            page=page_number,
            per_page=size,
        )

        def link(number: int) -> str:
            query = request.query_params.copy()
            query["page"] = number
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        replies_url = _replies_url(request)

        return Response(
            {
                "page": page.number,
                "sort": page.sort,
                "stance": page.stance,
                "comment_count": target.comment_count,
                "next": link(page.next_number) if page.has_next else None,
                "previous": link(page.previous_number) if page.has_previous else None,
                "results": [
                    comment_data(root, request.user.pk, replies_url) for root in page.roots
                ],
            }
        )

    def post(self, request: Request, pk: int) -> Response:
        target = self.target_for_viewer(request.user, pk)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parent = None
        if data.get("parent") is not None:
            parent = selectors.comments_visible_to(request.user).filter(pk=data["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": ["There is no comment with this id."]})
        ratelimit.raise_for_api(request, "comment")
        comment = services.comment_create(
            author=request.user,
            target=target,
            body=data["body"],
            parent=parent,
            stance=data.get("stance", ""),
            official=data.get("official", False),
            plan_feature=data.get("plan_feature"),
            anchor_longitude=data.get("anchor_longitude"),
            anchor_latitude=data.get("anchor_latitude"),
        )
        return Response(_single(comment, request), status=status.HTTP_201_CREATED)


def _kept_answer_key(view, request: Request, pk: int) -> str | None:
    """Cache key of an anonymous visitor's page of threads (None: not kept).

    Every anonymous visitor reads the same page of a topic (no votes of their own, no edits
    waiting), so it is kept PAGE_CACHE_SECONDS under the consultation's page versions
    (civic.pagecache): a new, edited, hidden or deleted comment replaces it at once, votes are
    at most that old, as on the cached pages. A kept page costs no query.
    """
    if (
        view.consultation_of is None
        or settings.PAGE_CACHE_SECONDS <= 0
        or request.user.is_authenticated
    ):
        return None
    consultation_id = view.consultation_of(pk)
    if consultation_id is None:
        return None
    versions = cache.get_many(page_version_keys(consultation_id))
    fingerprint = repr(
        (
            view.model.__name__,
            pk,
            consultation_id,
            sorted(versions.items()),
            get_language(),
            request.get_host(),
            sorted(request.query_params.lists()),
        )
    ).encode()
    return "debate:threads:" + hashlib.sha256(fingerprint).hexdigest()


def _kept_answer(request: Request, content: bytes) -> HttpResponse:
    return HttpResponse(content, content_type="application/json")


TOPIC_CONSULTATION_SECONDS = 24 * 3600


def topic_consultation_id(pk: int) -> int | None:
    """The consultation of a topic, kept in the cache: a topic never moves to another one."""
    key = f"debate:topic-consultation:{pk}"
    consultation_id = cache.get(key)
    if consultation_id is None:
        consultation_id = (
            Topic.objects.filter(pk=pk).values_list("consultation_id", flat=True).first()
        )
        if consultation_id is not None:
            cache.set(key, consultation_id, TOPIC_CONSULTATION_SECONDS)
    return consultation_id


@extend_schema(tags=["debate"])
class TopicCommentsView(_CommentsView):
    model = Topic
    consultation_of = staticmethod(topic_consultation_id)

    @extend_schema(
        summary="Comment threads of a debate topic",
        parameters=[
            *LIST_PARAMETERS,
            OpenApiParameter("stance", str, enum=Stance.values, description="Only one side."),
            OpenApiParameter(
                "plan_feature",
                int,
                description="Only the comments on this plan feature (its id in the plan "
                "layer feeds).",
            ),
        ],
        responses=CommentPageSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    @extend_schema(
        summary="Comment on a topic, or reply with `parent`",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


@extend_schema(tags=["debate"])
class IdeaCommentsView(_CommentsView):
    model = Idea
    target_for_viewer = staticmethod(idea_by_id_for_viewer)

    @extend_schema(
        summary="Comment threads of an idea",
        parameters=LIST_PARAMETERS,
        responses=CommentPageSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    @extend_schema(
        summary="Comment on an idea, or reply with `parent`",
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


@extend_schema(tags=["debate"])
class CommentView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(summary="One comment", responses=CommentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        comment = selectors.comment_for_viewer(request.user, pk)
        return Response(_single(comment, request))

    @extend_schema(
        summary="Edit your comment",
        request=CommentUpdateSerializer,
        responses=CommentSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        comment = selectors.comment_for_viewer(request.user, pk)
        # A JSON body that is no object (null, a number) is left to the serializer's 400.
        given = request.data if isinstance(request.data, Mapping) else {}
        unknown = sorted(set(given) - {"body"})
        if unknown:
            raise ValidationError({field: ["This field cannot be changed."] for field in unknown})
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_edit(
            actor=request.user, comment=comment, body=serializer.validated_data["body"]
        )
        return Response(_single(comment, request))

    @extend_schema(
        summary="Delete your comment (the text goes, replies stay)", responses={204: None}
    )
    def delete(self, request: Request, pk: int) -> Response:
        comment = selectors.comment_for_viewer(request.user, pk)
        services.comment_delete(actor=request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["debate"])
def _replies_url(request: Request, *, keep: tuple[str, ...] = ()):
    """`replies_url` for comment_data: the replies of a comment after a cursor (with the
    request's own `keep` parameters, such as the page size of the page being read)."""
    base = request.build_absolute_uri(reverse("api-comment-replies", kwargs={"pk": 0}))
    base = base.rsplit("/0/", 1)[0]
    kept = {name: request.query_params[name] for name in keep if name in request.query_params}

    def url(comment: Comment, after: str | None) -> str:
        address = f"{base}/{comment.pk}/replies/"
        query = {**({"after": after} if after else {}), **kept}
        return f"{address}?{urlencode(query)}" if query else address

    return url


class ReplyPageSerializer(serializers.Serializer):
    parent = serializers.IntegerField()
    reply_count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    results = CommentSerializer(many=True)


@extend_schema(tags=["debate"])
class CommentRepliesView(APIView):
    """The direct replies of one comment, official answers first, then oldest first, each with
    its first replies; paged by a cursor (`next`), so a thread of thousands of replies is read
    a page at a time."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="Replies to a comment, a page at a time",
        parameters=[
            OpenApiParameter("after", str, description="The cursor from the previous `next`."),
            OpenApiParameter("page_size", int, description="Replies per page (1-100)."),
        ],
        responses=ReplyPageSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        parent = selectors.comment_for_viewer(request.user, pk)
        _page, size = _page_params(request)
        after = request.query_params.get("after") or None
        try:
            page = selectors.reply_page(
                parent=parent, viewer=request.user, after=after, per_page=size
            )
        except ValueError as error:
            raise ValidationError({"after": ["This is not a cursor from `next`."]}) from error
        replies_url = _replies_url(request)
        next_page = _replies_url(request, keep=("page_size",))
        return Response(
            {
                "parent": parent.pk,
                "reply_count": Comment.objects.published().filter(parent=parent).count(),
                "next": next_page(parent, page.next_cursor) if page.next_cursor else None,
                "results": [
                    comment_data(reply, request.user.pk, replies_url) for reply in page.replies
                ],
            }
        )


class CommentVoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Vote on a comment: 1 up, -1 down, 0 withdraw",
        request=VoteSerializer,
        responses=CommentSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        comment = selectors.comment_for_viewer(request.user, pk)
        serializer = VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = serializer.validated_data["value"]
        comment = services.comment_vote(user=request.user, comment=comment, value=value)
        comment.viewer_vote = value
        return Response(_single(comment, request))


@extend_schema(tags=["debate"])
class CommentOfficialView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark a staff comment as the municipality's official answer (planners)",
        request=OfficialSerializer,
        responses=CommentSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        comment = selectors.comment_for_viewer(request.user, pk)
        serializer = OfficialSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_mark_official(
            actor=request.user, comment=comment, official=serializer.validated_data["official"]
        )
        return Response(_single(comment, request))


def _poll_data(poll: selectors.Poll) -> dict:
    visible = poll.results_visible
    return {
        "question": poll.topic.poll_question,
        "multiple": poll.topic.poll_multiple,
        "is_open": poll.is_open,
        "results_visible": visible,
        "respondents": poll.respondents if visible else None,
        "your_answer": sorted(poll.viewer_choices),
        "options": [
            {
                "id": result.option.pk,
                "label": result.option.label,
                "count": result.count if visible else None,
                "percent": result.percent if visible else None,
            }
            for result in poll.results
        ],
    }


@extend_schema(tags=["debate"])
class TopicPollView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def _poll(self, request: Request, pk: int) -> tuple[Topic, selectors.Poll]:
        topic = topic_for_viewer(request.user, pk)
        poll = selectors.poll_for(topic, request.user)
        if poll is None:
            raise Http404("This topic has no poll.")
        return topic, poll

    @extend_schema(
        summary="The poll of a topic and, when shown, its results", responses=PollSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        _, poll = self._poll(request, pk)
        return Response(PollSerializer(_poll_data(poll)).data)

    @extend_schema(
        summary="Answer the poll (replaces an earlier answer while the poll is open)",
        request=PollAnswerSerializer,
        responses=PollSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        topic, _ = self._poll(request, pk)
        serializer = PollAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.poll_answer(
            user=request.user, topic=topic, option_ids=serializer.validated_data["options"]
        )
        _, poll = self._poll(request, pk)
        return Response(PollSerializer(_poll_data(poll)).data)


@extend_schema(tags=["debate"])
class PlanCommentFeedView(APIView):
    """Where the public comments on a consultation's plan are, as an RFC 7946
    FeatureCollection of points with counts: each line of the plan cut into sections (the
    comments' fraction along it), one point for each area or point feature. Counts only: no
    text, no names. Hidden, deleted and waiting comments never count."""

    permission_classes = [AllowAny]
    # The schema then names the media type the answer has (application/geo+json).
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        summary="Comments on the plan, counted along its features (GeoJSON)",
    )
    def get(self, request: Request, slug: str) -> HttpResponse:
        from consultations.models import Consultation
        from consultations.selectors import consultation_for_viewer

        consultation = consultation_for_viewer(
            request.user, slug, queryset=Consultation.objects.only("pk", "slug", "status")
        )
        response = HttpResponse(
            selectors.plan_comment_feed(consultation), content_type="application/geo+json"
        )
        draft = consultation.status == Consultation.Status.DRAFT
        response["Cache-Control"] = "private, no-store" if draft else "public, max-age=60"
        return response
