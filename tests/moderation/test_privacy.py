"""GDPR: the export holds everything about the person; erasure leaves nothing that names them."""

import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from civic.models import Notification, User
from debate.models import Comment, CommentVote, PollAnswer
from debate.services import comment_create
from ideas.models import Follow, Idea, Support
from moderation import privacy, services
from tests.debate.factories import CommentFactory
from tests.factories import (
    IdeaFactory,
    PlannerFactory,
    PollOptionFactory,
    TopicFactory,
    UserFactory,
    api_key_for,
)
from tests.moderation.factories import IdeaImageFactory

pytestmark = pytest.mark.django_db

EMAIL = "zeta.unique@example.org"
NAME = "Zorro Uniquename"
PHONE = "+45 99887766"


@pytest.fixture
def person(consultation):
    """Someone who has done a bit of everything."""
    user = UserFactory(
        email=EMAIL,
        username=EMAIL,
        display_name=NAME,
        show_name_publicly=True,
        phone=PHONE,
        first_name="Zorro",
        last_name="Uniquename",
    )
    idea = IdeaFactory(consultation=consultation, author=user, title="My harbour bath")
    IdeaImageFactory(idea=idea)
    other_idea = IdeaFactory(consultation=consultation)
    Support.objects.create(idea=other_idea, user=user, consultation=consultation)
    other_comment = CommentFactory(topic=None, idea=other_idea, consultation=consultation)
    comment_create(author=user, target=other_idea, body="I agree with this.")
    CommentVote.objects.create(comment=other_comment, user=user, value=1)
    topic = TopicFactory(consultation=consultation)
    option = PollOptionFactory(topic=topic)
    PollAnswer.objects.create(topic=topic, option=option, user=user)
    services.report_create(reporter=user, target=other_comment, reason="spam")
    Follow.objects.create(user=user, consultation=consultation)
    Notification.objects.create(recipient=user, kind="idea_answer", subject="Hello")
    SocialAccount.objects.create(user=user, provider="openid_connect", uid="eid-123")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "S"})
    user.api_key = api_key_for(user)
    planner = PlannerFactory()
    services.item_hide(actor=planner, target=idea, public_reason="spam")
    services.appeal_create(author=user, target=idea, text="Please look again")
    services.user_block(
        actor=planner, user=user, consultation=consultation, days=1, reason="Too many posts"
    )
    return user


def test_export_has_every_section(person):
    data = privacy.export_user_data(person)
    assert data["profile"]["email"] == EMAIL and data["profile"]["phone"] == PHONE
    for section in (
        "ideas",
        "comments",
        "supports",
        "comment_votes",
        "poll_answers",
        "reports",
        "appeals",
        "blocks",
        "follows",
        "notifications",
    ):
        # Notices: the one planted, and those the moderation decisions above sent.
        assert len(data[section]) == 1 or section == "notifications", section
    assert data["ideas"][0]["photos"][0]["description"] == "A view of the quay"
    json.dumps(data)  # serialisable as it is


def test_export_covers_every_table_linked_to_the_person(person):
    """Whatever app adds a table pointing at the user, its rows appear in the export."""
    data = privacy.export_user_data(person)
    for model, field in privacy.user_relations():
        label = (model._meta.app_label, model._meta.model_name, field.name)
        if label in privacy.STAFF_RELATIONS:
            continue
        if not model.objects.filter(**{field.name: person}).exists():
            continue
        named = label in privacy.NAMED_SECTIONS
        assert named or f"{model._meta.label}.{field.name}" in data["other"], label


def test_export_leaves_out_secrets(person):
    text = json.dumps(privacy.export_user_data(person))
    token = person.api_tokens.get()
    assert person.api_key not in text
    assert token.digest not in text
    assert '"secret"' not in text
    assert "eid-123" in text  # the linked sign-in itself is the person's data


def test_export_pages(client, person):
    client.force_login(person)
    page = client.get(reverse("moderation:my_data"))
    assert page.status_code == 200 and b"My harbour bath" in page.content
    download = client.get(reverse("moderation:my_data_json"))
    assert download["Content-Disposition"].startswith("attachment")
    assert json.loads(download.content)["profile"]["display_name"] == NAME


@pytest.mark.parametrize(
    "language, readable, codes",
    [
        (
            "en",
            ["Reason", "Spam", "Official answers to ideas", "Resident", "Name shown to others"],
            ["idea_answer", "notification_frequency", "created_at", "hidden_reason"],
        ),
        (
            "da",
            ["Begrundelse", "Officielle svar på idéer", "Borger"],
            ["idea_answer", "created_at"],
        ),
        (
            "nb",
            ["Begrunnelse", "Offisielle svar på ideer", "Innbygger"],
            ["idea_answer", "created_at"],
        ),
    ],
)
def test_my_data_page_shows_labels_not_codes(client, person, language, readable, codes):
    """The page reads in the person's language; stored codes and field names stay in the JSON."""
    client.force_login(person)
    page = client.get(reverse("moderation:my_data"), HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    for label in readable:
        assert label in text, label
    for code in codes:
        assert code not in text, code
    download = json.loads(client.get(reverse("moderation:my_data_json")).content)
    assert download["notifications"][0]["kind"] == "idea_answer"


def test_my_data_page_labels_every_key_the_export_has(person):
    """A key added to the export without a label fails here instead of reaching the page."""
    from moderation import data_page

    profile, sections = data_page.readable(privacy.export_user_data(person))
    shown = {label for label, _ in profile}
    shown |= {label for section in sections for row in section.rows for label, _ in row.fields}
    assert not shown & {"created_at", "hidden_reason", "notification_frequency", "opted_out"}
    assert {section.heading for section in sections} >= {"Ideas", "Notifications"}


def _text_columns(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
    ]


def _remaining_personal_data() -> list[str]:
    """Every text column of every table, searched for the person's e-mail, name and phone."""
    found = []
    needles = [EMAIL, NAME, PHONE, "Uniquename"]
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        for row in model.objects.values_list(*[c.attname for c in columns]):
            for column, value in zip(columns, row, strict=True):
                text = json.dumps(value) if not isinstance(value, str) else value
                for needle in needles:
                    if needle.lower() in (text or "").lower():
                        found.append(f"{model._meta.label}.{column.name}: {needle}")
    return found


@pytest.mark.parametrize("contributions", ["anonymise", "remove"])
def test_deletion_leaves_no_personal_data_in_any_table(client, person, contributions):
    client.force_login(person)
    assert _remaining_personal_data()  # the search finds the data before
    response = client.post(
        reverse("moderation:delete_account"),
        {"contributions": contributions, "password": "pass-word-123", "confirm": "on"},
    )
    assert response.status_code == 302
    assert _remaining_personal_data() == []
    person.refresh_from_db()
    assert person.is_deleted and not person.is_active and not person.has_usable_password()
    assert person.public_name == "Deleted user"
    assert not Session.objects.exists()
    assert not SocialAccount.objects.exists() and not Authenticator.objects.exists()
    # Supports and votes stay in the totals.
    assert Support.objects.filter(user=person).count() == 1
    assert CommentVote.objects.filter(user=person).count() == 1
    ideas = Idea.objects.filter(author=person)
    comments = Comment.objects.filter(author=person)
    if contributions == "anonymise":
        assert ideas.get().title == "My harbour bath"
        assert comments.get().body
    else:
        assert not ideas.exists()
        assert comments.get().is_deleted and comments.get().body == ""


def test_deletion_needs_the_password(person):
    with pytest.raises(ValidationError) as error:
        privacy.delete_account(user=person, password="wrong", contributions="anonymise")
    assert "password" in error.value.message_dict
    assert User.objects.get(pk=person.pk).email == EMAIL


def test_deletion_page_shows_form_errors(client, person):
    client.force_login(person)
    response = client.post(
        reverse("moderation:delete_account"),
        {"contributions": "anonymise", "password": "wrong", "confirm": "on"},
    )
    assert response.status_code == 200 and b"The password is not correct." in response.content
