from django.urls import path

from . import api, map_analysis_api, social_api

urlpatterns = [
    path(
        "consultations/<slug:slug>/exports/<str:name>",
        api.ConsultationExportView.as_view(),
        name="api-consultation-export",
    ),
    path(
        "consultations/<slug:slug>/heat.geojson",
        map_analysis_api.HeatView.as_view(),
        name="api-consultation-heat",
    ),
    path(
        "consultations/<slug:slug>/selection/",
        map_analysis_api.SelectionView.as_view(),
        name="api-consultation-selection",
    ),
    path("export-jobs/<int:pk>/", api.ExportJobView.as_view(), name="api-export-job"),
    path("social/figures/", social_api.SocialFiguresView.as_view(), name="api-social-figures"),
    path("export-jobs/<int:pk>/file", api.ExportJobFileView.as_view(), name="api-export-job-file"),
]
