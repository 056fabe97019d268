from django.urls import path

from civic.pagecache import anonymous_page

from . import selectors, views

by_slug = anonymous_page(selectors.consultation_id_for_slug)

app_name = "consultations"

urlpatterns = [
    path("new/", views.consultation_create, name="create"),
    path("<slug:slug>/", by_slug(views.consultation_detail), name="detail"),
    path("<slug:slug>/edit/", views.consultation_edit, name="edit"),
    path("<slug:slug>/publish/", views.consultation_publish, name="publish"),
    path("<slug:slug>/close/", views.consultation_close, name="close"),
    path("<slug:slug>/results/", views.consultation_results, name="results"),
]
