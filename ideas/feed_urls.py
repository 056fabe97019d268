"""Map feeds for ideas, mounted at /api/v1/ beside the ideas API."""

from django.urls import path

from . import feeds

urlpatterns = [
    path(
        "consultations/<slug:slug>/ideas.geojson",
        feeds.IdeasGeoJSONView.as_view(),
        name="ideas-geojson",
    ),
    path(
        "consultations/<slug:slug>/ideas/nearby/",
        feeds.IdeasNearbyView.as_view(),
        name="ideas-nearby",
    ),
]
