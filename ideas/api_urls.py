from django.urls import path

from . import api

urlpatterns = [
    path(
        "consultations/<slug:slug>/ideas/",
        api.ConsultationIdeasView.as_view(),
        name="api-consultation-ideas",
    ),
    path("ideas/<int:pk>/", api.IdeaView.as_view(), name="api-idea"),
    path("ideas/<int:pk>/support/", api.IdeaSupportView.as_view(), name="api-idea-support"),
    path("ideas/<int:pk>/status/", api.IdeaStatusView.as_view(), name="api-idea-status"),
    path("ideas/<int:pk>/follow/", api.IdeaFollowView.as_view(), name="api-idea-follow"),
]
