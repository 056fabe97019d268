from django.urls import path

from . import api

urlpatterns = [
    path("topics/<int:pk>/comments/", api.TopicCommentsView.as_view(), name="api-topic-comments"),
    path("ideas/<int:pk>/comments/", api.IdeaCommentsView.as_view(), name="api-idea-comments"),
    path("comments/<int:pk>/", api.CommentView.as_view(), name="api-comment"),
    path(
        "comments/<int:pk>/replies/",
        api.CommentRepliesView.as_view(),
        name="api-comment-replies",
    ),
    path("comments/<int:pk>/vote/", api.CommentVoteView.as_view(), name="api-comment-vote"),
    path(
        "comments/<int:pk>/official/",
        api.CommentOfficialView.as_view(),
        name="api-comment-official",
    ),
    path("topics/<int:pk>/poll/", api.TopicPollView.as_view(), name="api-topic-poll"),
    path(
        "consultations/<slug:slug>/plan-comments.geojson",
        api.PlanCommentFeedView.as_view(),
        name="api-plan-comments-geojson",
    ),
]
