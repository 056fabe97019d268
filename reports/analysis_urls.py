from django.urls import path

from . import map_analysis_views

app_name = "analysis"

urlpatterns = [
    path("<slug:slug>/map-analysis/", map_analysis_views.map_analysis_page, name="map"),
    path(
        "<slug:slug>/map-analysis/layers/<int:pk>.csv",
        map_analysis_views.compare_csv,
        name="compare-csv",
    ),
]
