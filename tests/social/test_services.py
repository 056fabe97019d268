"""Channel connection, encryption, drafts from events, read-back of metrics and comments."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from civic.models import AuditEntry
from consultations.models import Phase
from social import services
from social.models import Channel, ImportedComment, Origin, PostState, SocialPost
from social.outbox import run_due
from social.readback import import_comments, refresh_metrics
from tests import factories
from tests.social.factories import approved, channel_for, draft

pytestmark = pytest.mark.django_db


# --- Channels ------------------------------------------------------------------------------------
def test_credentials_are_encrypted_at_rest_with_the_configured_key(settings, mastodon_fake):
    channel = channel_for(mastodon_fake)
    stored = Channel.objects.values_list("credentials_encrypted", flat=True).get()
    assert "mastodon-token" not in stored
    assert Channel.objects.get().credentials == {"access_token": "mastodon-token"}
    settings.SOCIAL_TOKEN_KEY = "another key"
    # Read with the wrong key: nothing usable, never garbage.
    assert Channel.objects.get(pk=channel.pk).credentials == {}


def test_only_administrators_connect(planner, mastodon_fake):
    with pytest.raises(PermissionDenied):
        services.channel_connect(
            actor=planner,
            platform="mastodon",
            base_url=mastodon_fake.base_url,
            credentials=mastodon_fake.credentials(),
        )


def test_connect_checks_with_the_platform_and_audits(administrator, bluesky_fake):
    channel = services.channel_connect(
        actor=administrator,
        platform="bluesky",
        base_url=bluesky_fake.base_url,
        credentials=bluesky_fake.credentials(),
    )
    assert channel.remote_id.startswith("did:")
    assert AuditEntry.objects.filter(action="social.channel_connected").count() == 1
    with pytest.raises(ValidationError) as error:
        services.channel_connect(
            actor=administrator,
            platform="bluesky",
            base_url=bluesky_fake.base_url,
            credentials={"identifier": "nobody", "app_password": "wrong"},
        )
    assert "credentials" in error.value.message_dict


def test_unreachable_platform_is_a_base_url_error(administrator):
    with pytest.raises(ValidationError) as error:
        services.channel_connect(
            actor=administrator,
            platform="mastodon",
            base_url="http://127.0.0.1:9",
            credentials={"access_token": "t"},
        )
    assert "base_url" in error.value.message_dict


def test_channel_command_add_list_remove(mastodon_fake):
    from django.core.management.base import CommandError

    owner = factories.AdministratorFactory(email="web@kk.example")
    arguments = ["mastodon", "--base-url", mastodon_fake.base_url]
    arguments += ["--cred", "access_token=mastodon-token"]
    with pytest.raises(CommandError, match="owner"):
        call_command("social_channel", "add", *arguments, stdout=StringIO())
    with pytest.raises(CommandError, match="no planner or administrator"):
        resident = factories.UserFactory()
        call_command("social_channel", "add", *arguments, "--owner", resident.email)
    assert not Channel.objects.exists()
    out = StringIO()
    call_command("social_channel", "add", *arguments, "--owner", "WEB@kk.example", stdout=out)
    channel = Channel.objects.get()
    assert list(channel.owners.all()) == [owner]
    assert "Connected" in out.getvalue()
    out = StringIO()
    call_command("social_channel", "list", stdout=out)
    assert "mastodon" in out.getvalue() and "Københavns Kommune" in out.getvalue()
    call_command("social_channel", "remove", str(channel.pk), stdout=StringIO())
    assert not Channel.objects.listed().exists()


def test_channel_command_refuses_bad_credentials(mastodon_fake):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="credentials"):
        call_command(
            "social_channel",
            "add",
            "mastodon",
            "--base-url",
            mastodon_fake.base_url,
            "--cred",
            "access_token=wrong",
            "--owner",
            factories.AdministratorFactory().email,
        )


def test_removing_a_channel_cancels_its_unsent_posts(administrator, mastodon_fake):
    channel = channel_for(mastodon_fake)
    post = approved(channel)
    services.channel_remove(actor=administrator, channel=channel)
    post.refresh_from_db()
    assert post.state == PostState.FAILED
    assert run_due().handled == 0


# --- Approval rules ------------------------------------------------------------------------------
def test_nobody_approves_their_own_post_even_after_editing(mastodon_fake):
    channel = channel_for(mastodon_fake)
    first, second = factories.PlannerFactory(), factories.PlannerFactory()
    post = draft(channel, author=first)
    with pytest.raises(PermissionDenied):
        services.post_approve(actor=first, post=post)
    # The second planner rewrites it: now the first may approve, the second may not.
    services.post_update(actor=second, post=post, text="Ny tekst")
    with pytest.raises(PermissionDenied):
        services.post_approve(actor=second, post=post)
    post = services.post_approve(actor=first, post=post)
    assert post.approved_by == first and post.created_by == second


def test_the_database_refuses_a_self_approval(mastodon_fake):
    from django.db import IntegrityError

    channel = channel_for(mastodon_fake)
    post = draft(channel)
    with pytest.raises(IntegrityError):
        SocialPost.objects.filter(pk=post.pk).update(approved_by=post.created_by)


def test_approved_posts_cannot_be_edited(mastodon_fake):
    post = approved(channel_for(mastodon_fake))
    with pytest.raises(ValidationError):
        services.post_update(actor=factories.PlannerFactory(), post=post, text="changed")


def test_residents_cannot_draft(resident, mastodon_fake):
    with pytest.raises(PermissionDenied):
        services.post_create(actor=resident, channel=channel_for(mastodon_fake), text="t")


# --- Drafts from events --------------------------------------------------------------------------
def test_event_drafts_one_per_channel_in_the_consultation_language(mastodon_fake, x_fake):
    channel_for(mastodon_fake)
    channel_for(x_fake)
    consultation = factories.ConsultationFactory(
        language="da", hashtag="Christiansholm", title="Christiansholm"
    )
    created = services.event_posts_draft_due()
    opened = [post for post in created if post.consultation == consultation]
    assert {post.channel.platform for post in opened} == {"mastodon", "x"}
    for post in opened:
        assert post.origin == Origin.OPENED
        assert post.state == PostState.AWAITING_APPROVAL
        assert post.text.startswith("Sig din mening: Christiansholm")
        assert post.alt_text.startswith("Kort over området for Christiansholm")
        assert f"utm_source={post.channel.platform}" in post.text
        assert "utm_medium=social" in post.link and "utm_campaign=" in post.link
        assert "#Christiansholm" in post.text
        assert post.image.name.endswith(".png") and post.alt_text
        assert services.check_text(
            post.channel, post.text, has_image=True, alt_text=post.alt_text
        ).ok
    # Drafted once per event.
    assert [p for p in services.event_posts_draft_due() if p.consultation == consultation] == []


def test_norwegian_consultations_get_norwegian_drafts(mastodon_fake):
    channel_for(mastodon_fake)
    consultation = factories.ConsultationFactory(language="nb", title="Sentrumstunnelen")
    (post,) = [p for p in services.event_posts_draft_due() if p.consultation == consultation]
    assert post.text.startswith("Si din mening: Sentrumstunnelen")


def test_a_long_summary_is_shortened_to_fit_x(x_fake):
    channel_for(x_fake)
    consultation = factories.ConsultationFactory(summary="Lang tekst om havnen. " * 17)
    (post,) = [p for p in services.event_posts_draft_due() if p.consultation == consultation]
    assert services.check_text(post.channel, post.text, has_image=True, alt_text=post.alt_text).ok
    assert post.link in post.text


def test_phase_change_and_results_drafts(mastodon_fake):
    channel_for(mastodon_fake)
    consultation = factories.ConsultationFactory()
    now = timezone.now()
    current = consultation.phases.get()
    Phase.objects.filter(pk=current.pk).update(
        starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=1)
    )
    later = factories.PhaseFactory(
        consultation=consultation,
        name="Afstemning",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=5),
    )
    posts = services.event_posts_draft_due()
    origins = {(p.origin, p.origin_key) for p in posts if p.consultation == consultation}
    assert (Origin.PHASE, f"phase-{later.pk}") in origins
    consultation.results_published_at = now
    consultation.save()
    posts = services.event_posts_draft_due()
    assert [(p.origin) for p in posts if p.consultation == consultation] == [Origin.RESULTS]


def test_weekly_top_ideas_on_mondays(mastodon_fake):
    channel_for(mastodon_fake)
    consultation = factories.ConsultationFactory()
    factories.IdeaFactory(consultation=consultation, title="Badezone", support_count=12)
    factories.IdeaFactory(consultation=consultation, title="Bænke", support_count=3)
    monday = timezone.now() - timedelta(days=timezone.now().weekday())
    posts = services.event_posts_draft_due(now=monday)
    (weekly,) = [p for p in posts if p.origin == Origin.WEEKLY]
    assert "Badezone" in weekly.text and weekly.text.index("Badezone") < weekly.text.index("Bænke")


def test_no_channels_no_drafts(consultation):
    assert services.event_posts_draft_due() == []


# --- Read-back -----------------------------------------------------------------------------------
def _publish(channel, text="Læs mere"):
    post = approved(channel, text=text)
    assert run_due().published == [post.pk]
    post.refresh_from_db()
    return post


def test_metrics_are_stored_with_none_for_what_the_platform_lacks(mastodon_fake):
    post = _publish(channel_for(mastodon_fake))
    mastodon_fake.engage(post.remote_id, reactions=9, shares=2)
    assert refresh_metrics() == 1
    post.refresh_from_db()
    assert post.metrics == {
        "reach": None,
        "views": None,
        "reactions": 9,
        "comments": 0,
        "shares": 2,
    }
    assert post.metrics_fetched_at is not None


def test_facebook_reach_is_stored(facebook_fake):
    post = _publish(channel_for(facebook_fake))
    facebook_fake.engage(post.remote_id, reach=14952, reactions=148, shares=14)
    refresh_metrics()
    post.refresh_from_db()
    assert post.metrics["reach"] == 14952 and post.metrics["reactions"] == 148


def test_comments_are_imported_once_and_marked_with_their_platform(mastodon_fake):
    post = _publish(channel_for(mastodon_fake))
    mastodon_fake.reply(post.remote_id, "Fedt initiativ", author="ida")
    assert import_comments() == 1
    assert import_comments() == 0
    mastodon_fake.reply(post.remote_id, "Hvornår?", author="ole")
    assert import_comments() == 1
    comments = list(ImportedComment.objects.order_by("id"))
    assert [c.text for c in comments] == ["Fedt initiativ", "Hvornår?"]
    assert {c.platform for c in comments} == {"mastodon"}


def test_imported_comments_are_never_support(mastodon_fake, consultation):
    from ideas.models import Support

    channel = channel_for(mastodon_fake)
    post = approved(channel, consultation=consultation, text="Stem på idéerne")
    run_due()
    post.refresh_from_db()
    mastodon_fake.reply(post.remote_id, "+1 til badezonen")
    import_comments()
    assert Support.objects.count() == 0


def test_expired_token_on_read_back_flags_the_channel(mastodon_fake):
    owner = factories.AdministratorFactory()
    channel = channel_for(mastodon_fake, owners=[owner])
    post = _publish(channel)
    mastodon_fake.script("expired_token", path=f"/api/v1/statuses/{post.remote_id}")
    refresh_metrics()
    channel.refresh_from_db()
    assert channel.state == "needs_reauth"


def test_readback_commands_run(mastodon_fake):
    _publish(channel_for(mastodon_fake))
    out = StringIO()
    call_command("social_refresh_metrics", stdout=out)
    call_command("social_import_comments", stdout=out)
    call_command("social_publish_due", stdout=out)
    call_command("social_worker", "--runs", "1", "--interval", "0", stdout=out)
    call_command("social_draft_posts", stdout=out)
    assert "updated 1 posts" in out.getvalue()


def test_archive_records_hold_what_was_posted_by_whom_and_the_answer(
    mastodon_fake, consultation, django_assert_num_queries
):
    from social.selectors import archive_records

    channel = channel_for(mastodon_fake)
    post = approved(channel, consultation=consultation, text="Til arkivet")
    draft(channel, consultation=consultation, text="Kladde, ikke i arkivet")
    run_due()
    post.refresh_from_db()
    mastodon_fake.reply(post.remote_id, "Tak!")
    import_comments()
    with django_assert_num_queries(2):
        records = archive_records(consultation)
    (record,) = records
    assert record["text"] == "Til arkivet" and record["remote_url"] == post.remote_url
    assert record["written_by"] == post.created_by.public_name
    assert record["approved_by"] == post.approved_by.public_name
    assert record["platform_answer"]["id"] == post.remote_id
    assert record["comments"][0]["text"] == "Tak!"
    assert "@" not in str(record["written_by"])
