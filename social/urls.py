from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "social"

urlpatterns = [
    path("channels/", views.channel_list, name="channels"),
    path("channels/<int:pk>/remove/", views.channel_remove, name="channel_remove"),
    path("channels/<int:pk>/reauthorise/", views.channel_reauthorise, name="channel_reauthorise"),
    path("oauth/start/", views.oauth_start, name="oauth_start"),
    path("oauth/facebook/pages/", views.oauth_choose_page, name="oauth_choose_page"),
    path("oauth/<slug:platform>/callback/", views.oauth_callback, name="oauth_callback"),
    path("crisis-stop/", views.crisis_stop, name="crisis_stop"),
    path("compose/", views.composer, name="compose"),
    path("approvals/", views.approvals, name="approvals"),
    path("calendar/", views.content_calendar, name="calendar"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/<slug:action>/", views.inbox_action, name="inbox_action"),
    path("inbox/site/<int:pk>/<slug:action>/", views.inbox_site_action, name="inbox_site_action"),
    path("c/<slug:slug>/", views.composer, name="composer"),
    path("posts/<int:pk>/reschedule/", views.post_reschedule, name="post_reschedule"),
    path(
        "posts/<int:pk>/<slug:action>/",
        views.post_action,
        name="post_action",
    ),
    path("comments/<int:pk>/visibility/", views.comment_visibility, name="comment_visibility"),
    path("check/", views.check, name="check"),
    path(
        "embed/<slug:slug>/",
        RedirectView.as_view(pattern_name="embed", permanent=True, query_string=True),
        name="embed",
    ),
    path("webhooks/facebook/", views.facebook_webhook, name="facebook_webhook"),
    path("images/<str:token>/", views.public_image, name="public_image"),
]
