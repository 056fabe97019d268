from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("c/<slug:slug>/", views.queue, name="consultation_queue"),
    path("act/", views.act, name="act"),
    path("item/<str:kind>/<int:pk>/", views.item, name="item"),
    path("blocks/<int:pk>/lift/", views.lift_block, name="lift_block"),
    path("report/<str:kind>/<int:pk>/", views.report, name="report"),
    path("appeal/<str:kind>/<int:pk>/", views.appeal, name="appeal"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("me/activity/", views.my_activity, name="my_activity"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data.json", views.my_data_json, name="my_data_json"),
    path("me/delete/", views.delete_account, name="delete_account"),
]
