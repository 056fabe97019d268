"""The consultation as the support rules read it (consultations.selectors.consultation_for_rules):
kept by each worker while nothing about it changes, read again as soon as something does.

Transactional, because what tells the workers of a change is sent when the change commits.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from consultations import selectors, services
from consultations.models import Consultation
from tests.factories import (
    AdministratorFactory,
    ConsultationFactory,
    IdeaFactory,
    UserFactory,
    api_key_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.CONSULTATION_RULES_SECONDS = 5
    selectors._for_rules.clear()
    yield
    selectors._for_rules.clear()


def _reads(consultation_id):
    with CaptureQueriesContext(connection) as queries:
        consultation = selectors.consultation_for_rules(consultation_id)
    return consultation, len(queries)


def test_a_kept_consultation_costs_no_query_and_each_caller_gets_its_own_object():
    consultation = ConsultationFactory()
    first, queries = _reads(consultation.pk)
    assert queries == 2  # the consultation and its phases
    second, queries = _reads(consultation.pk)
    assert queries == 0
    assert second is not first and second.pk == first.pk
    assert [p.pk for p in second.phases.all()] == [p.pk for p in consultation.phases.all()]


def test_a_phase_changed_by_a_planner_is_read_at_once():
    consultation = ConsultationFactory()
    _reads(consultation.pk)
    phase = consultation.phases.get()
    row = {name: getattr(phase, name) for name in services.PHASE_FIELDS}
    services.consultation_update(
        actor=AdministratorFactory(),
        consultation=consultation,
        data={},
        phases=[{**row, "id": phase.pk, "allows_support": False}],
    )
    kept, queries = _reads(consultation.pk)
    assert queries == 2
    assert [p.allows_support for p in kept.phases.all()] == [False]


def test_a_closed_consultation_refuses_the_next_support():
    idea = IdeaFactory(consultation=ConsultationFactory())
    person = UserFactory()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(person)}")
    url = "/api/v1/ideas/{}/support/"
    other = IdeaFactory(consultation=idea.consultation)
    assert api.post(url.format(idea.pk)).status_code == 201
    consultation = Consultation.objects.get(pk=idea.consultation_id)
    services.consultation_close(actor=AdministratorFactory(), consultation=consultation)
    response = api.post(url.format(other.pk))
    assert response.status_code == 403
    assert response.json()["detail"] == "This consultation is closed."


def test_a_phase_ending_by_the_clock_needs_no_new_copy():
    consultation = ConsultationFactory()
    kept, _ = _reads(consultation.pk)
    ends = consultation.phases.get().ends_at
    assert kept.current_phase(ends - timezone.timedelta(seconds=1)) is not None
    assert kept.current_phase(ends) is None


def test_without_word_of_a_change_the_copy_is_read_again_after_the_cap(monkeypatch):
    consultation = ConsultationFactory()
    _reads(consultation.pk)
    # A change the cache never heard of (queryset.update sends no signal; or the cache is down).
    Consultation.objects.filter(pk=consultation.pk).update(support_limit=3)
    kept, queries = _reads(consultation.pk)
    assert queries == 0 and kept.support_limit is None
    later = selectors.time.monotonic() + 5
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    kept, queries = _reads(consultation.pk)
    assert queries == 2 and kept.support_limit == 3


def test_a_deleted_consultation_is_none():
    consultation = ConsultationFactory()
    _reads(consultation.pk)
    consultation.delete()
    assert _reads(consultation.pk)[0] is None
