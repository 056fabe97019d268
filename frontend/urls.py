from django.urls import path

from frontend import home, search, share, views

urlpatterns = [
    path("", home.home, name="home"),
    path("search/", search.search_page, name="search"),
    path("cards/<str:kind>/<str:key>.png", views.card_image, name="card_image"),
    path("share/mastodon/", share.mastodon_share, name="share_mastodon"),
]
