from django.urls import path

from . import social_views, views

app_name = "reports"

urlpatterns = [
    path("social/", social_views.social_analytics, name="social"),
    path("c/<slug:slug>/", views.summary, name="summary"),
    path("c/<slug:slug>/download/<str:name>", views.download, name="download"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/file", views.job_file, name="job-file"),
]
