"""The support service and the pages ask one rule (ideas.permissions.support_refusal): whatever
the situation, the service refuses exactly when can_support_idea says no, with the rule's words."""

import pytest
from django.core.exceptions import PermissionDenied

from consultations.models import Consultation
from ideas import services
from ideas.permissions import can_support_idea, support_refusal
from tests import factories

pytestmark = pytest.mark.django_db


def _situation(name):
    idea = factories.IdeaFactory()
    person = factories.UserFactory()
    if name == "own idea":
        person = idea.author
    elif name == "hidden idea":
        idea.is_hidden = True
        idea.save()
    elif name == "closed consultation":
        Consultation.objects.filter(pk=idea.consultation_id).update(status="closed")
        idea.consultation.refresh_from_db()
    elif name == "no support phase":
        idea.consultation.phases.update(allows_support=False)
        idea.consultation = Consultation.objects.get(pk=idea.consultation_id)
    elif name == "deactivated account":
        person.is_active = False
        person.save()
    return person, idea


@pytest.mark.parametrize(
    "name",
    [
        "may support",
        "own idea",
        "hidden idea",
        "closed consultation",
        "no support phase",
        "deactivated account",
    ],
)
def test_the_service_refuses_exactly_when_the_predicate_says_no(name):
    person, idea = _situation(name)
    allowed = can_support_idea(person, idea)
    assert allowed == (name == "may support")
    if allowed:
        services.idea_support(user=person, idea=idea)
        assert idea.support_count == 1
    else:
        with pytest.raises(PermissionDenied) as refused:
            services.idea_support(user=person, idea=idea)
        assert str(refused.value) == support_refusal(person, idea)
