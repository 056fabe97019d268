"""The map partials render with the data their script needs, in a constant number of queries."""

import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from consultations.models import Consultation
from tests.factories import CategoryFactory, IdeaFactory

pytestmark = pytest.mark.django_db


def render(template, request_user=None, **context):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = request_user or AnonymousUser()
    return render_to_string(template, {**context, "user": request.user}, request=request)


def json_script(html, element_id):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def test_consultation_map_lists_ideas_beside_the_map_in_constant_queries(
    consultation, django_assert_max_num_queries
):
    category = CategoryFactory(consultation=consultation, name="Bathing <b>", colour="#0a7f5a")
    for i in range(3):
        IdeaFactory(consultation=consultation, category=category, title=f"Bath <{i}>")
    IdeaFactory(consultation=consultation, title="Hidden one", is_hidden=True)
    # Two for the ideas, two for the plan layers and map services (whatever their number).
    with django_assert_max_num_queries(4):
        small = render("ideas/_consultation_map.html", consultation=consultation)
    for _ in range(30):
        IdeaFactory(consultation=consultation, category=category)
    with django_assert_max_num_queries(4):
        render("ideas/_consultation_map.html", consultation=consultation)
    assert "Bath &lt;0&gt;" in small and "Hidden one" not in small
    assert "Bathing &lt;b&gt;" in small
    assert f'data-feed-url="/api/v1/consultations/{consultation.slug}/ideas.geojson"' in small
    assert json_script(small, "consultation-map-area") == consultation.area
    config = json_script(small, "map-config")
    assert config["attribution"] == "© OpenStreetMap contributors"
    assert config["tileUrl"].startswith("https://tile.openstreetmap.org/")
    assert f"/maps/c/{consultation.slug}/static.svg" in small


def test_tiles_and_attribution_follow_the_settings(consultation, settings):
    settings.LEAFLET_CONFIG = {
        **settings.LEAFLET_CONFIG,
        "TILES": [("", "https://maps.example.dk/{z}/{x}/{y}.png", {"attribution": "© Kommunen"})],
    }
    config = json_script(
        render("ideas/_consultation_map.html", consultation=consultation), "map-config"
    )
    assert config["tileUrl"] == "https://maps.example.dk/{z}/{x}/{y}.png"
    assert config["attribution"] == "© Kommunen"


def test_pin_picker_wires_the_form_fields_and_endpoints(consultation, resident):
    from django import forms

    class Form(forms.Form):
        title = forms.CharField()

    html = render(
        "maps/_pin_picker.html", request_user=resident, consultation=consultation, form=Form()
    )
    for attribute in (
        'data-latitude="id_latitude"',
        'data-longitude="id_longitude"',
        'data-address="id_address_label"',
        'data-title="id_title"',
        'data-geocode-url="/api/v1/geocode/"',
        'data-reverse-url="/api/v1/geocode/reverse/"',
        f'data-nearby-url="/api/v1/consultations/{consultation.slug}/ideas/nearby/"',
        'data-support-url="/api/v1/ideas/{id}/support/"',
        'data-follow-url="/api/v1/ideas/{id}/follow/"',
        'data-signed-in="true"',
    ):
        assert attribute in html
    assert 'aria-live="polite"' in html
    assert '<label for="map-address-search">' in html
    assert json_script(html, "pin-picker-area") == consultation.area


def test_area_editor_points_at_the_area_textarea():
    html = render("maps/_area_editor.html")
    assert 'data-textarea="id_area"' in html
    assert "leaflet/draw/leaflet.draw.js" in html


def test_idea_map_shows_the_pin(consultation):
    idea = IdeaFactory(consultation=consultation, longitude=12.5961, latitude=55.6798)
    html = render("maps/_idea_map.html", idea=idea)
    assert 'data-lat="55.679800"' in html and 'data-lon="12.596100"' in html


def test_static_links_are_left_out_for_drafts(consultation):
    consultation.status = Consultation.Status.DRAFT
    html = render("ideas/_consultation_map.html", consultation=consultation)
    assert "static.svg" not in html


def test_purge_command(capsys):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from maps.models import GeocodeCacheEntry

    GeocodeCacheEntry.objects.create(
        key="a" * 64, backend="gazetteer", query="x", expires_at=timezone.now() - timedelta(days=1)
    )
    GeocodeCacheEntry.objects.create(
        key="b" * 64, backend="gazetteer", query="y", expires_at=timezone.now() + timedelta(days=1)
    )
    call_command("purge_geocode_cache")
    assert "Deleted 1" in capsys.readouterr().out
    assert GeocodeCacheEntry.objects.count() == 1
