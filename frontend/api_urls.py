"""The site-wide search in the API, mounted at /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("search/", api.SearchView.as_view(), name="api-search"),
]
