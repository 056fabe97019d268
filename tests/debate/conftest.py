import pytest

from tests import factories


@pytest.fixture
def topic(consultation):
    return factories.TopicFactory(consultation=consultation)


@pytest.fixture
def poll_topic(consultation):
    topic = factories.TopicFactory(consultation=consultation, poll_question="Tunnel?")
    for position, label in enumerate(["Yes", "No", "Undecided"]):
        factories.PollOptionFactory(topic=topic, label=label, position=position)
    return topic


@pytest.fixture
def assigned_planner(consultation):
    """A planner limited to the consultations they are assigned to, assigned to this one."""
    user = factories.PlannerFactory(limited_to_assigned=True)
    consultation.planners.add(user)
    return user


@pytest.fixture
def other_planner(db):
    """A planner limited to their own consultations, not assigned to the one under test."""
    user = factories.PlannerFactory(limited_to_assigned=True)
    factories.ConsultationFactory().planners.add(user)
    return user


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source texts; the site's default language is Danish."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
