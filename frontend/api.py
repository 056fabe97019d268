"""/api/v1/search/?q=: the site-wide search of frontend.search, as JSON, with the same rules of
what each visitor may find (the apps' `search_*` selectors) and the same rate limit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from civic import ratelimit
from civic.search import MAX_QUERY_LENGTH, search_words

from .search import GROUPS, PER_PAGE, PREVIEW, parse_group, parse_page, search

EXCERPT = 200


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _consultation(request, consultation) -> dict:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "status": consultation.status,
        "url": request.build_absolute_uri(consultation.get_absolute_url()),
    }


def _idea(request, idea) -> dict:
    return {
        "reference": idea.reference,
        "title": idea.title,
        "excerpt": _excerpt(idea.description),
        "consultation": idea.consultation.slug,
        "author": idea.author.public_name if idea.author else None,
        "created_at": idea.created_at.isoformat(),
        "url": request.build_absolute_uri(idea.get_absolute_url()),
    }


def _topic(request, topic) -> dict:
    return {
        "id": topic.pk,
        "title": topic.title,
        "excerpt": _excerpt(topic.introduction),
        "consultation": topic.consultation.slug,
        "url": request.build_absolute_uri(topic.get_absolute_url()),
    }


def _comment(request, comment) -> dict:
    target = comment.target
    focus = f"{target.get_absolute_url()}?comment={comment.pk}#comment-{comment.pk}"
    return {
        "id": comment.pk,
        "excerpt": _excerpt(comment.body),
        "on": target.title,
        "consultation": comment.consultation.slug,
        "author": comment.author.public_name if comment.author else None,
        "created_at": comment.created_at.isoformat(),
        "url": request.build_absolute_uri(focus),
    }


SERIALIZE = {
    "consultations": _consultation,
    "ideas": _idea,
    "topics": _topic,
    "comments": _comment,
}


class SearchGroupSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Results of this kind in all.")
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = serializers.ListField(child=serializers.DictField())


class SearchGroupsSerializer(serializers.Serializer):
    consultations = SearchGroupSerializer(required=False)
    ideas = SearchGroupSerializer(required=False)
    topics = SearchGroupSerializer(required=False)
    comments = SearchGroupSerializer(required=False)


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The words looked for.")
    page_size = serializers.IntegerField()
    groups = SearchGroupsSerializer()


class SearchView(APIView):
    """Search consultations, ideas, debate topics and comments for every word of `q`.

    Each group holds what this caller may read: published consultations (drafts only for staff
    who may see them), public ideas, topics of visible consultations, and comments neither
    hidden nor deleted (plus the caller's own waiting for approval). Without `group`, the first
    five of each kind; with it, that kind page by page (`page`, 20 a page). Authors appear by
    their public name only.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=f"Words to look for, at most {MAX_QUERY_LENGTH} characters.",
            ),
            OpenApiParameter("group", OpenApiTypes.STR, enum=list(GROUPS)),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page of `group`."),
        ],
        responses={200: SearchResultsSerializer},
    )
    def get(self, request):
        try:
            words = search_words(request.query_params.get("q", ""))
            group = parse_group(request.query_params.get("group"))
        except ValidationError as error:
            field = "group" if error.code == "invalid" else "q"
            raise serializers.ValidationError({field: error.messages}) from None
        if not words:
            raise serializers.ValidationError({"q": [_("Enter something to search for.")]})
        ratelimit.raise_for_api(request, "search")
        groups = search(
            request.user, words, group=group, page=parse_page(request.query_params.get("page"))
        )
        return Response(
            {
                "query": " ".join(words),
                "page_size": PER_PAGE if group else PREVIEW,
                "groups": {
                    g.name: {
                        "count": g.count,
                        "page": g.number,
                        "has_next": g.has_next,
                        "results": [SERIALIZE[g.name](request, item) for item in g.items],
                    }
                    for g in groups
                },
            }
        )
