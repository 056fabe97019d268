"""Harstad's map survey: pupils and parents mark their way to school, where they feel unsafe
and where a crossing is missing, with some answers drawn already, so the aggregated map, the
planners' list and the exports have something to show."""

from datetime import timedelta

from django.utils import timezone

from civic.models import Role, User
from consultations import survey
from consultations.models import Consultation, MapQuestion, Phase
from devsite.demo.municipalities import inside

from .consultations import HARSTAD_AREA

SLUG = "harstad-skolevei"

BODY = """\
Kommunen planlegger tryggere skoleveier i Harstad sentrum. Tegn veien du eller barna dine går
til skolen, og marker stedene der du føler deg utrygg. Svarene dine blir brukt i
trafikksikkerhetsplanen.

Du kan tegne på kartet med mus eller finger, eller bruke adressesøket og legge til steder ett
for ett med tastaturet.
"""

QUESTIONS = [
    # (kind, prompt, help text, answers per person, required)
    (
        "line",
        "Merk veien din til skolen",
        "Tegn veien fra hjemmet (eller et sted i nærheten) til skolen, slik du faktisk går.",
        2,
        True,
    ),
    (
        "area",
        "Hvor føler du deg utrygg?",
        "Tegn et område rundt stedet, for eksempel et kryss, en undergang eller en mørk sti.",
        3,
        False,
    ),
    ("point", "Hvor mangler det et fotgjengerfelt?", "", 3, False),
]

# (question index, resident number, geometry, comment)
ANSWERS = [
    (0, 1, [(16.5300, 68.7970), (16.5360, 68.7985), (16.5420, 68.8000), (16.5480, 68.8020)], ""),
    (0, 2, [(16.5330, 68.8040), (16.5380, 68.8020), (16.5420, 68.8000)], "Snarvei over plassen"),
    (0, 3, [(16.5500, 68.7970), (16.5460, 68.7990), (16.5420, 68.8000)], ""),
    (0, 4, [(16.5300, 68.8000), (16.5360, 68.7995), (16.5420, 68.8000)], ""),
    (
        1,
        1,
        [(16.5390, 68.7985), (16.5420, 68.7985), (16.5420, 68.8000), (16.5390, 68.8000)],
        "Mørk undergang",
    ),
    (1, 3, [(16.5400, 68.7980), (16.5440, 68.7980), (16.5430, 68.7998)], "Mye tungtrafikk"),
    (2, 2, [(16.5410, 68.7992)], "Bred vei uten overgang"),
    (2, 4, [(16.5412, 68.7990)], ""),
    (2, 1, [(16.5470, 68.8015)], ""),
]


def _residents(count: int) -> list[User]:
    """Demo residents who only drew answers; they cannot sign in (no password)."""
    people = []
    for number in range(1, count + 1):
        email = f"skolevei{number}@demo.borgerdialog.dk"
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"username": email, "role": Role.RESIDENT, "display_name": f"Elev {number}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    return people


def load(stdout, users):
    with inside("harstad"):
        _load(stdout, users)


def _load(stdout, users):
    now = timezone.now()
    consultation, _ = Consultation.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title": "Trygg skolevei i Harstad",
            "summary": "Merk veien til skolen og stedene der du føler deg utrygg.",
            "body": BODY,
            "kind": Consultation.Kind.MAP_SURVEY,
            "status": Consultation.Status.PUBLISHED,
            "language": "nb",
            "hashtag": "#tryggskolevei",
            "area": HARSTAD_AREA,
            "reference_prefix": "SKV",
            "created_by": users["planner2"],
        },
    )
    consultation.planners.add(users["planner2"])
    consultation.phases.all().delete()
    Phase.objects.create(
        consultation=consultation,
        kind=Phase.Kind.IDEAS,
        name="Kartlegging",
        starts_at=now - timedelta(days=5),
        ends_at=now + timedelta(days=30),
        allows_ideas=True,
        allows_comments=True,
    )
    consultation.drawn_answers.all().delete()  # idempotent: the demo's answers are made anew
    questions = []
    for position, (kind, prompt, help_text, limit, required) in enumerate(QUESTIONS):
        question, _ = MapQuestion.objects.update_or_create(
            consultation=consultation,
            prompt=prompt,
            defaults={
                "kind": kind,
                "help_text": help_text,
                "max_answers": limit,
                "required": required,
                "position": position,
            },
        )
        questions.append(question)
    residents = _residents(4)
    for index, number, positions, comment in ANSWERS:
        survey.drawn_answer_submit(
            author=residents[number - 1],
            question=questions[index],
            positions=positions,
            comment=comment,
        )
    stdout.write(f"  map survey: {consultation.title}, {len(ANSWERS)} drawn answers")
