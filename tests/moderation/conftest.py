import pytest

from tests.debate.factories import CommentFactory
from tests.factories import ConsultationFactory, IdeaFactory, PlannerFactory, UserFactory


@pytest.fixture
def author(db):
    return UserFactory(display_name="Unique Authorname", show_name_publicly=True)


@pytest.fixture
def idea(consultation, author):
    return IdeaFactory(consultation=consultation, author=author, title="A sauna on the quay")


@pytest.fixture
def comment(idea, author):
    return CommentFactory(topic=None, idea=idea, consultation=idea.consultation, author=author)


@pytest.fixture
def other_consultation(db):
    return ConsultationFactory()


@pytest.fixture
def assigned_planner(consultation):
    """A planner limited to the consultation fixture."""
    planner = PlannerFactory(limited_to_assigned=True)
    consultation.planners.add(planner)
    return planner


@pytest.fixture
def other_planner(other_consultation):
    """A planner limited to another consultation."""
    planner = PlannerFactory(limited_to_assigned=True)
    other_consultation.planners.add(planner)
    return planner


@pytest.fixture
def reporters(db):
    return UserFactory.create_batch(3)
