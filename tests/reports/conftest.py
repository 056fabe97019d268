"""A consultation with every kind of content a summary counts, and every kind it must leave out.

The expected figures are written down here by hand from what is created, so the tests compare
the summary with numbers computed independently of the selectors.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from civic.audit import audit_record
from debate.models import CommentVote, PollAnswer, Stance
from ideas.models import IdeaStatus, Publication, Support
from tests import factories
from tests.debate.factories import CommentFactory

from .factories import IdeaImageFactory

HIDDEN_NAME = "Secretive Sørensen"
PHONE = "+45 12 34 56 78"


@dataclass
class ReportData:
    consultation: object
    people: list
    hidden_name_person: object
    ideas: dict = field(default_factory=dict)
    topic: object = None
    poll_topic: object = None
    expected: dict = field(default_factory=dict)


def _supports(idea, people):
    for person in people:
        Support.objects.create(idea=idea, user=person, consultation=idea.consultation)
    idea.support_count = len(people)
    idea.save(update_fields=["support_count"])


@pytest.fixture
def report_data(db, planner) -> ReportData:
    consultation = factories.ConsultationFactory(title="Harbour baths", language="en")
    bath = factories.CategoryFactory(consultation=consultation, name="Bathing", colour="#1a4f8b")
    green = factories.CategoryFactory(consultation=consultation, name="Green", colour="#2f7d32")
    people = [
        factories.UserFactory(email=f"resident{n}@private.example", phone=PHONE) for n in range(8)
    ]
    secretive = factories.UserFactory(
        email="secretive@private.example",
        display_name=HIDDEN_NAME,
        show_name_publicly=False,
        phone=PHONE,
    )
    open_name = factories.UserFactory(
        email="open@private.example", display_name="Open Olsen", show_name_publicly=True
    )
    data = ReportData(consultation=consultation, people=people, hidden_name_person=secretive)

    def idea(title, category, author, **extra):
        return factories.IdeaFactory(
            consultation=consultation, title=title, category=category, author=author, **extra
        )

    data.ideas["bath"] = idea(
        "Harbour bath",
        bath,
        secretive,
        status=IdeaStatus.ACCEPTED,
        answer="We will build it in 2027.",
        answered_at=timezone.now(),
        answered_by=planner,
    )
    data.ideas["sauna"] = idea("Floating sauna", bath, open_name, status=IdeaStatus.UNDER_REVIEW)
    data.ideas["trees"] = idea("More trees", green, people[0])
    data.ideas["bench"] = idea("A quiet bench", None, people[1])
    data.ideas["hidden"] = idea(
        "Insulting idea", green, secretive, is_hidden=True, hidden_reason="Insults"
    )
    data.ideas["pending"] = idea(
        "Awaiting moderation", green, people[2], publication=Publication.PENDING_MODERATION
    )
    _supports(data.ideas["bath"], people[:5])
    _supports(data.ideas["sauna"], people[:3] + [secretive])
    _supports(data.ideas["trees"], people[3:5])
    _supports(data.ideas["hidden"], people[5:7])  # not counted: the idea is hidden
    # Spread creation over two days so the chart has more than one point.
    yesterday = timezone.now() - timedelta(days=1)
    type(data.ideas["trees"]).objects.filter(pk=data.ideas["trees"].pk).update(created_at=yesterday)

    topic = factories.TopicFactory(consultation=consultation, title="A bridge?")
    data.topic = topic
    for_best = CommentFactory(
        topic=topic,
        author=people[0],
        stance=Stance.FOR,
        body="Bridges connect.",
        score=0.9,
        upvotes=5,
    )
    CommentFactory(
        topic=topic,
        author=people[1],
        stance=Stance.FOR,
        body="Cheaper than ferries.",
        score=0.3,
        upvotes=1,
    )
    CommentFactory(
        topic=topic,
        author=secretive,
        stance=Stance.AGAINST,
        body="It blocks boats.",
        score=0.5,
        upvotes=2,
    )
    CommentFactory(topic=topic, author=people[2], stance=Stance.NEUTRAL, body="Show drawings.")
    CommentFactory(
        topic=topic,
        author=people[3],
        stance=Stance.AGAINST,
        body="Hidden rant",
        is_hidden=True,
        hidden_reason="Abuse",
        score=1.0,
    )
    CommentFactory(
        topic=topic, author=people[4], stance=Stance.FOR, body="Deleted words", is_deleted=True
    )
    reply = CommentFactory(topic=topic, author=secretive, parent=for_best, body="I agree with you.")
    CommentVote.objects.create(comment=for_best, user=people[5], value=1)
    CommentFactory(idea=data.ideas["bath"], topic=None, author=people[6], body="Great idea!")
    CommentFactory(idea=data.ideas["hidden"], topic=None, author=people[7], body="On hidden idea")
    data.expected["reply_id"] = reply.pk

    poll_topic = factories.TopicFactory(
        consultation=consultation, title="Which colour?", poll_question="Which colour?"
    )
    red = factories.PollOptionFactory(topic=poll_topic, label="Red", position=0)
    blue = factories.PollOptionFactory(topic=poll_topic, label="Blue", position=1)
    for person in people[:3]:
        PollAnswer.objects.create(topic=poll_topic, option=red, user=person)
    PollAnswer.objects.create(topic=poll_topic, option=blue, user=people[7])
    data.poll_topic = poll_topic

    IdeaImageFactory(idea=data.ideas["bath"])
    audit_record(
        actor=planner,
        action="moderation.hide",
        target=data.ideas["hidden"],
        reason="Insults",
        consultation_id=consultation.pk,
    )

    # Counted by hand from the rows above.
    data.expected.update(
        ideas=4,  # bath, sauna, trees, bench
        supports=5 + 4 + 2,
        # Public comments: 4 visible arguments, 1 reply, 1 on the bath idea.
        comments=6,
        poll_answers=4,
        poll_respondents=4,
        # Everyone who submitted (not pending-confirmation), supported, commented or answered:
        # people 0-7, secretive, open_name.
        participants=10,
        hidden_ideas=1,
        hidden_comments=1,
        by_category={"Bathing": 2, "Green": 1, "No category": 1},
        by_status={"accepted": 1, "under_review": 1, "submitted": 2},
    )
    return data


@pytest.fixture
def results_published(report_data):
    consultation = report_data.consultation
    consultation.results = "We build the bath."
    consultation.results_published_at = timezone.now()
    consultation.save()
    return consultation


@pytest.fixture
def closed(report_data):
    consultation = report_data.consultation
    consultation.status = "closed"
    consultation.save()
    return consultation
