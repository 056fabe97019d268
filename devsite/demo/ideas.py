"""Demo ideas for Christiansholm and Harstad, with residents, supports and official answers.

Idempotent: ideas are found again by title, supports and answers are only added once.
"""

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civic.models import Role, User
from consultations.models import Consultation
from devsite.demo.consultations import CHRISTIANSHOLM_AREA, HARSTAD_AREA
from devsite.demo.municipalities import inside
from ideas import services
from ideas.models import Idea, IdeaStatus
from maps.geometry import area_bounds, check_point_in_area

# (local part, display name, show name publicly)
RESIDENTS = [
    ("anne.k", "Anne Kristensen", True),
    ("bo.n", "Bo Nielsen", False),
    ("camilla", "Camilla", False),
    ("dorte.h", "Dorte Hansen", True),
    ("emil", "Emil", False),
    ("frederik.l", "Frederik Larsen", False),
    ("gitte", "Gitte", False),
    ("hans.p", "Hans Pedersen", True),
    ("ida", "Ida", False),
    ("jonas.m", "Jonas Møller", False),
    ("karen.j", "Karen Jørgensen", True),
    ("lars", "Lars", False),
    ("maja.r", "Maja Rasmussen", False),
    ("niels", "Niels", False),
    ("olivia.c", "Olivia Christensen", True),
    ("peter.a", "Peter Andersen", False),
    ("rikke", "Rikke", False),
    ("sofie.t", "Sofie Thomsen", False),
    ("thomas.b", "Thomas Berg", True),
    ("ulla", "Ulla", False),
    ("viggo", "Viggo", False),
    ("ingrid.h", "Ingrid Haugen", True),
    ("ole.b", "Ole Berntsen", False),
    ("sigrid", "Sigrid", False),
    ("tor.e", "Tor Eriksen", False),
]

CHRISTIANSHOLM_IDEAS = [
    # (title, description, category)
    (
        "Offentlig badeanstalt med varme bassiner",
        "En stor **offentlig badeanstalt** i den gamle papirhal med varme indendørs bassiner, "
        "så man kan bade hele året. Gerne med billige billetter for børnefamilier.",
        "Bad og vand",
    ),
    (
        "Strandbar med sand under fødderne",
        "Som strandbarerne i Berlin: sand, liggestole og musik på kajen om sommeren. "
        "Et sted hvor man kan mødes efter arbejde med sand under fødderne.",
        "Mad og marked",
    ),
    (
        "Overdækket markedshal med lokale råvarer",
        "En markedshal med boder for lokale producenter, fiskehandler og bager. "
        "Åben hele ugen, også om aftenen.",
        "Mad og marked",
    ),
    (
        "Bådhus til roklubben",
        "Roklubberne i havnen mangler plads. Et bådhus med ponton og omklædning ville give "
        "flere mulighed for at komme på vandet.",
        "Sport og bevægelse",
    ),
    (
        "Klatrevæg i den høje hal",
        "Hallen er høj nok til en rigtig **klatrevæg**. Både for begyndere og øvede, "
        "og med en boulderafdeling for børn.",
        "Sport og bevægelse",
    ),
    (
        "Udendørs biograf på kajen",
        "Film på et stort lærred om sommeren, hvor man kan sidde på trappen ned mod vandet.",
        "Kultur",
    ),
    (
        "Havnesauna med vinterbadning",
        "En sauna på en pram med adgang direkte til vandet. Vinterbaderne ville elske det.",
        "Bad og vand",
    ),
    (
        "Gadekøkken med mad fra hele verden",
        "Små madboder med mad fra hele verden og lange fællesborde, men til priser almindelige "
        "mennesker kan betale.",
        "Mad og marked",
    ),
    (
        "Skatepark under tag",
        "En overdækket skatepark, så man kan skate selv når det regner. "
        "Gerne med bowl og street-område.",
        "Sport og bevægelse",
    ),
    (
        "Grøn tagterrasse med byhave",
        "Tagene kunne blive en stor byhave med højbede, som beboerne kan leje.",
        "Grønne områder",
    ),
    (
        "Kajakudlejning og kajakpolo",
        "Udlejning af kajakker og en bane til kajakpolo mellem pontonerne.",
        "Sport og bevægelse",
    ),
    (
        "Spillested for lokale bands",
        "Et mindre spillested med plads til 300, hvor nye bands kan spille.",
        "Kultur",
    ),
    (
        "Legeplads for de mindste",
        "En legeplads med sand, vand og klatrestativer tæt ved caféerne, så forældre kan "
        "holde øje.",
        "Grønne områder",
    ),
    (
        "Værksteder for kunstnere og håndværkere",
        "Billige værksteder til kunstnere, keramikere og møbelsnedkere med åbne døre "
        "for besøgende.",
        "Kultur",
    ),
    (
        "Havnebad med springtårn",
        "Et friluftsbad med bassiner i havnen og et springtårn på fem meter.",
        "Bad og vand",
    ),
    (
        "Bibliotek og læsesal ved vandet",
        "Et lille bibliotek med store vinduer mod havnen og stille læsepladser.",
        "Kultur",
    ),
    (
        "Loppemarked hver søndag",
        "Et fast loppemarked i hallen hver søndag, så der er liv hele året.",
        "Mad og marked",
    ),
    (
        "Beachvolley på kajen",
        "To beachvolleybaner med lys, så man kan spille om aftenen.",
        "Sport og bevægelse",
    ),
    (
        "Bynatur med vilde blomster",
        "Lad en del af øen blive vild natur med blomster for bier og sommerfugle.",
        "Grønne områder",
    ),
    (
        "Cykelparkering og cykelværksted",
        "Overdækket cykelparkering og et gør-det-selv-værksted med værktøj og pumpe.",
        "Grønne områder",
    ),
    (
        "Dansegulv under åben himmel",
        "Et trægulv på kajen til salsa, swing og tango om sommeraftenen.",
        "Kultur",
    ),
    (
        "Fiskeplads for børn",
        "En sikker fiskeplads med rækværk, hvor børn kan fange krabber og fisk.",
        "Bad og vand",
    ),
    (
        "Fællesspisning i markedshallen",
        "Fællesspisning en gang om ugen, hvor naboer og turister sidder ved samme bord.",
        "Mad og marked",
    ),
    (
        "Svømmebane til motionister",
        "En 50-meter bane i havnen, afmærket for motionssvømmere om morgenen.",
        "Bad og vand",
    ),
    (
        "Teater på vandet",
        "En flydende scene til teater og koncerter, som publikum ser fra trapperne.",
        "Kultur",
    ),
    (
        "Træer og skygge på pladsen",
        "Plant store træer, så pladsen giver skygge på varme dage.",
        "Grønne områder",
    ),
    (
        "Padelbaner i den gamle lagerhal",
        "Padel er populært, og der mangler baner i centrum.",
        "Sport og bevægelse",
    ),
    (
        "Ølbryggeri med udeservering",
        "Et lille mikrobryggeri med udeservering og rundvisninger.",
        "Mad og marked",
    ),
    (
        "Kunstinstallationer langs kajen",
        "Skiftende kunstværker langs kajen, udvalgt sammen med beboerne.",
        "Kultur",
    ),
    (
        "Bænke og læ langs vandet",
        "Flere bænke med ryglæn og læ for vinden, også til ældre.",
        "Grønne områder",
    ),
    (
        "Café med plads til barnevogne",
        "En café med god plads, puslerum og legehjørne.",
        "Mad og marked",
    ),
    (
        "Vinterbadeklub med omklædning",
        "Opvarmet omklædning og bruser til vinterbaderne hele året.",
        "Bad og vand",
    ),
    (
        "Parkour-bane for unge",
        "En parkour-bane med mure og stænger, designet sammen med de unge.",
        "Sport og bevægelse",
    ),
    (
        "Historisk fortælling om papirlagrene",
        "Skilte og en lille udstilling om øens historie som papirlager for Dagbladene.",
        "Kultur",
    ),
    (
        "Regnbede i stedet for asfalt",
        "Lad regnvandet løbe i grønne regnbede i stedet for i kloakken.",
        "Grønne områder",
    ),
    (
        "Gratis drikkevand og toiletter",
        "Offentlige toiletter og drikkevandsposter, især når der er mange mennesker.",
        "Grønne områder",
    ),
    (
        "Sejlerskole for børn",
        "Optimistjoller og sejlerskole for børn fra hele byen, også dem uden egen båd.",
        "Bad og vand",
    ),
    (
        "Natmarked med streetfood om fredagen",
        "Et natmarked hver fredag med streetfood, musik og lys på kajen.",
        "Mad og marked",
    ),
    (
        "Yoga på pontonerne",
        "Gratis morgenyoga på flydende pontoner om sommeren.",
        "Sport og bevægelse",
    ),
    (
        "Udstillingshal for arkitektur og byudvikling",
        "Et sted hvor man kan se modeller af byens planer og komme med sin mening.",
        "Kultur",
    ),
]

HARSTAD_IDEAS = [
    (
        "Gågate i Storgata",
        "Gjør Storgata til gågate hele året, med benker og plass til uteservering.",
        "Byrom",
    ),
    (
        "Pendlerparkering ved innfartsveiene",
        "Bygg pendlerparkering med buss inn til sentrum, så færre kjører gjennom byen.",
        "Trafikk",
    ),
    (
        "Sykkelvei langs sjøen",
        "En trygg sykkelvei langs sjøen fra Kanebogen til sentrum.",
        "Trafikk",
    ),
    (
        "Torget som møteplass",
        "Torget bør få tak over deler av plassen, så det kan brukes også når det regner.",
        "Byrom",
    ),
    (
        "Lokale butikker i første etasje",
        "Krev butikker eller kafeer i første etasje i nye bygg i sentrum.",
        "Næring",
    ),
]

ANSWERS = [
    # (idea title, status, answer)
    (
        "Offentlig badeanstalt med varme bassiner",
        IdeaStatus.UNDER_REVIEW,
        "Tak for idéen. Vi undersøger sammen med Kultur- og Fritidsforvaltningen, om en "
        "badeanstalt kan rummes i hallen, og hvad drift og billetpriser vil koste. "
        "Vi melder tilbage, når vurderingen er færdig.",
    ),
    (
        "Strandbar med sand under fødderne",
        IdeaStatus.ACCEPTED,
        "Strandbaren indgår i planen for sommeren. Der lægges sand ud på den sydlige kaj, og "
        "der kommer et udbud for driften. Tak til de mange, der har støttet idéen.",
    ),
    (
        "Bådhus til roklubben",
        IdeaStatus.ACCEPTED,
        "Vi er i dialog med roklubberne om et fælles bådhus med ponton. Placeringen afklares "
        "med Havnemyndigheden.",
    ),
    (
        "Padelbaner i den gamle lagerhal",
        IdeaStatus.REJECTED,
        "Lagerhallen er fredet, og padelbaner kræver indgreb i konstruktionen, som vi ikke kan "
        "give tilladelse til. Vi foreslår i stedet baner i Nordhavn.",
    ),
    (
        "Havnebad med springtårn",
        IdeaStatus.DUPLICATE,
        "Idéen ligner idéen om en offentlig badeanstalt; vi behandler dem sammen.",
    ),
    (
        "Gratis drikkevand og toiletter",
        IdeaStatus.IMPLEMENTED,
        "Der er nu opsat to drikkevandsposter og et offentligt toilet ved broen.",
    ),
]


PLACES = {
    "christiansholm": [
        "Papirøen, nordlige kaj",
        "Papirøen, sydlige kaj",
        "Trangravsvej",
        "Christiansholms Plads",
        "Ved Inderhavnsbroen",
        "Strandgade over for Papirøen",
    ],
    "harstad-sentrumstunnel": [
        "Storgata",
        "Torget",
        "Sjøgata",
        "Harstadbotn",
        "Rikard Kaarbøs gate",
    ],
}


def load(stdout, users):
    residents = _residents()
    with inside("kobenhavn"):
        cph = Consultation.objects.get(slug="christiansholm")
    with inside("harstad"):
        harstad = Consultation.objects.get(slug="harstad-sentrumstunnel")
    danes, norwegians = residents[:21], residents[21:] + [users["resident"]]
    with inside("kobenhavn"):
        cph_ideas = _ideas(cph, CHRISTIANSHOLM_IDEAS, danes, CHRISTIANSHOLM_AREA, seed=42)
        supports = _supports(cph_ideas, danes + [users["resident"]], seed=3)
        answered = _answers(cph, users["planner"])
        _answer_templates(cph, users["planner"])
    with inside("harstad"):
        harstad_ideas = _ideas(harstad, HARSTAD_IDEAS, norwegians, HARSTAD_AREA, seed=7)
        supports += _supports(harstad_ideas, norwegians, seed=5)
    stdout.write(
        f"  ideas: {len(cph_ideas)} in Christiansholm, {len(harstad_ideas)} in Harstad; "
        f"{len(residents)} demo residents; {supports} new supports; {answered} new answers"
    )


def _residents() -> list[User]:
    people = []
    for local, name, public in RESIDENTS:
        email = f"{local}@demo.borgerdialog.dk"
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "username": email,
                "role": Role.RESIDENT,
                "display_name": name,
                "show_name_publicly": public,
                # Demo answers go to a digest nobody sends, not to the console at load time.
                "notification_frequency": "daily",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        people.append(user)
    return people


def _points(area, count, seed):
    """Deterministic points spread over the area, each checked to be inside it."""
    west, south, east, north = area_bounds(area)
    rng = random.Random(seed)  # noqa: S311 - demo layout, not security
    points = []
    while len(points) < count:
        lon = round(rng.uniform(west, east), 6)
        lat = round(rng.uniform(south, north), 6)
        try:
            check_point_in_area(area, lon, lat)
        except ValidationError:
            continue  # outside the area: draw again
        points.append((lon, lat))
    return points


def _ideas(consultation, rows, authors, area, seed) -> list[Idea]:
    categories = {c.name: c for c in consultation.categories.all()}
    places = PLACES[consultation.slug]
    existing = {i.title: i for i in Idea.objects.filter(consultation=consultation)}
    now = timezone.now()
    ideas = []
    for index, ((title, description, category), (lon, lat)) in enumerate(
        zip(rows, _points(area, len(rows), seed), strict=True)
    ):
        idea = existing.get(title)
        if idea is None:
            idea = services.idea_submit(
                author=authors[index % len(authors)],
                consultation=consultation,
                title=title,
                description=description,
                category=categories.get(category),
                latitude=lat,
                longitude=lon,
                address_label=places[index % len(places)],
            )
            # Spread the submissions over the idea phase so "newest" means something.
            Idea.objects.filter(pk=idea.pk).update(
                created_at=now - timedelta(days=13, hours=-index * 7)
            )
        ideas.append(idea)
    return ideas


def _supports(ideas, people, seed) -> int:
    """Popular ideas first: idea k gets roughly len(people) / (k + 1) supporters."""
    rng = random.Random(seed)  # noqa: S311
    added = 0
    for rank, idea in enumerate(ideas):
        wanted = max(0, round(len(people) * 0.9 / (1 + rank * 0.35)) - rng.randint(0, 2))
        for person in rng.sample(people, min(wanted, len(people))):
            if idea.supports.filter(user=person).exists():
                continue
            try:
                services.idea_support(user=person, idea=idea)
            except PermissionDenied:
                continue  # their own idea, or their supports are used up
            added += 1
    return added


def _answers(consultation, planner) -> int:
    ideas = {i.title: i for i in Idea.objects.filter(consultation=consultation)}
    done = 0
    for title, status, answer in ANSWERS:
        idea = ideas.get(title)
        if idea is None or idea.status != IdeaStatus.SUBMITTED:
            continue
        duplicate_of = (
            ideas.get("Offentlig badeanstalt med varme bassiner")
            if status == IdeaStatus.DUPLICATE
            else None
        )
        services.idea_answer(
            user=planner, idea=idea, status=status, answer=answer, duplicate_of=duplicate_of
        )
        done += 1
    return done


def _answer_templates(consultation, planner) -> None:
    rows = [
        (
            "Tak – vi ser på den",
            IdeaStatus.UNDER_REVIEW,
            "Tak for din idé. Vi er i gang med at vurdere den og vender tilbage med et svar.",
        ),
        (
            "Indgår i planen",
            IdeaStatus.ACCEPTED,
            "Tak for din idé, som indgår i den videre planlægning af Christiansholm.",
        ),
        (
            "Kan ikke lade sig gøre",
            IdeaStatus.REJECTED,
            "Tak for din idé. Vi har vurderet den, men den kan desværre ikke gennemføres, fordi …",
        ),
    ]
    for title, status, body in rows:
        if not consultation.answer_templates.filter(title=title).exists():
            services.answer_template_save(
                user=planner, consultation=consultation, title=title, body=body, status=status
            )
