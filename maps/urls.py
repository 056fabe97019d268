from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("c/<slug:slug>/static.svg", views.static_svg, name="static-svg"),
    path("c/<slug:slug>/static.png", views.static_png, name="static-png"),
]
