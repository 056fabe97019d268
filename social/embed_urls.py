"""The consultation card other sites frame: the only page that may be framed. Outside the
`social` namespace, at /embed/<slug>/, where municipalities' sites already point."""

from django.urls import path

from . import views

urlpatterns = [path("embed/<slug:slug>/", views.embed, name="embed")]
