"""Map feeds for ideas, mounted at /api/v1/ beside the ideas API."""

from django.urls import path

from . import feeds

urlpatterns = [
    path(
        "consultations/<slug:slug>/ideas.geojson",
        feeds.ideas_geojson,
        name="ideas-geojson",
    ),
    path(
        "consultations/<slug:slug>/ideas/nearby/",
        feeds.ideas_nearby,
        name="ideas-nearby",
    ),
]
