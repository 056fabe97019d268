from django.urls import path

from civic.pagecache import anonymous_page
from consultations.selectors import consultation_id_for_slug

from . import selectors, views

by_slug = anonymous_page(consultation_id_for_slug)
by_reference = anonymous_page(selectors.consultation_id_for_reference)

app_name = "ideas"

urlpatterns = [
    path("c/<slug:slug>/", by_slug(views.idea_list), name="list"),
    path("c/<slug:slug>/new/", views.idea_create, name="create"),
    path("c/<slug:slug>/follow/", views.consultation_follow, name="follow_consultation"),
    path("c/<slug:slug>/answer-templates/", views.answer_templates, name="answer_templates"),
    path("confirm/<str:token>/", views.idea_confirm, name="confirm"),
    path("<str:reference>/", by_reference(views.idea_detail), name="detail"),
    path("<str:reference>/edit/", views.idea_edit, name="edit"),
    path("<str:reference>/withdraw/", views.idea_withdraw, name="withdraw"),
    path("<str:reference>/support/", views.idea_support, name="support"),
    path("<str:reference>/answer/", views.idea_answer, name="answer"),
    path("<str:reference>/follow/", views.idea_follow, name="follow"),
    path("<str:reference>/approve/", views.idea_approve, name="approve"),
]
