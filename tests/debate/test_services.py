from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civic.models import AuditEntry
from consultations.models import Phase
from debate import services
from debate.models import COMMENT_MAX_LENGTH, Comment, CommentRevision, CommentVote, PollAnswer
from ideas.models import Follow
from tests import factories


def test_comment_counts_and_tree_fields(resident, topic):
    root = services.comment_create(author=resident, target=topic, body="A tunnel.", stance="for")
    reply = services.comment_create(author=resident, target=topic, body="Yes.", parent=root)
    deeper = services.comment_create(author=resident, target=topic, body="No.", parent=reply)
    assert (root.depth, reply.depth, deeper.depth) == (0, 1, 2)
    assert root.root_id is None and reply.root_id == root.pk and deeper.root_id == root.pk
    topic.refresh_from_db()
    assert topic.comment_count == 3


def test_comment_on_idea_counts_on_idea(resident, consultation):
    idea = factories.IdeaFactory(consultation=consultation)
    services.comment_create(author=resident, target=idea, body="Good idea")
    idea.refresh_from_db()
    assert idea.comment_count == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a comment."),
        ("   \n ", "Write a comment."),
        ("x" * (COMMENT_MAX_LENGTH + 1), "at most"),
        ("Hi <script>alert(1)</script>", "Scripts"),
        ('<img src=x onerror="alert(1)">', "Scripts"),
        ("[click](javascript:alert(1))", "Scripts"),
    ],
)
def test_bad_bodies_are_refused_on_the_body_field(resident, topic, body, message):
    with pytest.raises(ValidationError) as error:
        services.comment_create(author=resident, target=topic, body=body)
    assert message in " ".join(error.value.message_dict["body"])
    assert not Comment.objects.exists()


def test_markdown_is_kept_and_a_long_but_allowed_comment_passes(resident, topic):
    comment = services.comment_create(
        author=resident, target=topic, body="**Ja** " + "a" * (COMMENT_MAX_LENGTH - 10)
    )
    assert comment.body.startswith("**Ja**")


def test_reply_to_a_comment_of_another_topic_is_refused(resident, consultation, topic):
    other_topic = factories.TopicFactory(consultation=consultation)
    elsewhere = services.comment_create(author=resident, target=other_topic, body="There")
    with pytest.raises(ValidationError) as error:
        services.comment_create(author=resident, target=topic, body="Here", parent=elsewhere)
    assert "same discussion" in error.value.message_dict["parent"][0]


def test_reply_to_a_deleted_comment_is_refused(resident, topic):
    parent = services.comment_create(author=resident, target=topic, body="Soon gone")
    services.comment_delete(actor=resident, comment=parent)
    with pytest.raises(ValidationError) as error:
        services.comment_create(author=resident, target=topic, body="Hello?", parent=parent)
    assert "deleted" in error.value.message_dict["parent"][0]


def test_stance_only_on_top_level_topic_comments(resident, consultation, topic):
    root = services.comment_create(author=resident, target=topic, body="Root", stance="against")
    with pytest.raises(ValidationError) as error:
        services.comment_create(
            author=resident, target=topic, body="Reply", parent=root, stance="for"
        )
    assert "stance" in error.value.message_dict
    idea = factories.IdeaFactory(consultation=consultation)
    with pytest.raises(ValidationError):
        services.comment_create(author=resident, target=idea, body="On idea", stance="for")
    with pytest.raises(ValidationError):
        services.comment_create(author=resident, target=topic, body="Odd", stance="maybe")


def test_no_commenting_after_the_phase_ends(resident):
    now = timezone.now()
    consultation = factories.ConsultationFactory(open_phase=False)
    Phase.objects.create(
        consultation=consultation,
        kind=Phase.Kind.DEBATE,
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=1),
        allows_comments=True,
        allows_poll=True,
    )
    topic = factories.TopicFactory(consultation=consultation)
    with pytest.raises(PermissionDenied, match="The comment phase has ended."):
        services.comment_create(author=resident, target=topic, body="Too late")


def test_anonymous_cannot_comment(topic):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.comment_create(author=AnonymousUser(), target=topic, body="Hi")


def test_pre_moderated_comment_waits_and_is_not_counted(resident, planner, consultation, topic):
    consultation.pre_moderation = True
    consultation.save()
    comment = services.comment_create(author=resident, target=topic, body="Wait for me")
    assert comment.publication == "pending_moderation"
    topic.refresh_from_db()
    assert topic.comment_count == 0
    services.comment_publish(actor=planner, comment=comment)
    topic.refresh_from_db()
    assert topic.comment_count == 1


def test_edit_keeps_history_and_marks_edited(resident, topic):
    comment = services.comment_create(author=resident, target=topic, body="First")
    services.comment_edit(actor=resident, comment=comment, body="Second")
    comment.refresh_from_db()
    assert comment.body == "Second" and comment.edited_at is not None
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["First"]


def test_only_the_author_edits_and_deletes(resident, planner, topic):
    comment = services.comment_create(author=resident, target=topic, body="Mine")
    other = factories.UserFactory()
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=other, comment=comment, body="Yours")
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=planner, comment=comment, body="Planner's")
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=other, comment=comment)


def test_edit_refuses_bad_input(resident, topic):
    comment = services.comment_create(author=resident, target=topic, body="Fine")
    with pytest.raises(ValidationError):
        services.comment_edit(actor=resident, comment=comment, body="")
    with pytest.raises(ValidationError):
        services.comment_edit(actor=resident, comment=comment, body="<script>x</script>")


def test_delete_removes_text_keeps_structure_and_uncounts(resident, topic):
    root = services.comment_create(author=resident, target=topic, body="Root")
    services.comment_edit(actor=resident, comment=root, body="Root, edited")
    reply = services.comment_create(
        author=factories.UserFactory(), target=topic, body="R", parent=root
    )
    services.comment_delete(actor=resident, comment=root)
    root.refresh_from_db()
    assert root.is_deleted and root.body == "" and not root.revisions.exists()
    assert Comment.objects.filter(pk=reply.pk, parent=root).exists()
    topic.refresh_from_db()
    assert topic.comment_count == 1
    services.comment_delete(actor=resident, comment=root)  # twice is harmless
    topic.refresh_from_db()
    assert topic.comment_count == 1


def test_vote_change_and_withdraw_keep_counts_and_score(resident, topic):
    comment = services.comment_create(author=resident, target=topic, body="Vote me")
    voter = factories.UserFactory()
    comment = services.comment_vote(user=voter, comment=comment, value=1)
    assert (comment.upvotes, comment.downvotes) == (1, 0) and comment.score > 0
    comment = services.comment_vote(user=voter, comment=comment, value=1)
    assert (comment.upvotes, comment.downvotes) == (1, 0)
    comment = services.comment_vote(user=voter, comment=comment, value=-1)
    assert (comment.upvotes, comment.downvotes) == (0, 1) and comment.score == 0
    comment = services.comment_vote(user=voter, comment=comment, value=0)
    assert (comment.upvotes, comment.downvotes) == (0, 0)
    assert not CommentVote.objects.exists()


def test_vote_rules(resident, topic):
    comment = services.comment_create(author=resident, target=topic, body="Mine")
    with pytest.raises(PermissionDenied, match="own comment"):
        services.comment_vote(user=resident, comment=comment, value=1)
    with pytest.raises(ValidationError) as error:
        services.comment_vote(user=factories.UserFactory(), comment=comment, value=5)
    assert "value" in error.value.message_dict


def test_official_answer_by_assigned_planner_is_audited_and_notifies(
    resident, assigned_planner, topic, django_capture_on_commit_callbacks
):
    question = services.comment_create(author=resident, target=topic, body="When?")
    mail.outbox.clear()
    answer = services.comment_create(
        author=assigned_planner, target=topic, body="In **2027**.", parent=question
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.comment_mark_official(actor=assigned_planner, comment=answer)
    assert answer.is_official and answer.official_marked_by == assigned_planner
    assert AuditEntry.objects.filter(action="debate.official_marked", object_id=str(answer.pk))
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "2027" in mail.outbox[0].body


def test_official_mark_rules(resident, assigned_planner, other_planner, topic):
    by_resident = services.comment_create(author=resident, target=topic, body="Me")
    with pytest.raises(PermissionDenied):
        services.comment_mark_official(actor=assigned_planner, comment=by_resident)
    by_planner = services.comment_create(author=assigned_planner, target=topic, body="We")
    with pytest.raises(PermissionDenied):
        services.comment_mark_official(actor=other_planner, comment=by_planner)
    with pytest.raises(PermissionDenied):
        services.comment_mark_official(actor=resident, comment=by_planner)
    with pytest.raises(PermissionDenied):
        services.comment_create(author=other_planner, target=topic, body="Not ours", official=True)


def test_reply_notifies_parent_author_not_self(resident, topic, django_capture_on_commit_callbacks):
    root = services.comment_create(author=resident, target=topic, body="Root")
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=resident, target=topic, body="Self", parent=root)
    assert mail.outbox == []
    other = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(author=other, target=topic, body="Other", parent=root)
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_topic_create_by_planner_notifies_followers_and_audits(
    assigned_planner, consultation, other_planner, django_capture_on_commit_callbacks
):
    follower = factories.UserFactory()
    Follow.objects.create(user=follower, consultation=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        topic = services.topic_create(
            actor=assigned_planner,
            consultation=consultation,
            title="Tunnel?",
            introduction="Should we?",
            poll_question="Do we need it?",
            poll_options=["Yes", "No", " ", "Undecided"],
        )
    assert list(topic.poll_options.values_list("label", flat=True)) == ["Yes", "No", "Undecided"]
    assert AuditEntry.objects.filter(action="debate.topic_created", object_id=str(topic.pk))
    assert [m.to for m in mail.outbox] == [[follower.email]]
    with pytest.raises(PermissionDenied):
        services.topic_create(actor=other_planner, consultation=consultation, title="No")


@pytest.mark.parametrize(
    ("question", "options", "field"),
    [
        ("Q?", ["Only one"], "poll_options"),
        ("", ["A", "B"], "poll_question"),
        ("Q?", ["Same", "same"], "poll_options"),
        ("Q?", [str(i) for i in range(11)], "poll_options"),
    ],
)
def test_topic_poll_validation(planner, consultation, question, options, field):
    with pytest.raises(ValidationError) as error:
        services.topic_create(
            actor=planner,
            consultation=consultation,
            title="T",
            poll_question=question,
            poll_options=options,
        )
    assert field in error.value.message_dict


def test_topic_update_keeps_answered_options(planner, resident, poll_topic):
    yes = poll_topic.poll_options.get(label="Yes")
    services.poll_answer(user=resident, topic=poll_topic, option_ids=[yes.pk])
    services.topic_update(
        actor=planner,
        topic=poll_topic,
        title="Renamed",
        poll_question="Tunnel?",
        poll_options=["Yes", "No", "Maybe later"],
    )
    assert PollAnswer.objects.get().option_id == yes.pk
    assert list(poll_topic.poll_options.values_list("label", flat=True)) == [
        "Yes",
        "No",
        "Maybe later",
    ]
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.topic_update(
            actor=planner, topic=poll_topic, title="X", poll_question="Q", poll_options=["No", "B"]
        )
    assert AuditEntry.objects.filter(action="debate.topic_updated").count() == 1


def test_single_choice_poll_one_answer_changeable(resident, poll_topic):
    yes, no, _ = poll_topic.poll_options.all()
    services.poll_answer(user=resident, topic=poll_topic, option_ids=[yes.pk])
    services.poll_answer(user=resident, topic=poll_topic, option_ids=[no.pk])
    assert list(PollAnswer.objects.values_list("option_id", flat=True)) == [no.pk]
    with pytest.raises(ValidationError, match="only one"):
        services.poll_answer(user=resident, topic=poll_topic, option_ids=[yes.pk, no.pk])
    with pytest.raises(ValidationError):
        services.poll_answer(user=resident, topic=poll_topic, option_ids=[])


def test_multiple_choice_poll(resident, poll_topic):
    poll_topic.poll_multiple = True
    poll_topic.save()
    yes, no, _ = poll_topic.poll_options.all()
    services.poll_answer(user=resident, topic=poll_topic, option_ids=[yes.pk, no.pk])
    assert PollAnswer.objects.filter(user=resident).count() == 2


def test_poll_refuses_foreign_options_and_closed_phase(resident, poll_topic, consultation):
    foreign = factories.PollOptionFactory()
    with pytest.raises(ValidationError, match="answers given"):
        services.poll_answer(user=resident, topic=poll_topic, option_ids=[foreign.pk])
    consultation.phases.update(allows_poll=False)
    yes = poll_topic.poll_options.first()
    with pytest.raises(PermissionDenied):
        services.poll_answer(user=resident, topic=poll_topic, option_ids=[yes.pk])


def test_poll_on_topic_without_poll(resident, topic):
    with pytest.raises(ValidationError):
        services.poll_answer(user=resident, topic=topic, option_ids=[1])
