from django.urls import path

from frontend import share, views

urlpatterns = [
    path("cards/<str:kind>/<str:key>.png", views.card_image, name="card_image"),
    path("share/mastodon/", share.mastodon_share, name="share_mastodon"),
]
