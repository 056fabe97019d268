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


@pytest.fixture
def harstad(db, settings):
    """A second municipality, Harstad kommune (nb), served at harstad.test; the first stays at
    testserver (tests/tenancy_helpers.py)."""
    from tests.tenancy_helpers import add_municipality

    return add_municipality(settings)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throw-away folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _forget_worker_copies():
    from civic import api_tokens, branding, kept, pagecache, tenancy
    from consultations import hub, selectors

    api_tokens.forget_kept()
    kept.forget_kept_parts()
    pagecache.forget_checked()
    hub.forget_kept_sections()
    pagecache._consultation_of_key.clear()
    selectors._for_rules.clear()
    branding.forget_local()
    tenancy.forget_local()


@pytest.fixture(autouse=True)
def _clear_cache():
    """The caches are on, as in production; each test starts with them empty (shared and this
    worker's own copies)."""
    from django.core.cache import cache

    cache.clear()
    _forget_worker_copies()
    yield
    cache.clear()
    _forget_worker_copies()


@pytest.fixture(autouse=True)
def _changes_reach_the_caches_as_on_commit(monkeypatch):
    """A test's transaction never commits, so what the services announce (civic.changes) would
    never reach the caches. Run each announcement where production commits instead: when the
    service's own outermost transaction ends without an error (at once outside one)."""
    from django.db import transaction

    from civic import changes

    pending = []
    real_exit = transaction.Atomic.__exit__

    def service_depth(connection) -> int:
        return sum(1 for block in connection.atomic_blocks if not block._from_testcase)

    def after_commit(callback):
        if service_depth(transaction.get_connection()) == 0:
            callback()
        else:
            pending.append(callback)

    def exit_and_run(self, exc_type, exc_value, traceback):
        result = real_exit(self, exc_type, exc_value, traceback)
        if not self._from_testcase and service_depth(transaction.get_connection(self.using)) == 0:
            callbacks = pending[:]
            pending.clear()
            if exc_type is None:
                for callback in callbacks:
                    callback()
        return result

    monkeypatch.setattr(changes, "after_commit", after_commit)
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_run)


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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """The municipality's settings (civic.branding) are read once per worker and then served
    from the cache, so a running site never spends a query on them. Read them before each test
    that may use the database, after its fixtures, so that query counts measure the steady
    state; a test of the cold read forgets them first (tests/civic/test_backoffice_settings.py)."""
    from civic import branding

    try:
        branding.effective()
    except RuntimeError:  # the test may not use the database
        branding.forget_local()
