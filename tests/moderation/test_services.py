import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from civic.blocks import is_blocked, require_not_blocked
from civic.models import AuditEntry
from debate.models import CommentPublication
from ideas.models import IdeaRevision, Publication
from moderation import services
from moderation.models import Appeal, AppealStatus, Block, Report, ReportStatus
from tests.debate.factories import CommentFactory
from tests.factories import IdeaFactory, PlannerFactory, UserFactory
from tests.moderation.factories import IdeaImageFactory

pytestmark = pytest.mark.django_db


def _report(user, target, reason="spam", text=""):
    return services.report_create(reporter=user, target=target, reason=reason, text=text)


class TestReports:
    def test_one_report_per_person_per_item(self, idea, resident):
        _report(resident, idea)
        with pytest.raises(ValidationError) as error:
            _report(resident, idea, reason="offensive")
        assert "already reported" in str(error.value)
        assert Report.objects.filter(idea=idea).count() == 1

    def test_database_refuses_a_second_report_of_the_same_item(self, idea, resident):
        from django.db import IntegrityError

        Report.objects.create(reporter=resident, idea=idea, consultation=idea.consultation)
        with pytest.raises(IntegrityError):
            Report.objects.create(reporter=resident, idea=idea, consultation=idea.consultation)

    def test_other_needs_a_text_and_reason_must_be_known(self, idea, resident):
        with pytest.raises(ValidationError) as error:
            _report(resident, idea, reason="other")
        assert "text" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            _report(resident, idea, reason="boring")
        assert "reason" in error.value.message_dict

    def test_cannot_report_own_or_hidden_content(self, idea, author, resident, planner):
        with pytest.raises(PermissionDenied):
            _report(author, idea)
        services.item_hide(actor=planner, target=idea, public_reason="spam")
        with pytest.raises(PermissionDenied):
            _report(resident, idea)

    def test_threshold_hides_in_the_same_transaction(self, idea, reporters, settings):
        settings.AUTO_HIDE_REPORT_THRESHOLD = 3
        _report(reporters[0], idea)
        _report(reporters[1], idea)
        idea.refresh_from_db()
        assert not idea.is_hidden
        _report(reporters[2], idea, reason="offensive")
        idea.refresh_from_db()
        assert idea.is_hidden
        assert idea.hidden_reason == "awaiting_decision"
        assert AuditEntry.objects.filter(action="moderation.auto_hide").count() == 1

    def test_threshold_is_configurable(self, comment, reporters, settings):
        settings.AUTO_HIDE_REPORT_THRESHOLD = 1
        _report(reporters[0], comment)
        comment.refresh_from_db()
        assert comment.is_hidden

    def test_photo_reports_redact_the_photo_at_the_threshold(self, idea, reporters, settings):
        settings.AUTO_HIDE_REPORT_THRESHOLD = 2
        photo = IdeaImageFactory(idea=idea)
        _report(reporters[0], photo, reason="personal_data")
        _report(reporters[1], photo, reason="personal_data")
        photo.refresh_from_db()
        assert photo.is_redacted
        services.item_keep(actor=PlannerFactory(), target=photo)
        photo.refresh_from_db()
        assert not photo.is_redacted

    def test_blocked_person_cannot_report(self, idea, resident, planner):
        services.user_block(
            actor=planner, user=resident, consultation=idea.consultation, days=3, reason="Spam"
        )
        with pytest.raises(PermissionDenied) as error:
            _report(resident, idea)
        assert "blocked" in str(error.value)


class TestDecisions:
    def test_keep_dismisses_reports_and_restores_an_auto_hidden_item(
        self, idea, reporters, planner, settings
    ):
        settings.AUTO_HIDE_REPORT_THRESHOLD = 3
        for person in reporters:
            _report(person, idea)
        services.item_keep(actor=planner, target=idea, note="Fair criticism")
        idea.refresh_from_db()
        assert not idea.is_hidden
        assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DISMISSED}
        entry = AuditEntry.objects.get(action="moderation.keep")
        assert entry.reason == "Fair criticism" and entry.actor == planner

    def test_hide_sets_the_public_reason_tells_the_author_and_logs(self, idea, planner, author):
        _report(UserFactory(), idea)
        mail.outbox.clear()
        with pytest.raises(ValidationError):
            services.item_hide(actor=planner, target=idea, public_reason="nonsense")
        services.item_hide(
            actor=planner, target=idea, public_reason="personal_data", note="Phone no."
        )
        idea.refresh_from_db()
        assert idea.is_hidden and idea.hidden_reason == "personal_data"
        assert Report.objects.get().status == ReportStatus.UPHELD
        entry = AuditEntry.objects.get(action="moderation.hide")
        assert entry.reason == "Phone no." and entry.changes["public_reason"] == "personal_data"

    def test_hide_mails_the_author_after_commit(
        self, idea, planner, author, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.item_hide(
                actor=planner, target=idea, public_reason="offensive", note="Insults"
            )
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [author.email]
        assert "offensive language" in message.body and "appeal" in message.body

    def test_restore(self, comment, planner):
        services.item_hide(actor=planner, target=comment, public_reason="spam")
        services.item_restore(actor=planner, target=comment)
        comment.refresh_from_db()
        assert not comment.is_hidden and comment.hidden_reason == ""
        with pytest.raises(ValidationError):
            services.item_restore(actor=planner, target=comment)

    def test_edit_keeps_the_original_in_a_revision(self, idea, comment, planner):
        original = idea.description
        services.item_edit(
            actor=planner, target=idea, text="Call me (number removed).", note="Phone number"
        )
        revision = IdeaRevision.objects.get(idea=idea)
        assert revision.description == original and revision.edited_by_moderator
        idea.refresh_from_db()
        assert idea.description == "Call me (number removed)."
        body = comment.body
        services.item_edit(actor=planner, target=comment, text="(name removed) is right.")
        comment.refresh_from_db()
        assert comment.revisions.get().body == body
        assert comment.body_html.startswith("<p>(name removed)")
        entry = AuditEntry.objects.filter(action="moderation.edit").first()
        assert entry.changes["edited_by_moderator"] is True
        assert entry.changes["original"] == {"body": body}

    def test_redact_photo(self, idea, planner):
        photo = IdeaImageFactory(idea=idea)
        services.photo_redact(actor=planner, target=photo, note="A face")
        photo.refresh_from_db()
        assert photo.is_redacted
        with pytest.raises(ValidationError):
            services.photo_redact(actor=planner, target=idea)

    def test_approve_and_reject_pre_moderated_items(self, consultation, planner, author):
        waiting = IdeaFactory(
            consultation=consultation, author=author, publication=Publication.PENDING_MODERATION
        )
        services.item_approve(actor=planner, target=waiting)
        waiting.refresh_from_db()
        assert waiting.publication == Publication.PUBLISHED
        with pytest.raises(ValidationError):
            services.item_approve(actor=planner, target=waiting)
        comment = CommentFactory(
            topic=None,
            idea=waiting,
            consultation=consultation,
            publication=CommentPublication.PENDING_MODERATION,
        )
        services.item_reject(actor=planner, target=comment, public_reason="off_topic")
        comment.refresh_from_db()
        assert comment.is_hidden and comment.publication == CommentPublication.PENDING_MODERATION

    def test_message_author(self, idea, planner, author, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.author_message(
                actor=planner, target=idea, subject="About your idea", body="Please add a photo."
            )
        assert mail.outbox[-1].to == [author.email]
        assert "Please add a photo." in mail.outbox[-1].body
        with pytest.raises(ValidationError) as error:
            services.author_message(actor=planner, target=idea, subject="", body="")
        assert set(error.value.message_dict) == {"subject", "body"}

    def test_bulk_applies_to_each_item_and_reports_failures(
        self, idea, comment, planner, other_consultation
    ):
        elsewhere = IdeaFactory(consultation=other_consultation)
        limited = planner
        limited.limited_to_assigned = True
        limited.save()
        idea.consultation.planners.add(limited)
        result = services.items_act(
            actor=limited,
            action="hide",
            keys=[f"idea:{idea.pk}", f"comment:{comment.pk}", f"idea:{elsewhere.pk}", "idea:x"],
            public_reason="spam",
        )
        assert result.done == [f"idea:{idea.pk}", f"comment:{comment.pk}"]
        assert set(result.failed) == {f"idea:{elsewhere.pk}", "idea:x"}
        elsewhere.refresh_from_db()
        assert not elsewhere.is_hidden


class TestBlocks:
    def test_consultation_block_applies_there_only(self, resident, planner, consultation):
        from tests.factories import ConsultationFactory

        elsewhere = ConsultationFactory()
        services.user_block(
            actor=planner, user=resident, consultation=consultation, days=7, reason="Flooding"
        )
        assert is_blocked(resident, consultation)
        assert not is_blocked(resident, elsewhere)
        with pytest.raises(PermissionDenied) as error:
            require_not_blocked(resident, consultation)
        assert "Flooding" in str(error.value) and "this consultation only" in str(error.value)

    def test_site_block_applies_everywhere_and_ends(self, resident, administrator, consultation):
        from datetime import timedelta

        from django.utils import timezone

        block = services.user_block(
            actor=administrator, user=resident, consultation=None, days=1, reason="Threats"
        )
        assert is_blocked(resident, consultation) and is_blocked(resident)
        Block.objects.filter(pk=block.pk).update(until=timezone.now() - timedelta(seconds=1))
        assert not is_blocked(resident, consultation)

    def test_lift_block(self, resident, planner, consultation):
        block = services.user_block(
            actor=planner, user=resident, consultation=consultation, days=7, reason="x"
        )
        services.block_lift(actor=planner, block=block)
        assert not is_blocked(resident, consultation)

    def test_block_needs_reason_and_a_sane_period(self, resident, planner, consultation):
        with pytest.raises(ValidationError) as error:
            services.user_block(
                actor=planner, user=resident, consultation=consultation, days=0, reason=""
            )
        assert "reason" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.user_block(
                actor=planner, user=resident, consultation=consultation, days=None, reason="x"
            )
        assert "days" in error.value.message_dict

    def test_staff_are_not_blocked(self, planner, administrator, consultation):
        with pytest.raises(ValidationError):
            services.user_block(
                actor=administrator, user=planner, consultation=consultation, days=1, reason="x"
            )


class TestAppeals:
    def test_author_appeals_a_hidden_item_and_the_appeal_reverses_it(
        self, comment, author, planner
    ):
        services.item_hide(actor=planner, target=comment, public_reason="offensive")
        appeal = services.appeal_create(author=author, target=comment, text="It was a quote.")
        with pytest.raises(ValidationError):
            services.appeal_create(author=author, target=comment, text="Again")
        services.appeal_decide(actor=planner, appeal=appeal, accept=True, note="Agreed")
        comment.refresh_from_db()
        appeal.refresh_from_db()
        assert not comment.is_hidden and appeal.status == AppealStatus.ACCEPTED
        assert AuditEntry.objects.filter(action="moderation.appeal_accept").exists()
        with pytest.raises(ValidationError):
            services.appeal_decide(actor=planner, appeal=appeal, accept=False)

    def test_rejected_appeal_keeps_the_decision(self, idea, author, planner):
        services.item_hide(actor=planner, target=idea, public_reason="spam")
        appeal = services.appeal_create(author=author, target=idea, text="Not spam")
        services.appeal_decide(actor=planner, appeal=appeal, accept=False)
        idea.refresh_from_db()
        assert idea.is_hidden
        assert Appeal.objects.get().status == AppealStatus.REJECTED

    def test_only_the_author_appeals_and_only_a_decision(self, idea, author, resident, planner):
        with pytest.raises(ValidationError):
            services.appeal_create(author=author, target=idea, text="Why?")
        services.item_hide(actor=planner, target=idea, public_reason="spam")
        with pytest.raises(PermissionDenied):
            services.appeal_create(author=resident, target=idea, text="Why?")

    def test_moderator_edit_can_be_appealed(self, comment, author, planner):
        services.item_edit(actor=planner, target=comment, text="Edited")
        assert services.appeal_create(author=author, target=comment, text="Keep my words")
