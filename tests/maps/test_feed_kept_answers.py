"""An anonymous visitor's kept map answer goes out before DRF wraps the request: the same bytes
and headers as DRF's own way, no query, and never for a signed-in person or a token."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ConsultationFactory, IdeaFactory, PlannerFactory

pytestmark = pytest.mark.django_db

COMPARED_HEADERS = ("Content-Type", "Cache-Control", "Vary", "X-Cache-Tags", "Allow")


@pytest.fixture
def consultation():
    consultation = ConsultationFactory()
    IdeaFactory.create_batch(3, consultation=consultation)
    return consultation


def url(consultation, query="zoom=14"):
    return f"/api/v1/consultations/{consultation.slug}/ideas.geojson?{query}"


def test_a_kept_answer_is_the_same_as_drfs_and_costs_no_query(consultation):
    client = Client()
    first = client.get(url(consultation))  # built by DRF's way and kept
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url(consultation))
    assert len(queries) == 0
    assert kept.status_code == first.status_code == 200
    assert kept.content == first.content
    for header in COMPARED_HEADERS:
        assert kept.headers.get(header) == first.headers.get(header), header
    assert kept["Content-Type"] == "application/geo+json; charset=utf-8"


def test_bad_parameters_still_get_drfs_400_with_the_reason(consultation):
    client = Client()
    client.get(url(consultation))
    response = client.get(url(consultation, "zoom=14&bbox=1,2,3"))
    assert response.status_code == 400
    assert "bbox" in response.json()


def test_asking_for_plain_json_gets_drfs_answer_in_that_format(consultation):
    client = Client()
    client.get(url(consultation))
    response = client.get(url(consultation), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_signed_in_people_and_tokens_never_get_the_shared_answer(consultation):
    anonymous = Client()
    anonymous.get(url(consultation))
    planner = PlannerFactory()
    signed_in = Client()
    signed_in.force_login(planner)
    response = signed_in.get(url(consultation))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "X-Cache-Tags" not in response
    with_token = Client(HTTP_AUTHORIZATION="Token not-a-key")
    # A token is checked by DRF, not answered from the anonymous copy.
    assert with_token.get(url(consultation)).status_code == 403
