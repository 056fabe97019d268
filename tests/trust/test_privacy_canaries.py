"""Privacy canaries: recognisable personal data planted everywhere it can enter, then looked for
in every output the platform makes, for each role.

The rules (README "Accounts, roles and privacy", "Moderation and privacy", "Summaries and
exports", and the privacy review):
- E-mail addresses, phone numbers and the real name of someone who did not choose to show it
  are never shown to anyone, in any page, file, feed or e-mail to somebody else.
- What a moderator edited out stays in the database (legal hold) and the moderation log; it never
  leaves it in any export, feed or public page.
- Who reported something is seen only by the planners who must act on the report.
- Who supported an idea is private: no public output and no councillor's moderation or audit
  page shows it; staff (full) exports may name supporters by their public name.
- A hidden item's title is staff-only, and never in a public variant of an export or archive.
- A moderator's note (the reason "for the log and the author") is for the moderation pages, the
  audit log, the staff archive and the e-mail to the author; never public.
- A name given "on behalf of" a paper submitter is shown where the idea is shown (the idea says
  so) and in full exports, never in anonymised public exports or social media drafts.

Canaries are single invented words, so they survive HTML, JSON, CSV, PDF and DOCX text intact.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ideas import services as ideas_services
from moderation import services as moderation
from tests import factories
from tests.factories import INSIDE

pytestmark = pytest.mark.django_db

EMAIL = "zqemailcanary@private.example"
PHONE = "+4570119922"
SECRET_NAME = "Zqsecretname"
EDITED_OUT = "Zqeditedout"
REPORTER = "Zqreportername"
REPORTER_EMAIL = "zqreporteremail@private.example"
REPORT_TEXT = "Zqreporttext"
SUPPORTER = "Zqsupportername"
SUPPORTER_EMAIL = "zqsupporteremail@private.example"
HIDDEN_TITLE = "Zqhiddentitle"
INTERNAL_NOTE = "Zqinternalnote"
ON_BEHALF = "Zqonbehalfname"

ROLES = ["anonymous", "resident", "councillor", "planner", "administrator"]
STAFF = {"councillor", "planner", "administrator"}
MODERATORS = {"planner", "administrator"}

# Where each kind of output may show a canary: canary -> {category: roles allowed}.
# A category not listed for a canary means "for nobody".
ALLOWED: dict[str, dict[str, set[str]]] = {
    EMAIL: {},
    PHONE: {},
    SECRET_NAME: {},
    EDITED_OUT: {"moderation": STAFF, "audit": {"administrator"}},
    REPORTER: {"moderation": MODERATORS, "audit": {"administrator"}},
    REPORTER_EMAIL: {},
    # The reason given in a report is read with the queue; it names nobody.
    REPORT_TEXT: {"moderation": STAFF, "audit": {"administrator"}},
    SUPPORTER: {
        "moderation": MODERATORS,
        "audit": {"administrator"},
        "export-full": STAFF,
        "archive-full": STAFF,
    },
    SUPPORTER_EMAIL: {},
    HIDDEN_TITLE: dict.fromkeys(
        ("page", "api", "feed", "moderation", "export-full", "archive-full"), STAFF
    )
    | {"audit": {"administrator"}},
    INTERNAL_NOTE: {"moderation": STAFF, "audit": {"administrator"}, "archive-full": STAFF},
    ON_BEHALF: {
        "page": set(ROLES),
        "api": set(ROLES),
        "feed": set(ROLES),
        "moderation": STAFF,
        "audit": {"administrator"},
        "export-full": STAFF,
        "archive-full": STAFF,
    },
}
# The person a canary belongs to may read it in e-mails addressed to them.
# A moderator's note goes to the author of the item with the decision, and nowhere public.
OWNERS = {
    EMAIL: EMAIL,
    PHONE: EMAIL,
    SECRET_NAME: EMAIL,
    EDITED_OUT: EMAIL,
    HIDDEN_TITLE: EMAIL,
    INTERNAL_NOTE: EMAIL,
}


def allowed(canary: str, category: str, role: str) -> bool:
    return role in ALLOWED[canary].get(category, set())


@dataclass
class Planted:
    consultation: object
    ideas: list
    comments: list
    topic: object
    emails: list


def _idea(author, consultation, title, description=""):
    return ideas_services.idea_submit(
        author=author,
        consultation=consultation,
        title=title,
        description=description or f"{title}: a bench by the water.",
        longitude=INSIDE[0],
        latitude=INSIDE[1],
    )


@pytest.fixture
def planted(settings, django_capture_on_commit_callbacks) -> Planted:
    """One consultation holding every kind of personal data, closed with results published."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # E-mails and notifications leave once a transaction commits; run those hooks as it would.
    with django_capture_on_commit_callbacks(execute=True):
        planted = _plant()
    planted.emails = list(mail.outbox)
    return planted


def _plant() -> Planted:
    from debate import services as debate
    from social.models import Channel

    moderator = factories.PlannerFactory(display_name="Desk", show_name_publicly=True)
    consultation = factories.ConsultationFactory(
        title="Harbour canaries", slug="harbour-canaries", language="en"
    )
    topic = factories.TopicFactory(consultation=consultation, title="Bridges or tunnels")
    secretive = factories.UserFactory(
        email=EMAIL, display_name=SECRET_NAME, show_name_publicly=False, phone=PHONE
    )
    reporter = factories.UserFactory(
        email=REPORTER_EMAIL, display_name=REPORTER, show_name_publicly=True, phone=PHONE
    )
    supporter = factories.UserFactory(
        email=SUPPORTER_EMAIL, display_name=SUPPORTER, show_name_publicly=True, phone=PHONE
    )
    public = _idea(secretive, consultation, "A public sauna")
    edited = _idea(secretive, consultation, "Call me", f"Ring {EDITED_OUT} for details.")
    moderation.item_edit(
        actor=moderator, target=edited, text="Ring [removed] for details.", note=INTERNAL_NOTE
    )
    hidden = _idea(secretive, consultation, HIDDEN_TITLE, "Something to hide.")
    ideas_services.idea_support(user=supporter, idea=hidden)
    moderation.item_hide(actor=moderator, target=hidden, public_reason="spam", note=INTERNAL_NOTE)
    on_behalf = ideas_services.idea_submit_on_behalf(
        entered_by=moderator,
        on_behalf_of=ON_BEHALF,
        consultation=consultation,
        title="Sent on paper",
        description="A letter asking for a ferry.",
        longitude=INSIDE[0],
        latitude=INSIDE[1],
    )
    for idea in (public, edited, on_behalf):
        ideas_services.idea_support(user=supporter, idea=idea)
    comment = debate.comment_create(author=secretive, target=public, body="My own comment.")
    topic_comment = debate.comment_create(author=secretive, target=topic, body="Tunnels.")
    moderation.report_create(reporter=reporter, target=public, reason="other", text=REPORT_TEXT)
    moderation.report_create(reporter=reporter, target=comment, reason="spam", text=REPORT_TEXT)
    moderation.item_keep(actor=moderator, target=public, note=INTERNAL_NOTE)
    moderation.author_message(
        actor=moderator, target=edited, subject="About your idea", body="We edited it."
    )

    # Social media drafts are written by the scheduled run (a Monday for the weekly top ideas).
    channel = Channel(platform="mastodon", name="Harbour", base_url="https://social.example")
    channel.credentials = {"access_token": "x"}
    channel.save()
    from social.services import event_posts_draft_due

    monday = timezone.now() - timedelta(days=timezone.now().weekday())
    event_posts_draft_due(now=monday)

    from consultations import services as consultations

    admin = factories.AdministratorFactory()
    consultations.consultation_close(actor=admin, consultation=consultation)
    consultations.consultation_publish_results(
        actor=admin, consultation=consultation, results="Thank you all."
    )
    event_posts_draft_due(now=monday)
    return Planted(
        consultation=consultation,
        ideas=[public, edited, hidden, on_behalf],
        comments=[comment, topic_comment],
        topic=topic,
        emails=[],
    )


# --- Reading every output as text ----------------------------------------------------------------


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(data: bytes, name: str) -> str:
    """The readable text of a file, by its kind: what a person opening it would read."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join([*book.sheetnames, *cells])
    if lower.endswith(".pdf"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        metadata = " ".join(str(v) for v in (reader.metadata or {}).values())
        return metadata + "\n" + "\n".join(page.extract_text() or "" for page in reader.pages)
    if lower.endswith(".docx"):
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        core = document.core_properties
        parts += [core.author or "", core.title or "", core.comments or ""]
        return "\n".join(parts)
    if lower.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                f"== {entry}\n" + text_of(archive.read(entry), entry)
                for entry in archive.namelist()
            )
    text = data.decode("utf-8-sig", errors="replace")
    if lower.endswith((".json", ".geojson")) or text.lstrip().startswith(("{", "[")):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


@dataclass
class Output:
    category: str
    label: str
    text: str


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        factory = {
            "resident": factories.UserFactory,
            "councillor": factories.CouncillorFactory,
            "planner": factories.PlannerFactory,
            "administrator": lambda: factories.AdministratorFactory(is_staff=True),
        }[role]
        client.force_login(factory())
    return client


def outputs(planted: Planted, role: str):
    """Every page, API answer, feed and file the role can get for the planted consultation."""
    from reports.formats import FORMATS

    client = client_for(role)
    slug = planted.consultation.slug

    def get(category: str, url: str, name: str = ""):
        response = client.get(url)
        if response.status_code != 200:
            return
        yield Output(category, url, text_of(_body(response), name or url.split("?")[0]))

    pages = [
        reverse("consultations:detail", kwargs={"slug": slug}),
        reverse("ideas:list", kwargs={"slug": slug}),
        planted.topic.get_absolute_url(),
        reverse("reports:summary", kwargs={"slug": slug}),
        reverse("embed", kwargs={"slug": slug}),
        reverse("maps:static-svg", kwargs={"slug": slug}),
    ]
    for idea in planted.ideas:
        pages += [idea.get_absolute_url(), reverse("debate:idea_threads", args=[idea.pk])]
    for url in pages:
        yield from get("page", url)

    api = [
        reverse("api-consultation-list"),
        reverse("api-consultation-detail", kwargs={"slug": slug}),
        reverse("api-consultation-ideas", kwargs={"slug": slug}),
        reverse("api-topic-comments", args=[planted.topic.pk]),
        reverse("api-social-posts", kwargs={"slug": slug}),
    ]
    api += [reverse("api-idea", args=[i.pk]) for i in planted.ideas]
    api += [reverse("api-idea-comments", args=[i.pk]) for i in planted.ideas]
    api += [reverse("api-comment", args=[c.pk]) for c in planted.comments]
    for url in api:
        yield from get("api", url)
    feed = reverse("ideas-geojson", kwargs={"slug": slug})
    yield from get("feed", feed, "ideas.geojson")
    yield from get("feed", f"{feed}?zoom=18", "ideas.geojson")
    nearby = reverse("ideas-nearby", kwargs={"slug": slug})
    yield from get("feed", f"{nearby}?lon={INSIDE[0]}&lat={INSIDE[1]}&title=sauna")
    # The planners' map analysis: the list of what lies in a box around the ideas, and its heat.
    analysis = reverse("analysis:map", kwargs={"slug": slug})
    box = f"{INSIDE[0] - 0.01},{INSIDE[1] - 0.01},{INSIDE[0] + 0.01},{INSIDE[1] + 0.01}"
    yield from get("page", f"{analysis}?select=bbox&bbox={box}", "map-analysis")
    heat = reverse("api-consultation-heat", kwargs={"slug": slug})
    for kind in ("ideas", "comments"):
        yield from get("feed", f"{heat}?kind={kind}&zoom=18", "heat.geojson")

    moderation_pages = [
        reverse("moderation:queue"),
        reverse("moderation:consultation_queue", kwargs={"slug": slug}),
        reverse("moderation-queue"),
        reverse("social:composer", kwargs={"slug": slug}),
    ]
    moderation_pages += [reverse("moderation:item", args=["idea", i.pk]) for i in planted.ideas]
    moderation_pages += [
        reverse("moderation:item", args=["comment", c.pk]) for c in planted.comments
    ]
    for url in moderation_pages:
        yield from get("moderation", url)

    from civic.models import AuditEntry

    yield from get("audit", "/admin/civic/auditentry/")
    for entry in AuditEntry.objects.all():
        yield from get("audit", f"/admin/civic/auditentry/{entry.pk}/change/")

    for name in FORMATS:
        for variant in ("public", "full"):
            kind = "archive" if name.endswith(".zip") else "export"
            url = reverse("reports:download", kwargs={"slug": slug, "name": name})
            yield from get(f"{kind}-{variant}", f"{url}?variant={variant}", name)
            api_url = reverse("api-consultation-export", kwargs={"slug": slug, "name": name})
            yield from get(f"{kind}-{variant}", f"{api_url}?variant={variant}", name)


def _found(canary: str, text: str) -> bool:
    """Found whatever the line breaks and spacing a PDF or a table put into it."""
    return "".join(canary.split()).lower() in "".join(text.split()).lower()


def test_each_canary_appears_only_where_the_rules_allow(planted):
    """One planting for every role: the exports made for one role are reused for the next, as
    they are in production, which keeps this test fast."""
    leaks = []
    read_by_planner: dict[str, str] = {}
    for role in ROLES:
        seen = set()
        for output in outputs(planted, role):
            seen.add(output.category)
            if role == "planner":
                read_by_planner[output.category] = (
                    read_by_planner.get(output.category, "") + output.text
                )
            for canary in ALLOWED:
                if _found(canary, output.text) and not allowed(canary, output.category, role):
                    leaks.append(f"{role}: {canary} in {output.category} {output.label}")
        assert {"page", "api", "feed"} <= seen, f"{role} read too little: {sorted(seen)}"
    assert_readers_find_canaries(planted, read_by_planner)
    assert not leaks, "read what the rules keep from them:\n" + "\n".join(leaks)


def test_social_media_drafts_carry_no_personal_data(planted):
    from social.models import SocialPost

    drafts = list(SocialPost.objects.filter(consultation=planted.consultation))
    assert drafts, "the scheduled run wrote no drafts to check"
    for post in drafts:
        text = " ".join([post.text, post.alt_text, post.link])
        assert not [c for c in ALLOWED if _found(c, text)], post.text


def test_emails_carry_personal_data_only_to_its_owner(planted):
    assert planted.emails, "planting sent no e-mails to check"
    leaks = []
    for message in planted.emails:
        text = "\n".join(
            [message.subject, message.body]
            + [content for content, _ in getattr(message, "alternatives", [])]
        )
        for canary in ALLOWED:
            owner = OWNERS.get(canary)
            if _found(canary, text) and owner not in message.to:
                leaks.append(f"{canary} in {message.subject!r} to {message.to}")
    assert not leaks, "\n".join(leaks)


def assert_readers_find_canaries(planted: Planted, by_category: dict[str, str]) -> None:
    """Without this the leak test could pass by reading nothing: each reader must find a canary
    where the rules allow it."""
    assert _found(ON_BEHALF, by_category["page"])
    assert _found(ON_BEHALF, by_category["api"])
    assert _found(HIDDEN_TITLE, by_category["moderation"])
    assert _found(REPORT_TEXT, by_category["moderation"])
    for category in ("export-full", "archive-full"):
        assert _found(ON_BEHALF, by_category[category]), category
        assert _found(HIDDEN_TITLE, by_category[category]), category
    assert _found("A public sauna", by_category["export-public"])
    assert _found("A public sauna", by_category["archive-public"])
    # The PDF, DOCX and XLSX readers each read the idea titles.
    for name, expected in [
        ("summary.pdf", "Harbour canaries"),
        ("summary.docx", "Harbour canaries"),
        ("data.xlsx", "A public sauna"),
    ]:
        url = reverse("reports:download", kwargs={"slug": planted.consultation.slug, "name": name})
        response = client_for("planner").get(f"{url}?variant=full")
        assert response.status_code == 200, name
        assert _found(expected, text_of(_body(response), name)), name
    from civic.models import User
    from moderation.models import Report

    assert User.objects.get(email=EMAIL).phone == PHONE
    assert Report.objects.filter(reporter__display_name=REPORTER).count() == 2


# --- Drawn answers of a map survey ---------------------------------------------------------------

DRAWER = "Zqdrawername"
DRAWN_COMMENT = "Zqdrawncomment"
HIDDEN_DRAWN = "Zqhiddendrawn"
# The comment goes with the drawing to the planners (the form says so); the name of the person
# who drew is for staff's full files and the planners' list of single answers.
DRAWN_ALLOWED: dict[str, dict[str, set[str]]] = {
    EMAIL: {},
    PHONE: {},
    SECRET_NAME: {},
    DRAWER: {"survey-staff": MODERATORS, "export-full": STAFF, "archive-full": STAFF},
    DRAWN_COMMENT: {"survey-staff": MODERATORS, "export-full": STAFF, "archive-full": STAFF},
    HIDDEN_DRAWN: {"survey-staff": MODERATORS, "export-full": STAFF, "archive-full": STAFF},
}


def _plant_survey():
    from consultations import services as consultations
    from consultations import survey
    from consultations.models import Consultation, MapQuestion

    consultation = factories.ConsultationFactory(
        title="Survey canaries",
        slug="survey-canaries",
        language="en",
        kind=Consultation.Kind.MAP_SURVEY,
    )
    line = MapQuestion.objects.create(consultation=consultation, kind="line", prompt="Your way")
    point = MapQuestion.objects.create(consultation=consultation, kind="point", prompt="Danger")
    secretive = factories.UserFactory(
        email=EMAIL, display_name=SECRET_NAME, show_name_publicly=False, phone=PHONE
    )
    drawer = factories.UserFactory(display_name=DRAWER, show_name_publicly=True, phone=PHONE)
    route = {"type": "LineString", "coordinates": [[12.5940, 55.6790], [12.5960, 55.6800]]}
    spot = {"type": "Point", "coordinates": list(INSIDE)}
    survey.drawn_answer_submit(author=secretive, question=line, geometry=route, comment="Fine")
    survey.drawn_answer_submit(author=drawer, question=line, geometry=route, comment=DRAWN_COMMENT)
    survey.drawn_answer_submit(author=drawer, question=point, geometry=spot)
    hidden = survey.drawn_answer_submit(
        author=secretive, question=point, geometry=spot, comment=HIDDEN_DRAWN
    )
    admin = factories.AdministratorFactory()
    survey.drawn_answer_set_hidden(actor=admin, answer=hidden, hidden=True, reason="offensive")
    consultations.consultation_close(actor=admin, consultation=consultation)
    return consultation


def survey_outputs(consultation, role: str):
    from reports.formats import FORMATS

    client = client_for(role)
    slug = consultation.slug

    def get(category: str, url: str, name: str = ""):
        response = client.get(url)
        if response.status_code == 200:
            yield Output(category, url, text_of(_body(response), name or url.split("?")[0]))

    for url in [
        reverse("consultations:detail", kwargs={"slug": slug}),
        reverse("consultations:survey", kwargs={"slug": slug}),
        reverse("maps:static-svg", kwargs={"slug": slug}),
        reverse("reports:summary", kwargs={"slug": slug}),
    ]:
        yield from get("page", url)
    for url in [
        reverse("api-map-question-list", kwargs={"slug": slug}),
        reverse("api-own-answer-list", kwargs={"slug": slug}),
    ]:
        yield from get("api", url)
    feed = reverse("survey-feed", kwargs={"slug": slug})
    yield from get("feed", feed, "answers.geojson")
    yield from get("feed", f"{feed}?zoom=20", "answers.geojson")
    yield from get("survey-staff", reverse("consultations:drawn-answers", kwargs={"slug": slug}))
    yield from get("survey-staff", reverse("api-planner-answer-list", kwargs={"slug": slug}))
    for name in FORMATS:
        for variant in ("public", "full"):
            kind = "archive" if name.endswith(".zip") else "export"
            url = reverse("reports:download", kwargs={"slug": slug, "name": name})
            yield from get(f"{kind}-{variant}", f"{url}?variant={variant}", name)


def test_drawn_answers_show_names_and_comments_only_where_the_rules_allow(settings):
    consultation = _plant_survey()
    leaks, read = [], {}
    for role in ROLES:
        for output in survey_outputs(consultation, role):
            if role == "planner":
                read[output.category] = read.get(output.category, "") + output.text
            for canary, rules in DRAWN_ALLOWED.items():
                if _found(canary, output.text) and role not in rules.get(output.category, set()):
                    leaks.append(f"{role}: {canary} in {output.category} {output.label}")
    assert not leaks, "read what the rules keep from them:\n" + "\n".join(leaks)
    # The readers read something: the planners find every canary where they may.
    for category in ("survey-staff", "export-full", "archive-full"):
        for canary in (DRAWER, DRAWN_COMMENT, HIDDEN_DRAWN):
            assert _found(canary, read[category]), (canary, category)
    assert '"kind": "cluster"' in read["feed"] and '"kind": "cell"' in read["feed"]
    assert "Participant 1" in read["export-public"]
