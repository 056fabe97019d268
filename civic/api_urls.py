"""/api/v1/: each app contributes its own routes from its `api_urls` module."""

from django.urls import include, path

urlpatterns = [
    path("", include("consultations.api_urls")),
    path("", include("ideas.feed_urls")),
    path("", include("ideas.api_urls")),
    path("", include("maps.api_urls")),
    path("", include("debate.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("social.api_urls")),
    path("", include("frontend.api_urls")),
]
