from django.urls import path

from . import api

urlpatterns = [
    path("consultations/", api.ConsultationListView.as_view(), name="api-consultation-list"),
    path(
        "consultations/open.geojson",
        api.OpenConsultationsGeoJSONView.as_view(),
        name="api-consultations-open-geojson",
    ),
    path(
        "consultations/<slug:slug>/",
        api.ConsultationDetailView.as_view(),
        name="api-consultation-detail",
    ),
    path(
        "consultations/<slug:slug>/publish/",
        api.ConsultationPublishView.as_view(),
        name="api-consultation-publish",
    ),
    path(
        "consultations/<slug:slug>/close/",
        api.ConsultationCloseView.as_view(),
        name="api-consultation-close",
    ),
    path(
        "consultations/<slug:slug>/results/",
        api.ConsultationResultsView.as_view(),
        name="api-consultation-results",
    ),
    path(
        "consultations/<slug:slug>/plan-layers/",
        api.PlanLayerListView.as_view(),
        name="api-plan-layer-list",
    ),
    path(
        "consultations/<slug:slug>/plan-layers/<int:pk>.geojson",
        api.PlanLayerGeoJSONView.as_view(),
        name="api-plan-layer-geojson",
    ),
]
