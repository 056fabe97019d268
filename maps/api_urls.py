from django.urls import path

from . import api

urlpatterns = [
    path("geocode/", api.GeocodeView.as_view(), name="maps-geocode"),
    path("geocode/reverse/", api.ReverseGeocodeView.as_view(), name="maps-geocode-reverse"),
]
