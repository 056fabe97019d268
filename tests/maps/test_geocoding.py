import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from maps import geocoding
from maps.geocoding import Place
from maps.models import GeocodeCacheEntry

from .fake_nominatim import FakeNominatim

pytestmark = pytest.mark.django_db


@pytest.fixture
def nominatim(settings):
    with FakeNominatim() as fake:
        settings.GEOCODER_BACKEND = "nominatim"
        settings.GEOCODER_URL = fake.url
        settings.GEOCODER_USER_AGENT = "civic-tests/1.0"
        settings.GEOCODER_TIMEOUT = 0.5
        settings.GEOCODER_MIN_DELAY_SECONDS = 0.0
        yield fake


def test_nominatim_search_sends_the_user_agent_and_parses_places(nominatim):
    places = geocoding.geocode("Trangravsvej 14")
    assert places == [Place("Trangravsvej 14, 1436 København K, Danmark", 55.6794, 12.5962)]
    request = nominatim.requests[0]
    assert request["path"] == "/search"
    assert request["agent"] == "civic-tests/1.0"
    assert request["query"]["q"] == "Trangravsvej 14"


def test_nominatim_answers_are_cached_in_the_database(nominatim):
    first = geocoding.geocode("Papirøen")
    second = geocoding.geocode("  papirøen ")
    assert first == second and first
    assert len(nominatim.requests) == 1
    entry = GeocodeCacheEntry.objects.get()
    assert entry.backend == "nominatim" and entry.result[0]["label"].startswith("Papirøen")


def test_expired_cache_entries_are_asked_again_and_purged(nominatim):
    geocoding.geocode("Papirøen")
    GeocodeCacheEntry.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    geocoding.geocode("Papirøen")
    assert len(nominatim.requests) == 2
    GeocodeCacheEntry.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert geocoding.purge_expired_cache() == 1


def test_nominatim_reverse(nominatim):
    place = geocoding.reverse(55.6794, 12.5962)
    assert place.label.startswith("Trangravsvej 14")
    assert nominatim.requests[0]["path"] == "/reverse"
    assert geocoding.reverse(10.0, 10.0) is None
    # Unknown places are cached too, so a repeated click does not ask again.
    assert geocoding.reverse(10.0, 10.0) is None
    assert len(nominatim.requests) == 2


@pytest.mark.parametrize("mode", ["429", "error"])
def test_a_failing_geocoder_gives_nothing_logs_and_caches_nothing(nominatim, mode, caplog):
    nominatim.mode = mode
    with caplog.at_level(logging.WARNING, logger="maps.geocoding"):
        assert geocoding.geocode("Papirøen") == []
        assert geocoding.reverse(55.6794, 12.5962) is None
    assert "failed" in caplog.text
    assert not GeocodeCacheEntry.objects.exists()
    nominatim.mode = "ok"
    assert geocoding.geocode("Papirøen")


def test_a_slow_geocoder_times_out_quickly(nominatim):
    nominatim.mode, nominatim.delay = "slow", 2.0
    started = time.monotonic()
    assert geocoding.geocode("Papirøen") == []
    assert time.monotonic() - started < 1.5


def test_requests_are_spaced_by_the_rate_limit(nominatim, settings):
    settings.GEOCODER_MIN_DELAY_SECONDS = 0.4
    started = time.monotonic()
    geocoding.geocode("Papirøen")
    geocoding.geocode("Trangravsvej")
    geocoding.geocode("Trangravsvej 14")
    assert time.monotonic() - started >= 0.8
    assert len(nominatim.requests) == 3


def test_photon_backend_builds_against_the_configured_url(settings):
    settings.GEOCODER_BACKEND = "photon"
    settings.GEOCODER_URL = "http://127.0.0.1:9/photon"
    backend = geocoding.get_backend()
    assert backend.name == "photon"
    assert backend.service.scheme == "http"
    assert backend.service.domain == "127.0.0.1:9/photon"


def test_photon_search_against_the_fake(settings):
    with FakeNominatim() as fake:
        settings.GEOCODER_BACKEND = "photon"
        settings.GEOCODER_URL = fake.url
        settings.GEOCODER_MIN_DELAY_SECONDS = 0.0
        (place,) = geocoding.geocode("Trangravsvej 14")
        assert place.latitude == 55.6794 and place.longitude == 12.5962
        assert "Trangravsvej" in place.label and "1436" in place.label
        assert fake.requests[0]["path"] == "/api"


def test_unknown_backend_is_a_clear_configuration_error(settings):
    settings.GEOCODER_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="GEOCODER_BACKEND"):
        geocoding.get_backend()


# --- the shipped gazetteer ------------------------------------------------------------------


@pytest.fixture
def gazetteer(settings):
    settings.GEOCODER_BACKEND = "gazetteer"


def test_gazetteer_prefix_search_ranks_first(gazetteer):
    places = geocoding.geocode("Trangravsvej 1")
    labels = [p.label for p in places]
    assert [label.split(",")[0] for label in labels[:4]] == [
        "Trangravsvej 10",
        "Trangravsvej 12",
        "Trangravsvej 14",
        "Trangravsvej 16",
    ]
    # Then the looser word matches ("1" in the postcode), never unrelated streets.
    assert all(label.startswith("Trangravsvej") for label in labels)


def test_gazetteer_search_ignores_case_and_danish_letters(gazetteer):
    assert geocoding.geocode("papiroen 3")[0].label == "Papirøen 3, 1436 København K"
    assert geocoding.geocode("STRANDGATA 1, 9405")[0].label.startswith("Strandgata 1, 9405 Harstad")
    assert any("Harstad" in p.label for p in geocoding.geocode("torvet harstad"))
    assert geocoding.geocode("Nowhere Street 99") == []


def test_gazetteer_reverse_finds_the_nearest_address_or_nothing(gazetteer):
    place = geocoding.reverse(55.6803, 12.5941)
    assert place.label == "Trangravsvej 2, 1436 København K"
    assert geocoding.reverse(68.7988, 16.5417).label.startswith("Torvet")
    assert geocoding.reverse(0.0, 0.0) is None


def test_a_missing_gazetteer_file_gives_nothing(gazetteer, settings, tmp_path):
    settings.GEOCODER_GAZETTEER_PATH = tmp_path / "missing.csv"
    assert geocoding.geocode("Trangravsvej") == []
    assert geocoding.reverse(55.6803, 12.5941) is None


def test_bad_reverse_coordinates_are_refused(gazetteer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        geocoding.reverse("nan", 12)


# --- endpoints ----------------------------------------------------------------------------


def test_geocode_endpoint(client, gazetteer):
    response = client.get("/api/v1/geocode/", {"q": "Trangravsvej 14"})
    assert response.status_code == 200
    assert response.json()["results"][0] == {
        "label": "Trangravsvej 14, 1436 København K",
        "latitude": pytest.approx(55.6791),
        "longitude": pytest.approx(12.597271),
    }


@pytest.mark.parametrize("query", ["", "a", "x" * 201])
def test_geocode_endpoint_refuses_bad_queries(client, gazetteer, query):
    response = client.get("/api/v1/geocode/", {"q": query})
    assert response.status_code == 400
    assert response.json()["q"]


def test_reverse_endpoint(client, gazetteer):
    response = client.get("/api/v1/geocode/reverse/", {"lat": "55.6803", "lon": "12.5941"})
    assert response.status_code == 200
    assert response.json()["result"]["label"] == "Trangravsvej 2, 1436 København K"
    nothing = client.get("/api/v1/geocode/reverse/", {"lat": "0", "lon": "0"})
    assert nothing.json() == {"result": None}


@pytest.mark.parametrize(
    "params", [{}, {"lat": "55"}, {"lat": "x", "lon": "12"}, {"lat": "91", "lon": "12"}]
)
def test_reverse_endpoint_refuses_bad_coordinates(client, gazetteer, params):
    response = client.get("/api/v1/geocode/reverse/", params)
    assert response.status_code == 400
    assert response.json()["location"]


def test_geocode_endpoint_is_throttled(client, gazetteer, settings):
    settings.GEOCODER_THROTTLE_RATE = "3/min"
    codes = [client.get("/api/v1/geocode/", {"q": "Nyhavn"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_endpoint_survives_a_failing_geocoder(client, nominatim):
    nominatim.mode = "429"
    response = client.get("/api/v1/geocode/", {"q": "Papirøen"})
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_each_municipality_searches_its_own_countries(nominatim, harstad):
    """Harstad searches Norway only, København as configured; the answers are kept apart."""
    from civic.models import Municipality
    from tests.tenancy_helpers import first_municipality, inside

    Municipality.objects.filter(pk=harstad.pk).update(
        geocoder_countries="no", map_center_lat=68.798, map_center_lon=16.541
    )
    from civic import tenancy

    tenancy.forget()
    with inside(harstad):
        geocoding.geocode("Storgata 1")
    with inside(first_municipality()):
        geocoding.geocode("Storgata 1")
    harstad_search, copenhagen_search = nominatim.requests
    assert harstad_search["query"]["countrycodes"] == "no"
    assert "countrycodes" not in copenhagen_search["query"]
