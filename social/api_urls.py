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
    path(
        "social-posts/<int:pk>/send-back/",
        api.SendBackView.as_view(),
        name="api-social-post-send-back",
    ),
    path(
        "social-posts/<int:pk>/reschedule/",
        api.RescheduleView.as_view(),
        name="api-social-post-reschedule",
    ),
    path("social/approvals/", api.ApprovalsView.as_view(), name="api-social-approvals"),
    path("social/calendar/", api.CalendarView.as_view(), name="api-social-calendar"),
    path("social/inbox/", api.InboxView.as_view(), name="api-social-inbox"),
    path(
        "social/inbox/<slug:source>/<int:pk>/<slug:action>/",
        api.InboxActionView.as_view(),
        name="api-social-inbox-action",
    ),
    path("social/crisis-stop/", api.CrisisStopView.as_view(), name="api-social-crisis-stop"),
]
