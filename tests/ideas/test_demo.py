import io

import pytest

from devsite.demo import consultations as consultations_demo
from devsite.demo import ideas as demo
from devsite.demo import people as civic_demo
from ideas.models import Idea, Support
from maps.geometry import check_point_in_area

pytestmark = pytest.mark.django_db


def test_demo_is_realistic_and_idempotent():
    out = io.StringIO()
    users = civic_demo.load(out)
    consultations_demo.load(out, users)
    demo.load(out, users)
    counts = (Idea.objects.count(), Support.objects.count())
    assert Idea.objects.filter(consultation__slug="christiansholm").count() == 40
    assert Idea.objects.filter(consultation__slug="harstad-sentrumstunnel").count() >= 3
    assert Idea.objects.exclude(status="submitted").count() >= 5
    for idea in Idea.objects.select_related("consultation"):
        check_point_in_area(idea.consultation.area, idea.longitude, idea.latitude)
        assert idea.support_count == idea.supports.count()
    demo.load(out, users)
    assert (Idea.objects.count(), Support.objects.count()) == counts
