"""The embed lives at /embed/<slug>/; the old address under /social/ moves there for good."""

import inspect

import pytest
from django.apps import AppConfig, apps

from civic.notifications import KINDS
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_old_embed_address_redirects_permanently_with_its_query(client, consultation):
    response = client.get(f"/social/embed/{consultation.slug}/?utm_source=kommune")
    assert response.status_code == 301
    assert response["Location"] == f"/embed/{consultation.slug}/?utm_source=kommune"


def test_only_the_embed_may_be_framed(client, consultation):
    embed = client.get(f"/embed/{consultation.slug}/")
    assert embed.status_code == 200 and consultation.title in embed.content.decode()
    assert "X-Frame-Options" not in embed.headers
    for url in ("/", consultation.get_absolute_url(), f"/social/embed/{consultation.slug}/"):
        assert client.get(url).headers["X-Frame-Options"] == "DENY", url


def test_a_draft_is_not_embedded(client):
    draft = factories.ConsultationFactory(status="draft")
    assert client.get(f"/embed/{draft.slug}/").status_code in (403, 404)


def test_embed_and_cards_are_not_consultation_addresses():
    from consultations.services import RESERVED_SLUGS

    assert {"embed", "cards"} <= RESERVED_SLUGS


def test_notification_kinds_are_declared_where_notices_are_sent_from():
    assert "social_channel" in KINDS and "moderation" in KINDS
    # No app adds kinds behind the scenes when it starts.
    for label in ("social", "moderation"):
        ready = type(apps.get_app_config(label)).ready
        assert ready is AppConfig.ready or "KINDS" not in inspect.getsource(ready)
