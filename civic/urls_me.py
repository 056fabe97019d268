from django.urls import path

from . import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
