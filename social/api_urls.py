from django.urls import path

from . import api

urlpatterns = [
    path("social/channels/", api.ChannelListView.as_view(), name="api-social-channels"),
    path(
        "consultations/<slug:slug>/social-posts/",
        api.ConsultationPostsView.as_view(),
        name="api-social-posts",
    ),
    path(
        "social-posts/<int:pk>/approve/",
        api.ApprovePostView.as_view(),
        name="api-social-post-approve",
    ),
    path("social/crisis-stop/", api.CrisisStopView.as_view(), name="api-social-crisis-stop"),
]
