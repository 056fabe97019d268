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


@dataclass
class SocialData:
    consultation: object
    posts: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)


def social_post(consultation, channel, *, state="published", metrics=None, **extra):
    from social.models import SocialPost

    published = state == "published"
    return SocialPost.objects.create(
        consultation=consultation,
        channel=channel,
        text=f"News on {channel.platform}",
        link=f"https://borgerdialog.example/{consultation.slug}/?utm_source={channel.platform}",
        state=state,
        metrics=metrics or {},
        published_at=timezone.now() if published else None,
        remote_id=f"{channel.platform}-{SocialPost.objects.count() + 1}" if published else "",
        remote_url=f"https://{channel.platform}.example/p/{SocialPost.objects.count() + 1}"
        if published
        else "",
        **extra,
    )


@pytest.fixture
def social_data(report_data, planner) -> SocialData:
    """Posts on three platforms with the engagement each platform reports (Facebook reach, X
    views only, Mastodon nothing), posts that must not count, and arrivals per channel."""
    from reports.models import Referral
    from social.models import Channel, ImportedComment

    consultation = report_data.consultation
    approver = factories.UserFactory(
        role="planner", display_name="Approving Anna", show_name_publicly=True
    )
    facebook = Channel.objects.create(platform="facebook", name="Harbour town")
    x = Channel.objects.create(platform="x", name="@harbourtown")
    mastodon = Channel.objects.create(platform="mastodon", name="@harbour@social.example")
    data = SocialData(consultation=consultation)
    data.posts["facebook"] = social_post(
        consultation,
        facebook,
        metrics={"reach": 1200, "views": None, "reactions": 30, "comments": 4, "shares": 2},
        remote_answer={"id": "fb-answer-1", "post_id": "100_1"},
        created_by=planner,
        approved_by=approver,
        approved_at=timezone.now(),
    )
    data.posts["x"] = social_post(
        consultation,
        x,
        metrics={"reach": None, "views": 800, "reactions": 12, "comments": None, "shares": 3},
    )
    data.posts["mastodon"] = social_post(
        consultation, mastodon, metrics={"reactions": 5, "comments": 1, "shares": 1}
    )
    data.posts["failed"] = social_post(
        consultation,
        facebook,
        state="failed",
        metrics={"reach": 99999},
        error="Token expired at the platform",
    )
    data.posts["draft"] = social_post(consultation, facebook, state="draft")
    other = factories.ConsultationFactory(title="Elsewhere")
    social_post(other, facebook, metrics={"reach": 5000})
    ImportedComment.objects.create(
        post=data.posts["facebook"],
        platform="facebook",
        remote_id="c1",
        author_name="Jens",
        text="Good plan!",
        created_at=timezone.now(),
    )
    ImportedComment.objects.create(
        post=data.posts["facebook"],
        platform="facebook",
        remote_id="c2",
        author_name="Troll",
        text="Hidden insult",
        created_at=timezone.now(),
        is_hidden=True,
        hidden_reason="Insults",
    )
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    for source, day, visits in (
        ("facebook", yesterday, 10),
        ("facebook", today, 5),
        ("x", today, 3),
        ("embed", yesterday, 7),
    ):
        Referral.objects.create(consultation=consultation, source=source, day=day, visits=visits)
    Referral.objects.create(consultation=other, source="facebook", day=today, visits=100)
    # Counted by hand from the rows above.
    data.expected.update(
        published_posts=3,
        reach=1200 + 800,  # Facebook's reach and X's views; Mastodon gives neither
        reactions=30 + 12 + 5,
        arrivals_social=10 + 5 + 3,
        arrivals={"Facebook": 15, "Embedded page": 7, "X": 3},
        first_day=yesterday,
        last_day=today,
    )
    return data
