from django.urls import path

from civic.pagecache import anonymous_page

from . import plan_views, selectors, survey_views, views

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
    path("<slug:slug>/map-survey/", survey_views.survey_page, name="survey"),
    path(
        "<slug:slug>/map-survey/questions/<int:pk>/answer/",
        survey_views.survey_answer,
        name="survey-answer",
    ),
    path(
        "<slug:slug>/map-survey/answers/<int:pk>/delete/",
        survey_views.survey_answer_delete,
        name="survey-answer-delete",
    ),
    path("<slug:slug>/map-questions/", survey_views.map_questions, name="map-questions"),
    path(
        "<slug:slug>/map-questions/<int:pk>/edit/",
        survey_views.map_question_edit,
        name="map-question-edit",
    ),
    path(
        "<slug:slug>/map-questions/<int:pk>/move/",
        survey_views.map_question_move,
        name="map-question-move",
    ),
    path(
        "<slug:slug>/map-questions/<int:pk>/delete/",
        survey_views.map_question_delete,
        name="map-question-delete",
    ),
    path("<slug:slug>/drawn-answers/", survey_views.drawn_answers, name="drawn-answers"),
    path(
        "<slug:slug>/drawn-answers/<int:pk>/hide/",
        survey_views.drawn_answer_hide,
        name="drawn-answer-hide",
    ),
]
