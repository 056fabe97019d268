from django.urls import path

from civic.pagecache import anonymous_page

from . import plan_views, selectors, views

by_slug = anonymous_page(selectors.consultation_id_for_slug)

app_name = "consultations"

urlpatterns = [
    path("new/", views.consultation_create, name="create"),
    path("<slug:slug>/", by_slug(views.consultation_detail), name="detail"),
    path("<slug:slug>/edit/", views.consultation_edit, name="edit"),
    path("<slug:slug>/publish/", views.consultation_publish, name="publish"),
    path("<slug:slug>/close/", views.consultation_close, name="close"),
    path("<slug:slug>/results/", views.consultation_results, name="results"),
    path("<slug:slug>/map-layers/", plan_views.plan_layers, name="plan-layers"),
    path(
        "<slug:slug>/map-layers/<int:pk>/style/", plan_views.plan_layer_edit, name="plan-layer-edit"
    ),
    path(
        "<slug:slug>/map-layers/<int:pk>/move/", plan_views.plan_layer_move, name="plan-layer-move"
    ),
    path(
        "<slug:slug>/map-layers/<int:pk>/delete/",
        plan_views.plan_layer_delete,
        name="plan-layer-delete",
    ),
    path(
        "<slug:slug>/map-services/new/",
        plan_views.map_service_create,
        name="map-service-create",
    ),
    path(
        "<slug:slug>/map-services/wmts/",
        plan_views.map_service_wmts,
        name="map-service-wmts",
    ),
    path(
        "<slug:slug>/map-services/<int:pk>/edit/",
        plan_views.map_service_edit,
        name="map-service-edit",
    ),
    path(
        "<slug:slug>/map-services/<int:pk>/delete/",
        plan_views.map_service_delete,
        name="map-service-delete",
    ),
]
