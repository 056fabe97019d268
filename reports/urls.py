from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("c/<slug:slug>/", views.summary, name="summary"),
    path("c/<slug:slug>/download/<str:name>", views.download, name="download"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/file", views.job_file, name="job-file"),
]
