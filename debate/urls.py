from django.urls import path

from . import views

app_name = "debate"

urlpatterns = [
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/comment/", views.topic_comment, name="topic_comment"),
    path("topics/<int:pk>/poll/", views.poll_answer, name="poll_answer"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("consultations/<slug:slug>/topics/new/", views.topic_create, name="topic_create"),
    path("ideas/<int:pk>/comments/", views.idea_threads, name="idea_threads"),
    path("ideas/<int:pk>/comment/", views.idea_comment, name="idea_comment"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/vote/", views.comment_vote, name="comment_vote"),
    path("comments/<int:pk>/official/", views.comment_official, name="comment_official"),
]
