"""The two demo consultations from the seed documents, with phases relative to today."""

from datetime import timedelta

from django.utils import timezone

from consultations.models import Category, Consultation, Phase, PollOption, Topic
from devsite.demo.municipalities import inside

CHRISTIANSHOLM_AREA = {
    "type": "Polygon",
    "coordinates": [
        [
            [12.5929, 55.6786],
            [12.5951, 55.6812],
            [12.5990, 55.6806],
            [12.5993, 55.6787],
            [12.5962, 55.6779],
            [12.5929, 55.6786],
        ]
    ],
}
HARSTAD_AREA = {
    "type": "Polygon",
    "coordinates": [
        [
            [16.5280, 68.7955],
            [16.5560, 68.7955],
            [16.5560, 68.8060],
            [16.5280, 68.8060],
            [16.5280, 68.7955],
        ]
    ],
}

CHRISTIANSHOLM_BODY = """\
Christiansholm – bedre kendt som Papirøen – skal have en ny kultur- eller fritidsfunktion, og vi
vil gerne høre, hvad **du** drømmer om.

Skal du have sand under fødderne og et pulserende byrum som ved strandbarerne i Berlin? Eller
måske en stor offentlig badeanstalt? Eller noget helt tredje?

Sæt en nål på kortet, fortæl om din idé, og støt de idéer, du synes bedst om. Alle idéer bliver
læst af planlæggerne og besvaret, og resultatet lægges frem for Borgerrepræsentationen.
"""

HARSTAD_BODY = """\
Byutvikling Harstad inviterer alle til å diskutere hvordan sentrum skal utvikle seg de neste
tjue årene. Den store saken er trafikken: **Trenger Harstad en sentrumstunnel?**

Her kan du lese om planprosessen, si din mening i debatten – for eller mot – og svare på
avstemningen. Kommunen svarer på spørsmål underveis, og innspillene tas med i det videre
planarbeidet.
"""


def load(stdout, users):
    now = timezone.now()
    with inside("kobenhavn"):
        cph = _christiansholm(now, users)
    with inside("harstad"):
        harstad = _harstad(now, users)
    stdout.write(f"  consultations: {cph.title}; {harstad.title}")
    return {"christiansholm": cph, "harstad": harstad}


def _christiansholm(now, users):
    consultation, _ = Consultation.objects.update_or_create(
        slug="christiansholm",
        defaults={
            "title": "Idékonkurrence for Christiansholm / Papirøen",
            "summary": "Hvordan skal en ny kultur- eller fritidsfunktion på Christiansholm se ud? "
            "Sæt din idé på kortet og støt de bedste.",
            "body": CHRISTIANSHOLM_BODY,
            "kind": Consultation.Kind.IDEA_COMPETITION,
            "status": Consultation.Status.PUBLISHED,
            "language": "da",
            "hashtag": "#voreskbh",
            "area": CHRISTIANSHOLM_AREA,
            "reference_prefix": "CPH",
            "support_limit": 5,
            "created_by": users["planner"],
        },
    )
    consultation.planners.add(users["planner"])
    _phases(
        consultation,
        [
            (Phase.Kind.INFORMATION, "Information", -30, -14, {}),
            (
                Phase.Kind.IDEAS,
                "Idéer og støtte",
                -14,
                21,
                {"allows_ideas": True, "allows_support": True, "allows_comments": True},
            ),
            (Phase.Kind.EVALUATION, "Vurdering", 21, 50, {}),
            (Phase.Kind.RESULTS, "Resultater", 50, 120, {}),
        ],
        now,
    )
    for position, (name, colour) in enumerate(
        [
            ("Bad og vand", "#0b6e99"),
            ("Kultur", "#8e3b8e"),
            ("Mad og marked", "#b34700"),
            ("Sport og bevægelse", "#2e7d32"),
            ("Grønne områder", "#4e6b1f"),
        ]
    ):
        Category.objects.update_or_create(
            consultation=consultation, name=name, defaults={"colour": colour, "position": position}
        )
    return consultation


def _harstad(now, users):
    consultation, _ = Consultation.objects.update_or_create(
        slug="harstad-sentrumstunnel",
        defaults={
            "title": "Trenger Harstad en sentrumstunnel?",
            "summary": "Si din mening om trafikken i sentrum og planene for en sentrumstunnel.",
            "body": HARSTAD_BODY,
            "kind": Consultation.Kind.DEBATE,
            "status": Consultation.Status.PUBLISHED,
            "language": "nb",
            "hashtag": "#byutviklingharstad",
            "area": HARSTAD_AREA,
            "reference_prefix": "HRS",
            "created_by": users["planner2"],
        },
    )
    consultation.planners.add(users["planner2"])
    _phases(
        consultation,
        [
            (Phase.Kind.INFORMATION, "En plan blir til", -20, -7, {"allows_comments": True}),
            (
                Phase.Kind.DEBATE,
                "Debatt og avstemning",
                -7,
                28,
                {
                    "allows_comments": True,
                    "allows_poll": True,
                    "allows_ideas": True,
                    "allows_support": True,
                },
            ),
            (Phase.Kind.EVALUATION, "Vurdering", 28, 60, {}),
        ],
        now,
    )
    for position, (name, colour) in enumerate(
        [
            ("Trafikk", "#a4262c"),
            ("Byrom", "#1f4e79"),
            ("Næring", "#6b4f00"),
        ]
    ):
        Category.objects.update_or_create(
            consultation=consultation, name=name, defaults={"colour": colour, "position": position}
        )
    topics = [
        (
            "Trenger Harstad en sentrumstunnel?",
            "Tunnelen skal lede gjennomgangstrafikken under sentrum. Tilhengerne peker på "
            "mindre kø og et tryggere sentrum; motstanderne på kostnaden og byggeperioden. "
            "Hva mener du?",
            "Trenger Harstad en sentrumstunnel?",
            ["Ja", "Nei", "Vet ikke"],
        ),
        (
            "En plan blir til",
            "Slik jobber vi med kommunedelplanen for sentrum: fra oppstart og innspill til "
            "høring og vedtak. Still spørsmål om prosessen her.",
            "",
            [],
        ),
        (
            "4 faser for gjennomføring og planlegging",
            "Prosjektet er delt i fire faser: utredning, regulering, prosjektering og bygging. "
            "Hvilken fase er viktigst å involvere innbyggerne i?",
            "Hvilken fase vil du helst delta i?",
            ["Utredning", "Regulering", "Prosjektering", "Bygging"],
        ),
    ]
    for position, (title, intro, question, options) in enumerate(topics):
        topic, _ = Topic.objects.update_or_create(
            consultation=consultation,
            title=title,
            defaults={
                "introduction": intro,
                "poll_question": question,
                "position": position,
                "created_by": users["planner2"],
            },
        )
        for option_position, label in enumerate(options):
            PollOption.objects.update_or_create(
                topic=topic, label=label, defaults={"position": option_position}
            )
    return consultation


def _phases(consultation, rows, now):
    """Replace the timeline with phases placed relative to today, so the demo is always live."""
    consultation.phases.all().delete()
    for kind, name, start_days, end_days, allows in rows:
        Phase.objects.create(
            consultation=consultation,
            kind=kind,
            name=name,
            starts_at=now + timedelta(days=start_days),
            ends_at=now + timedelta(days=end_days),
            **allows,
        )
