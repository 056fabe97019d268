"""Phase kinds are presets (an idea collection lets residents submit and support), and
publishing warns about a timeline in which nobody can take part."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from consultations.models import Consultation, Phase
from consultations.rules import PRESETS
from tests import factories
from tests.consultations.test_api import LIST, _payload

pytestmark = pytest.mark.django_db


def _phase(kind, **flags):
    now = timezone.now()
    return {
        "kind": kind,
        "starts_at": (now - timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=9)).isoformat(),
        **flags,
    }


def test_the_api_gives_a_new_phase_its_kinds_preset(planner):
    api = APIClient()
    api.force_authenticate(planner)
    response = api.post(LIST, _payload(phases=[_phase("ideas")]), format="json")
    assert response.status_code == 201, response.json()
    (phase,) = response.json()["phases"]
    assert phase["allows_ideas"] and phase["allows_support"]
    assert not phase["allows_comments"] and not phase["allows_poll"]


def test_flags_the_planner_sends_are_kept(planner):
    api = APIClient()
    api.force_authenticate(planner)
    phases = [_phase("ideas", allows_ideas=True, allows_support=False)]
    response = api.post(LIST, _payload(phases=phases), format="json")
    (phase,) = response.json()["phases"]
    assert phase["allows_ideas"] and not phase["allows_support"]


def test_every_kind_has_a_preset():
    assert set(PRESETS) == set(Phase.Kind)


def test_the_form_carries_the_presets_for_the_script(client, planner):
    client.force_login(planner)
    page = client.get(reverse("consultations:create")).content.decode()
    assert "data-phase-presets=" in page and "allows_ideas" in page


def _draft(planner, **flags):
    consultation = factories.ConsultationFactory(status=Consultation.Status.DRAFT)
    consultation.planners.add(planner)
    consultation.phases.update(kind=Phase.Kind.IDEAS, **flags)
    return consultation


NONE = {
    "allows_ideas": False,
    "allows_support": False,
    "allows_comments": False,
    "allows_poll": False,
}


def test_publishing_warns_when_nobody_can_take_part(client, planner):
    consultation = _draft(planner, **NONE)
    client.force_login(planner)
    page = client.get(reverse("consultations:publish", args=[consultation.slug])).content
    assert "Nobody can take part" in page.decode()


def test_publishing_names_an_idle_phase_beside_a_working_one(client, planner):
    consultation = _draft(planner, **NONE)
    now = timezone.now()
    factories.PhaseFactory(
        consultation=consultation,
        kind=Phase.Kind.DEBATE,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=30),
        allows_comments=True,
    )
    client.force_login(planner)
    page = client.get(reverse("consultations:publish", args=[consultation.slug])).content.decode()
    assert "In these phases residents can do nothing" in page and "Idea collection" in page


def test_no_warning_for_a_timeline_that_works(client, planner):
    consultation = _draft(planner, allows_ideas=True)
    client.force_login(planner)
    page = client.get(reverse("consultations:publish", args=[consultation.slug])).content.decode()
    assert "residents can do nothing" not in page and "Nobody can take part" not in page
