"""Demo moderation: open reports in both demo consultations, one hidden comment with its public
reason, and the author's appeal against it, waiting in the Harstad queue."""

from consultations.models import Consultation
from debate.models import Comment, CommentPublication
from devsite.demo.municipalities import inside
from ideas.models import Idea
from moderation import services
from moderation.models import Appeal, Report

DEMO_DOMAIN = "@demo.borgerdialog.dk"


def load(stdout, users):
    with inside("kobenhavn"):
        cph = Consultation.objects.filter(slug="christiansholm").first()
    with inside("harstad"):
        harstad = Consultation.objects.filter(slug="harstad-sentrumstunnel").first()
    if cph is None or harstad is None:
        stdout.write("  moderation: the demo consultations are missing; nothing to add")
        return
    if Report.objects.filter(consultation__in=[cph, harstad]).exists():  # none active: both
        stdout.write("  moderation: the demo reports are already in place")
        return
    residents = list(
        users["resident"]
        .__class__.objects.filter(email__endswith=DEMO_DOMAIN, memberships__isnull=True)
        # The demo's own resident account stays free to try reporting itself.
        .exclude(pk=users["resident"].pk)
        .order_by("email")
    )
    if len(residents) < 4:
        stdout.write("  moderation: too few demo residents; nothing to add")
        return
    with inside("kobenhavn"):
        made = _christiansholm_reports(cph, residents)
    with inside("harstad"):
        made += _harstad(harstad, residents, users)
    stdout.write(f"  moderation: {made} reports, one hidden comment and one appeal")


def _christiansholm_reports(consultation, residents) -> int:
    ideas = list(Idea.objects.published().filter(consultation=consultation).order_by("number")[:2])
    made = 0
    for idea, reason, text in zip(
        ideas,
        ["off_topic", "personal_data"],
        ["This is about parking, not the harbour.", "The description names a neighbour."],
        strict=False,
    ):
        for reporter in [r for r in residents if r.pk != idea.author_id][:2]:
            services.report_create(reporter=reporter, target=idea, reason=reason, text=text)
            made += 1
    return made


def _harstad(consultation, residents, users) -> int:
    comments = list(
        Comment.objects.filter(
            consultation=consultation,
            publication=CommentPublication.PUBLISHED,
            is_hidden=False,
            is_deleted=False,
            is_official=False,
            author__in=residents,
        ).order_by("id")[:2]
    )
    if len(comments) < 2:
        return 0
    hidden, reported = comments
    # Like the ideas demo: notices to demo people go to a digest nobody sends, not to the console.
    hidden.author.__class__.objects.filter(pk=hidden.author_id).update(
        notification_frequency="daily"
    )
    hidden.author.refresh_from_db(fields=["notification_frequency"])
    made = 0
    for reporter in [r for r in residents if r.pk != hidden.author_id][:2]:
        services.report_create(
            reporter=reporter, target=hidden, reason="offensive", text="Name-calling."
        )
        made += 1
    services.item_hide(
        actor=users["planner2"],
        target=hidden,
        public_reason="offensive",
        note="Please argue about the tunnel, not about people.",
    )
    if not Appeal.objects.filter(comment=hidden).exists():
        services.appeal_create(
            author=hidden.author,
            target=hidden,
            text="I was quoting a newspaper headline, not calling anyone names.",
        )
    reporter = next(r for r in residents if r.pk != reported.author_id)
    services.report_create(reporter=reporter, target=reported, reason="spam")
    return made + 1
