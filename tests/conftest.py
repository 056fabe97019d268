import pytest

from tests import factories


@pytest.fixture
def resident(db):
    return factories.UserFactory()


@pytest.fixture
def planner(db):
    return factories.PlannerFactory()


@pytest.fixture
def councillor(db):
    return factories.CouncillorFactory()


@pytest.fixture
def administrator(db):
    return factories.AdministratorFactory()


@pytest.fixture
def consultation(db):
    return factories.ConsultationFactory()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throw-away folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English; tests of other languages ask for them explicitly."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def _keep_test_connection():
    """For requests sent to the WSGI application directly (schemathesis), as Django's test client
    does: the request signals must not close the connection that holds the test's transaction
    (they would on PostgreSQL, where connections persist)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
