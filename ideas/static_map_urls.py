from django.urls import path

from . import static_maps as views

# The addresses and names stay those of the map pictures (maps:static-svg), drawn from the
# ideas of a consultation, which this app owns.
app_name = "maps"

urlpatterns = [
    path("c/<slug:slug>/static.svg", views.static_svg, name="static-svg"),
    path("c/<slug:slug>/static.png", views.static_png, name="static-png"),
]
