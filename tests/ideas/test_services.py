"""The rules of ideas, tested on the services directly."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civic.models import AuditEntry, User
from consultations.models import Phase
from ideas import services
from ideas.models import Follow, Idea, IdeaRevision, IdeaStatus, Publication, StatusChange, Support
from tests.factories import (
    INSIDE,
    OUTSIDE,
    CategoryFactory,
    ConsultationFactory,
    IdeaFactory,
    PhaseFactory,
    PlannerFactory,
    UserFactory,
)

from .factories import AnswerTemplateFactory, image_file

pytestmark = pytest.mark.django_db


def _phase(consultation, **allows):
    consultation.phases.all().delete()
    now = timezone.now()
    return PhaseFactory(
        consultation=consultation,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
        **allows,
    )


# --- Submitting ---------------------------------------------------------------------------------


def test_submit_allocates_sequential_references_and_audits(submit, resident, consultation):
    year = timezone.localdate().year
    first = submit(resident)
    second = submit(resident, title="Strandbar")
    assert first.reference == f"CPH-{year}-00001"
    assert second.reference == f"CPH-{year}-00002"
    consultation.refresh_from_db()
    assert consultation.idea_counter == 2
    assert first.publication == Publication.PUBLISHED
    assert AuditEntry.objects.filter(action="idea.submit", object_id=str(first.pk)).exists()
    assert Follow.objects.filter(user=resident, idea=first).exists()


def test_submit_is_refused_outside_the_area(submit, resident):
    with pytest.raises(ValidationError) as error:
        submit(resident, longitude=OUTSIDE[0], latitude=OUTSIDE[1])
    assert "location" in error.value.message_dict
    assert not Idea.objects.exists()


@pytest.mark.parametrize(
    "lon,lat", [(200, 55.0), (12.5, 95.0), (float("nan"), 55.0), (12.5, float("inf"))]
)
def test_submit_refuses_impossible_coordinates(submit, resident, lon, lat):
    with pytest.raises(ValidationError) as error:
        submit(resident, longitude=lon, latitude=lat)
    assert "location" in error.value.message_dict


def test_bad_input_does_not_use_up_a_reference(submit, resident, consultation):
    with pytest.raises(ValidationError):
        submit(resident, title="")
    consultation.refresh_from_db()
    assert consultation.idea_counter == 0


def test_submit_needs_the_idea_phase(resident, submit, consultation):
    _phase(consultation, allows_support=True)
    with pytest.raises(PermissionDenied):
        submit(resident)


def test_submit_after_the_phase_names_the_reason(resident, submit, consultation):
    consultation.phases.all().delete()
    now = timezone.now()
    PhaseFactory(
        consultation=consultation,
        starts_at=now - timedelta(days=10),
        ends_at=now - timedelta(days=1),
        allows_ideas=True,
    )
    with pytest.raises(PermissionDenied, match="The idea phase has ended."):
        submit(resident)


def test_pre_moderation_keeps_ideas_waiting(submit, resident, consultation):
    consultation.pre_moderation = True
    consultation.save()
    idea = submit(resident)
    assert idea.publication == Publication.PENDING_MODERATION
    assert not Idea.objects.published().exists()


def test_category_must_belong_to_the_consultation(submit, resident):
    other = CategoryFactory()
    with pytest.raises(ValidationError) as error:
        submit(resident, category=other)
    assert "category" in error.value.message_dict


def test_photos_need_alt_text_and_are_limited(submit, resident, settings):
    with pytest.raises(ValidationError, match="Describe each photo"):
        submit(resident, photos=[services.Photo(file=image_file(), alt_text=" ")])
    too_many = [
        services.Photo(file=image_file(), alt_text="Kajen")
        for _ in range(settings.IDEA_MAX_IMAGES + 1)
    ]
    with pytest.raises(ValidationError, match="At most"):
        submit(resident, photos=too_many)
    idea = submit(resident, photos=[services.Photo(file=image_file(), alt_text="Kajen")])
    assert idea.images.get().alt_text == "Kajen"


def test_signed_out_person_cannot_use_idea_submit(submit):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        submit(AnonymousUser())


# --- On behalf and anonymous ----------------------------------------------------------------------


def test_planner_submits_on_behalf_even_outside_the_phase(planner, consultation):
    _phase(consultation)  # a phase that allows nothing
    idea = services.idea_submit_on_behalf(
        entered_by=planner,
        on_behalf_of="Karen Hansen (brev)",
        consultation=consultation,
        title="Bænke langs kajen",
        description="Indsendt pr. brev.",
        longitude=INSIDE[0],
        latitude=INSIDE[1],
    )
    assert idea.author is None
    assert idea.entered_by == planner
    assert idea.on_behalf_of == "Karen Hansen (brev)"
    assert AuditEntry.objects.filter(action="idea.submit_on_behalf").exists()


def test_resident_cannot_submit_on_behalf(resident, consultation):
    with pytest.raises(PermissionDenied):
        services.idea_submit_on_behalf(
            entered_by=resident,
            on_behalf_of="Someone",
            consultation=consultation,
            title="x",
            description="y",
            longitude=INSIDE[0],
            latitude=INSIDE[1],
        )


def test_on_behalf_needs_a_name(planner, consultation):
    with pytest.raises(ValidationError) as error:
        services.idea_submit_on_behalf(
            entered_by=planner,
            on_behalf_of=" ",
            consultation=consultation,
            title="x",
            description="y",
            longitude=INSIDE[0],
            latitude=INSIDE[1],
        )
    assert "on_behalf_of" in error.value.message_dict


def _anonymous(consultation, email="visitor@example.org"):
    return services.idea_submit_anonymous(
        email=email,
        consultation=consultation,
        title="Udendørs biograf",
        description="Film på kajen om sommeren.",
        longitude=INSIDE[0],
        latitude=INSIDE[1],
    )


def test_anonymous_idea_waits_and_the_link_creates_an_account(
    consultation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = _anonymous(consultation)
    assert idea.publication == Publication.PENDING_CONFIRMATION
    assert idea.author is None
    assert not Idea.objects.published().exists()
    assert len(mail.outbox) == 1
    assert "/ideas/confirm/" in mail.outbox[0].body

    token = services.confirmation_token(idea)
    confirmed, user, created = services.idea_confirm(token=token)
    assert created
    assert confirmed.publication == Publication.PUBLISHED
    assert confirmed.author == user
    assert confirmed.pending_email == ""
    assert EmailAddress.objects.get(user=user).verified
    assert not user.has_usable_password()
    # The link works once.
    with pytest.raises(ValidationError):
        services.idea_confirm(token=token)


def test_confirmation_attaches_an_existing_account(consultation):
    existing = UserFactory(email="Known@Example.org")
    idea = _anonymous(consultation, email="known@example.org")
    _idea, user, created = services.idea_confirm(token=services.confirmation_token(idea))
    assert user == existing
    assert not created
    assert User.objects.filter(email__iexact="known@example.org").count() == 1


def test_forged_and_expired_links_are_refused(consultation):
    idea = _anonymous(consultation)
    with pytest.raises(ValidationError):
        services.idea_confirm(token="forged:token")
    Idea.objects.filter(pk=idea.pk).update(
        confirmation_expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError):
        services.idea_confirm(token=services.confirmation_token(idea))


def test_purge_deletes_only_expired_unconfirmed_ideas(consultation, resident, submit, settings):
    published = submit(resident)
    fresh = _anonymous(consultation, email="fresh@example.org")
    stale = _anonymous(consultation, email="stale@example.org")
    Idea.objects.filter(pk=stale.pk).update(
        confirmation_expires_at=timezone.now() - timedelta(hours=1)
    )
    assert services.unconfirmed_ideas_purge() == 1
    assert set(Idea.objects.values_list("pk", flat=True)) == {published.pk, fresh.pk}
    later = timezone.now() + timedelta(hours=settings.UNCONFIRMED_IDEA_TTL_HOURS + 1)
    assert services.unconfirmed_ideas_purge(now=later) == 1
    assert list(Idea.objects.values_list("pk", flat=True)) == [published.pk]


def test_anonymous_submission_respects_the_phase(consultation):
    _phase(consultation, allows_support=True)
    with pytest.raises(PermissionDenied):
        _anonymous(consultation)


# --- Editing and withdrawing ----------------------------------------------------------------------


def test_author_edits_and_a_revision_keeps_the_old_version(submit, resident):
    idea = submit(resident)
    services.idea_update(user=resident, idea=idea, title="Havnebad med sauna")
    idea.refresh_from_db()
    assert idea.title == "Havnebad med sauna"
    revision = IdeaRevision.objects.get(idea=idea)
    assert revision.title == "Havnebad ved Papirøen"
    assert revision.edited_by == resident
    entry = AuditEntry.objects.get(action="idea.update")
    assert entry.changes["title"] == ["Havnebad ved Papirøen", "Havnebad med sauna"]


def test_edit_rechecks_the_area(submit, resident):
    idea = submit(resident)
    with pytest.raises(ValidationError):
        services.idea_update(user=resident, idea=idea, longitude=OUTSIDE[0], latitude=OUTSIDE[1])


def test_only_the_author_edits(submit, resident):
    idea = submit(resident)
    with pytest.raises(PermissionDenied):
        services.idea_update(user=UserFactory(), idea=idea, title="Kapret")
    with pytest.raises(PermissionDenied):
        services.idea_withdraw(user=PlannerFactory(), idea=idea)


def test_no_edit_once_supported(submit, resident):
    idea = submit(resident)
    services.idea_support(user=UserFactory(), idea=idea)
    idea.refresh_from_db()
    with pytest.raises(PermissionDenied, match="supports"):
        services.idea_update(user=resident, idea=idea, title="Ændret")
    with pytest.raises(PermissionDenied):
        services.idea_withdraw(user=resident, idea=idea)


def test_no_edit_after_the_idea_phase(submit, resident, consultation):
    idea = submit(resident)
    _phase(consultation, allows_support=True)
    with pytest.raises(PermissionDenied):
        services.idea_update(user=resident, idea=idea, title="For sent")


def test_withdraw_hides_the_idea(submit, resident):
    idea = submit(resident)
    services.idea_withdraw(user=resident, idea=idea)
    idea.refresh_from_db()
    assert idea.publication == Publication.WITHDRAWN
    assert not Idea.objects.published().exists()
    with pytest.raises(PermissionDenied):
        services.idea_withdraw(user=resident, idea=idea)


# --- Supports -------------------------------------------------------------------------------------


def test_support_counts_once_per_person(consultation):
    idea = IdeaFactory(consultation=consultation)
    supporter = UserFactory()
    services.idea_support(user=supporter, idea=idea)
    with pytest.raises(PermissionDenied, match="already"):
        services.idea_support(user=supporter, idea=idea)
    idea.refresh_from_db()
    assert idea.support_count == 1 == Support.objects.filter(idea=idea).count()


def test_cannot_support_own_idea(consultation):
    idea = IdeaFactory(consultation=consultation)
    with pytest.raises(PermissionDenied, match="own idea"):
        services.idea_support(user=idea.author, idea=idea)


def test_support_limit_per_consultation(consultation):
    consultation.support_limit = 2
    consultation.save()
    supporter = UserFactory()
    ideas = IdeaFactory.create_batch(3, consultation=consultation)
    services.idea_support(user=supporter, idea=ideas[0])
    services.idea_support(user=supporter, idea=ideas[1])
    assert services.supports_left(supporter, consultation) == 0
    with pytest.raises(PermissionDenied, match="all 2 supports"):
        services.idea_support(user=supporter, idea=ideas[2])
    # Supports in another consultation do not count here.
    other = IdeaFactory()
    services.idea_support(user=supporter, idea=other)
    services.idea_unsupport(user=supporter, idea=ideas[0])
    assert services.supports_left(supporter, consultation) == 1
    services.idea_support(user=supporter, idea=ideas[2])


def test_support_phase_gating_and_reason(consultation):
    idea = IdeaFactory(consultation=consultation)
    supporter = UserFactory()
    services.idea_support(user=supporter, idea=idea)
    consultation.phases.all().delete()
    now = timezone.now()
    PhaseFactory(
        consultation=consultation,
        kind=Phase.Kind.SUPPORT,
        starts_at=now - timedelta(days=5),
        ends_at=now - timedelta(days=1),
        allows_support=True,
    )
    with pytest.raises(PermissionDenied, match="The support phase has ended."):
        services.idea_support(user=UserFactory(), idea=idea)
    with pytest.raises(PermissionDenied, match="The support phase has ended."):
        services.idea_unsupport(user=supporter, idea=idea)
    idea.refresh_from_db()
    assert idea.support_count == 1


def test_unsupport_updates_the_count(consultation):
    idea = IdeaFactory(consultation=consultation)
    supporter = UserFactory()
    services.idea_support(user=supporter, idea=idea)
    services.idea_unsupport(user=supporter, idea=idea)
    idea.refresh_from_db()
    assert idea.support_count == 0
    with pytest.raises(PermissionDenied):
        services.idea_unsupport(user=supporter, idea=idea)


def test_hidden_and_unpublished_ideas_cannot_be_supported(consultation):
    hidden = IdeaFactory(consultation=consultation, is_hidden=True)
    waiting = IdeaFactory(consultation=consultation, publication=Publication.PENDING_MODERATION)
    for idea in (hidden, waiting):
        with pytest.raises(PermissionDenied):
            services.idea_support(user=UserFactory(), idea=idea)


# --- Answers --------------------------------------------------------------------------------------


def test_planner_answers_records_history_audits_and_notifies(
    consultation, planner, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(consultation=consultation)
    follower = UserFactory()
    Follow.objects.create(user=follower, idea=idea)
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_answer(
            user=planner, idea=idea, status=IdeaStatus.ACCEPTED, answer="Vi går videre med det."
        )
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ACCEPTED
    assert idea.answer == "Vi går videre med det."
    assert idea.answered_by == planner and idea.answered_at
    change = StatusChange.objects.get(idea=idea)
    assert (change.old_status, change.new_status) == ("submitted", "accepted")
    assert AuditEntry.objects.filter(action="idea.answer", object_id=str(idea.pk)).exists()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([idea.author.email, follower.email])
    assert "Vi går videre med det." in mail.outbox[0].body


def test_status_change_without_answer_sends_status_notice(
    consultation, planner, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(consultation=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_answer(user=planner, idea=idea, status=IdeaStatus.UNDER_REVIEW, answer="")
    assert AuditEntry.objects.filter(action="idea.status").exists()
    assert len(mail.outbox) == 1


def test_residents_and_councillors_cannot_answer(consultation, resident, councillor):
    idea = IdeaFactory(consultation=consultation)
    for user in (resident, councillor, idea.author):
        with pytest.raises(PermissionDenied):
            services.idea_answer(user=user, idea=idea, status="accepted", answer="Ja")


def test_limited_planner_answers_only_assigned_consultations(consultation):
    limited = PlannerFactory(limited_to_assigned=True)
    idea = IdeaFactory(consultation=consultation)
    with pytest.raises(PermissionDenied):
        services.idea_answer(user=limited, idea=idea, status="accepted", answer="Ja")
    consultation.planners.add(limited)
    services.idea_answer(user=limited, idea=idea, status="accepted", answer="Ja")


def test_duplicate_needs_an_idea_of_the_same_consultation(consultation, planner):
    idea = IdeaFactory(consultation=consultation)
    original = IdeaFactory(consultation=consultation)
    elsewhere = IdeaFactory()
    with pytest.raises(ValidationError) as error:
        services.idea_answer(user=planner, idea=idea, status="duplicate", answer="Samme")
    assert "duplicate_of" in error.value.message_dict
    for wrong in (elsewhere, idea):
        with pytest.raises(ValidationError):
            services.idea_answer(
                user=planner, idea=idea, status="duplicate", answer="Samme", duplicate_of=wrong
            )
    services.idea_answer(
        user=planner, idea=idea, status="duplicate", answer="Samme", duplicate_of=original
    )
    idea.refresh_from_db()
    assert idea.duplicate_of == original


def test_unknown_status_is_refused(consultation, planner):
    idea = IdeaFactory(consultation=consultation)
    with pytest.raises(ValidationError):
        services.idea_answer(user=planner, idea=idea, status="approved", answer="x")


def test_answer_templates_per_consultation(consultation, planner, resident):
    template = services.answer_template_save(
        user=planner, consultation=consultation, title="Tak", body="Tak for idéen.", status=""
    )
    assert template.consultation == consultation
    with pytest.raises(PermissionDenied):
        services.answer_template_save(user=resident, consultation=consultation, title="x", body="y")
    foreign = AnswerTemplateFactory()
    with pytest.raises(PermissionDenied):
        services.answer_template_save(
            user=planner, consultation=consultation, title="x", body="y", template=foreign
        )
    with pytest.raises(ValidationError):
        services.answer_template_save(user=planner, consultation=consultation, title="", body="")
    services.answer_template_delete(user=planner, template=template)
    assert not consultation.answer_templates.exists()


def test_follow_and_unfollow(consultation, resident):
    idea = IdeaFactory(consultation=consultation)
    services.follow(user=resident, consultation=consultation)
    services.follow(user=resident, consultation=consultation)
    services.follow(user=resident, idea=idea)
    assert Follow.objects.filter(user=resident).count() == 2
    services.unfollow(user=resident, consultation=consultation)
    assert list(Follow.objects.filter(user=resident).values_list("idea", flat=True)) == [idea.pk]


def test_draft_consultation_takes_no_ideas(resident):
    draft = ConsultationFactory(status="draft")
    with pytest.raises(PermissionDenied):
        services.idea_submit(
            author=resident,
            consultation=draft,
            title="x",
            description="y",
            longitude=INSIDE[0],
            latitude=INSIDE[1],
        )


def test_planner_approves_a_pre_moderated_idea(consultation, planner, resident, submit):
    consultation.pre_moderation = True
    consultation.save()
    idea = submit(resident)
    with pytest.raises(PermissionDenied):
        services.idea_approve(user=resident, idea=idea)
    services.idea_approve(user=planner, idea=idea)
    idea.refresh_from_db()
    assert idea.publication == Publication.PUBLISHED
    assert AuditEntry.objects.filter(action="idea.approve").exists()
    with pytest.raises(PermissionDenied):
        services.idea_approve(user=planner, idea=idea)
