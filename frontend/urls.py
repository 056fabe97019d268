from django.urls import path

from frontend import home, search, share, views

urlpatterns = [
    path("", home.home, name="home"),
    path("search/", search.search_page, name="search"),
    # Beside the consultations' own map pictures (maps/c/<slug>/static.svg).
    path("maps/open.svg", home.open_map_picture, name="open_map_picture"),
    path("cards/<str:kind>/<str:key>.png", views.card_image, name="card_image"),
    path("share/mastodon/", share.mastodon_share, name="share_mastodon"),
]
