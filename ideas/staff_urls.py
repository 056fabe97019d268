from django.urls import path

from . import staff_views

app_name = "ideas_staff"

urlpatterns = [
    path("", staff_views.template_list, name="answer_templates"),
    path("new/", staff_views.template_edit, name="answer_template_create"),
    path("<int:pk>/", staff_views.template_edit, name="answer_template_edit"),
    path("<int:pk>/delete/", staff_views.template_delete, name="answer_template_delete"),
]
