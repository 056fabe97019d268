from django.urls import path

from frontend import views

urlpatterns = [
    path("cards/<str:kind>/<str:key>.png", views.card_image, name="card_image"),
]
