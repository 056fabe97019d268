from django.urls import path

from . import api

urlpatterns = [
    path("reports/", api.ReportCreateView.as_view(), name="moderation-report"),
    path("moderation/queue/", api.QueueView.as_view(), name="moderation-queue"),
    path("moderation/actions/", api.ActionView.as_view(), name="moderation-actions"),
    path("moderation/appeals/", api.AppealCreateView.as_view(), name="moderation-appeals"),
]
