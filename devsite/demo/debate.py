"""The Harstad debate: about 150 comments in Norwegian with arguments on both sides, replies
several levels deep, votes, poll answers from 40 residents and official replies.

The texts are composed from phrase lists with a fixed random seed, so every run builds the same
debate. A second run finds the debate in place and changes nothing.
"""

import random
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from civic.audit import audit_record
from civic.models import Role, User
from consultations.models import Consultation, Topic
from debate.models import Comment, CommentVote, PollAnswer
from debate.scoring import wilson_lower_bound
from devsite.demo.municipalities import inside

SEED = 20260611
EMAIL_DOMAIN = "demo.borgerdialog.dk"

FIRST_NAMES = [
    "Ingrid", "Ola", "Kari", "Per", "Sigrid", "Lars", "Marit", "Bjørn", "Hilde", "Tor",
    "Anne", "Even", "Silje", "Håkon", "Ragnhild", "Eirik", "Tone", "Magnus", "Solveig", "Jon",
    "Liv", "Arne", "Guro", "Sindre", "Turid", "Odd", "Hanne", "Vegard", "Randi", "Knut",
    "Maja", "Sverre", "Elin", "Trond", "Nora", "Geir", "Ida", "Rune", "Astrid", "Stian",
]  # fmt: skip
LAST_NAMES = [
    "Johansen", "Hansen", "Olsen", "Karlsen", "Pedersen", "Nilsen", "Berg", "Eriksen",
    "Andreassen", "Larsen", "Jakobsen", "Hanssen", "Mikalsen", "Strand", "Moe", "Pettersen",
]  # fmt: skip

# --- arguments, composed as opening + claim + detail ---------------------------------------------

FOR_CLAIMS = [
    "Gjennomgangstrafikken hører ikke hjemme i Strandgata.",
    "Køen fra Kanebogen til sentrum om morgenen er blitt uholdbar.",
    "Lufta i Storgata er dårlig på kalde vinterdager med mye trafikk.",
    "Sentrum kan bli en plass for folk, ikke for biler, hvis trafikken går under bakken.",
    "Tungtrafikken til havna må ut av bygatene.",
    "Skoleveien gjennom sentrum er utrygg med så mange lastebiler.",
    "Harstad vokser, og veiene vi har i dag er bygd for en mindre by.",
    "En tunnel frigjør areal langs sjøen som kan bli park og byrom.",
]
FOR_DETAILS = [
    "Se på Tromsø: tunnelene har gjort sentrum mye roligere.",
    "Butikkene i Storgata lever av folk som går, ikke av biler som kjører forbi.",
    "Vi som bor i sentrum merker støyen hele døgnet.",
    "Det er nå vi har sjansen, før staten prioriterer andre prosjekter.",
    "Barna mine sykler til skolen, og jeg er redd hver morgen.",
    "Med trafikken under bakken kan torget endelig bli et samlingssted.",
    "Et tryggere og renere sentrum er verdt en lang byggeperiode.",
    "Næringslivet trenger forutsigbar transport til og fra havna.",
]
AGAINST_CLAIMS = [
    "Prisen er altfor høy for en by på vår størrelse.",
    "Fire–fem år med anleggstrafikk vil ta livet av butikkene i sentrum.",
    "Ny vei gir mer trafikk, ikke mindre. Det vet vi fra alle andre byer.",
    "Pengene trengs mer til skoler, eldreomsorg og vedlikehold av veiene vi har.",
    "Et bedre busstilbud løser mye av køproblemet til en brøkdel av prisen.",
    "Enveiskjøring i Strandgata og Sjøgata bør prøves før vi graver tunnel.",
    "Bompengene vil ramme de som bor utenfor sentrum hardest.",
    "Tunnelåpningene blir nye støy- og forurensningspunkter for naboene der.",
]
AGAINST_DETAILS = [
    "Jeg husker hvor lenge det tok med forrige store veiprosjekt.",
    "Hvem betaler når kostnadene sprekker, slik de nesten alltid gjør?",
    "Prøv gratis buss i rushtiden et år og se hva som skjer med køen.",
    "Sentrum dør ikke av biler, det dør av tomme lokaler under en byggeperiode.",
    "Mange av oss kjører gjennom sentrum fordi bussen ikke går ofte nok.",
    "Andre byer har fått til mye med smarte lyskryss og parkering i utkanten.",
    "Vi risikerer å binde opp kommunens økonomi i tjue år.",
    "Det er billigere å flytte havnetrafikken enn å flytte hele veien.",
]
NEUTRAL_CLAIMS = [
    "Hvor er det tenkt at tunnelåpningene skal ligge?",
    "Jeg er usikker og vil gjerne se tallene før jeg bestemmer meg.",
    "Kan kommunen vise trafikktellingene fra de siste årene?",
    "Hvordan skal trafikken ledes mens tunnelen bygges?",
    "Finnes det en mellomløsning, for eksempel en kortere tunnel?",
    "Hva skjer med parkeringen i sentrum hvis tunnelen kommer?",
]
NEUTRAL_DETAILS = [
    "Det er vanskelig å ta stilling uten å vite mer om kostnadene.",
    "Både fordelene og ulempene virker reelle.",
    "Jeg bor i sentrum og kjører lite, men jobber i Kanebogen.",
    "Det hadde vært fint med et åpent møte om dette.",
]
OPENINGS = ["", "", "", "", "Helt ærlig: ", "Kort sagt: ", "Som sentrumsbeboer: "]

REPLIES_AGREE = [
    "Enig. {detail}",
    "Godt poeng, og det blir for lite snakket om.",
    "Dette er akkurat det jeg også tenker. {detail}",
    "Helt enig med deg.",
    "Takk for at du sier det. {detail}",
]
REPLIES_DISAGREE = [
    "Det er jeg ikke enig i. {detail}",
    "Jeg forstår hva du mener, men {claim_lower}",
    "Har du tall på det? Jeg tror det er motsatt.",
    "Tja. {detail}",
    "Men hva med alternativene? {claim}",
]
REPLIES_QUESTION = [
    "Hvor har du det tallet fra?",
    "Hva tenker du om bussene som alternativ?",
    "Tror du folk faktisk vil endre vaner?",
    "Gjelder det også for dem som bor på Stangnes?",
]

PROCESS_COMMENTS = [
    ("Når kommer planforslaget på høring?", "neutral"),
    ("Bra at kommunen inviterer til debatt før planen er ferdig.", "for"),
    ("Jeg savner et åpent folkemøte på kveldstid, ikke bare nettdebatt.", "neutral"),
    ("Prosessen virker bestemt på forhånd. Blir innspillene faktisk lest?", "against"),
    ("Hvem bestemmer til slutt, bystyret eller Statens vegvesen?", "neutral"),
    ("Husk ungdommen: de bruker ikke Facebook, men de har meninger om byen.", "neutral"),
    ("Det er fint å kunne lese planene her i stedet for i lange PDF-er.", "for"),
    ("Jeg vil gjerne vite hvordan innspillene veies mot hverandre.", "neutral"),
]
PHASES_COMMENTS = [
    ("Reguleringsfasen er der vi kan påvirke mest. Der må innbyggerne være med.", "for"),
    ("Byggefasen angår flest: hvor går omkjøringen, og hvor lenge?", "neutral"),
    ("Utredningen må se på alternativene på ordentlig, ikke bare tunnel.", "against"),
    ("Prosjekteringen virker teknisk, men det er der detaljene om støy avgjøres.", "neutral"),
    ("Fire faser høres ut som ti år. Kan noe gjøres parallelt?", "against"),
    ("Takk for en ryddig oversikt over fasene.", "for"),
]

# The municipality's answers to the neutral questions, by their index in NEUTRAL_CLAIMS.
ALTERNATIVES_ANSWER = (
    "Takk for spørsmålet. I utredningsfasen sammenligner vi tre løsninger: sentrumstunnel, "
    "enveiskjøring i Strandgata og Sjøgata, og et styrket busstilbud. Alle tre legges fram "
    "med kostnader og trafikktall før høringen."
)
OFFICIAL_ANSWERS = {
    0: "Mulige plasseringer av tunnelåpningene vises i planprogrammet. Naboer til alle "
    "alternativene får eget informasjonsmøte før reguleringen starter.",
    1: ALTERNATIVES_ANSWER,
    2: "Trafikktellingene fra de siste fem årene legges ut på prosjektsiden. Vi varsler her "
    "i debatten når de er publisert.",
    3: "Under en eventuell byggeperiode skal det lages en egen plan for omkjøring og "
    "varelevering, slik at butikkene i sentrum holdes tilgjengelige.",
    4: ALTERNATIVES_ANSWER,
    5: "Parkering er en del av utredningen. Vi ser både på parkeringshus i utkanten av "
    "sentrum og på hvor mange plasser som trengs langs gatene.",
}
PROCESS_ANSWERS = {
    0: "Planforslaget legges ut på høring etter at bystyret har behandlet utredningen. "
    "Datoen kunngjøres her og på kommunens nettside.",
    3: "Alle innspill her leses og oppsummeres i saken til bystyret. Oppsummeringen blir "
    "offentlig, og du kan se hvordan innspillene er vurdert.",
}


def load(stdout, users):
    with inside("harstad"):
        _load(stdout, users)


def _load(stdout, users):
    consultation = Consultation.objects.filter(slug="harstad-sentrumstunnel").first()
    if consultation is None:
        stdout.write("  debate: the Harstad consultation is missing; nothing to add")
        return
    topics = list(consultation.topics.order_by("position"))
    if len(topics) < 3:
        stdout.write("  debate: the Harstad topics are missing; nothing to add")
        return
    residents = _residents()
    if Comment.objects.filter(consultation=consultation).exists():
        # The plan layers are made anew on every run; the comments on them follow.
        _plan_comments(topics[0], residents, timezone.now())
        stdout.write("  debate: the Harstad debate is already in place")
        return
    rng = random.Random(SEED)
    planner = users["planner2"]
    now = timezone.now()
    made: list[Comment] = []
    tunnel, process, phases = topics[0], topics[1], topics[2]
    made += _tunnel_debate(rng, tunnel, residents, planner, now)
    made += _plan_comments(tunnel, residents, now)
    made += _simple_topic(
        rng, process, residents, PROCESS_COMMENTS, planner, now, answers=PROCESS_ANSWERS
    )
    made += _simple_topic(rng, phases, residents, PHASES_COMMENTS, planner, now, answers={})
    _votes(rng, made, residents)
    _poll_answers(rng, tunnel, residents, weights=[46, 40, 14])
    _poll_answers(rng, phases, residents, weights=[25, 40, 15, 20])
    _recount(consultation)
    for comment in made:
        if comment.is_official:
            audit_record(
                actor=planner,
                action="debate.official_marked",
                target=comment,
                changes={"is_official": [False, True]},
                consultation_id=consultation.pk,
            )
    stdout.write(
        f"  debate: {len(made)} comments, "
        f"{PollAnswer.objects.filter(topic__consultation=consultation).count()} poll answers "
        f"in {consultation.title}"
    )


def _residents() -> list[User]:
    """Forty Harstad residents; some show their name, some appear under a pseudonym."""
    people = []
    for index, first in enumerate(FIRST_NAMES):
        email = f"harstad{index + 1:02d}@{EMAIL_DOMAIN}"
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "username": email,
                "display_name": f"{first} {LAST_NAMES[index % len(LAST_NAMES)]}",
                "show_name_publicly": index % 3 != 0,
                "role": Role.RESIDENT,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        people.append(user)
    return people


def _argument(rng: random.Random, stance: str) -> tuple[str, int]:
    """An argument and the index of the claim it makes."""
    claims, details = {
        "for": (FOR_CLAIMS, FOR_DETAILS),
        "against": (AGAINST_CLAIMS, AGAINST_DETAILS),
        "neutral": (NEUTRAL_CLAIMS, NEUTRAL_DETAILS),
    }[stance]
    opening = rng.choice(OPENINGS)
    index = rng.randrange(len(claims))
    claim = claims[index]
    if opening:
        claim = opening + claim[0].lower() + claim[1:]
    chosen = rng.sample(details, 2)
    text = f"{claim} {chosen[0]}"
    if rng.random() < 0.25:
        text += f"\n\n{chosen[1]}"
    return text, index


def _reply(rng: random.Random, parent_stance: str) -> str:
    kind = rng.choices(["agree", "disagree", "question"], weights=[4, 5, 2])[0]
    other = "against" if parent_stance == "for" else "for"
    if kind == "agree":
        template = rng.choice(REPLIES_AGREE)
        details = FOR_DETAILS if parent_stance == "for" else AGAINST_DETAILS
        return template.format(detail=rng.choice(details))
    if kind == "disagree":
        claims = FOR_CLAIMS if other == "for" else AGAINST_CLAIMS
        details = FOR_DETAILS if other == "for" else AGAINST_DETAILS
        claim = rng.choice(claims)
        return rng.choice(REPLIES_DISAGREE).format(
            detail=rng.choice(details), claim=claim, claim_lower=claim[0].lower() + claim[1:]
        )
    return rng.choice(REPLIES_QUESTION)


class _Builder:
    """Comments in the order they were written, with their place in the tree."""

    def __init__(self, topic: Topic, now):
        self.topic = topic
        self.now = now
        self.made: list[Comment] = []

    def add(self, *, author, body, parent=None, stance="", hours_ago=0.0, official=False):
        comment = Comment(
            consultation=self.topic.consultation,
            topic=self.topic,
            parent=parent,
            root=(parent.root or parent) if parent else None,
            depth=parent.depth + 1 if parent else 0,
            author=author,
            body=body,
            stance=stance,
            is_official=official,
            official_marked_by=author if official else None,
            official_marked_at=self.now - timedelta(hours=hours_ago) if official else None,
        )
        comment.full_clean()
        comment.save()
        comment.created_at = self.now - timedelta(hours=hours_ago)
        Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at)
        self.made.append(comment)
        return comment


def _tunnel_debate(rng, topic, residents, planner, now) -> list[Comment]:
    """About 130 comments: 40 arguments, replies up to five levels, three official answers."""
    builder = _Builder(topic, now)
    roots = []
    for index in range(40):
        stance = rng.choices(["for", "against", "neutral"], weights=[16, 16, 8])[0]
        author = residents[index % len(residents)]
        hours = 7 * 24 - index * 3.9 - rng.random()
        body, claim = _argument(rng, stance)
        root = builder.add(author=author, body=body, stance=stance, hours_ago=hours)
        roots.append((root, hours, claim))
    # Replies: busy threads get long chains, quiet ones one or two answers.
    for root, hours, _claim in roots:
        if len(builder.made) >= 126:
            break
        replies = rng.choices([0, 1, 2, 3, 4, 6], weights=[2, 4, 3, 3, 2, 1])[0]
        chain = [root]
        for _ in range(replies):
            parent = chain[-1] if rng.random() < 0.6 else rng.choice(chain)
            candidates = [p for p in residents if p.pk != parent.author_id]
            author = rng.choice(candidates)
            hours = max(0.2, hours - rng.uniform(0.5, 6))
            chain.append(
                builder.add(
                    author=author,
                    body=_reply(rng, root.stance or "neutral"),
                    parent=parent,
                    hours_ago=hours,
                )
            )
    # The municipality answers the first question of each kind.
    answered: set[int] = set()
    for root, hours, claim in roots:
        if root.stance != "neutral" or claim in answered or len(answered) >= 4:
            continue
        answered.add(claim)
        builder.add(
            author=planner,
            body=OFFICIAL_ANSWERS[claim],
            parent=root,
            hours_ago=max(0.1, hours - 5),
            official=True,
        )
    return builder.made


def _simple_topic(rng, topic, residents, rows, planner, now, *, answers) -> list[Comment]:
    builder = _Builder(topic, now)
    for index, (body, stance) in enumerate(rows):
        author = residents[(index * 7 + 3) % len(residents)]
        hours = 6 * 24 - index * 11 - rng.random()
        root = builder.add(author=author, body=body, stance=stance, hours_ago=hours)
        if rng.random() < 0.6:
            responder = residents[(index * 5 + 11) % len(residents)]
            reply = builder.add(
                author=responder, body=_reply(rng, stance), parent=root, hours_ago=hours - 2
            )
            if rng.random() < 0.5:
                builder.add(
                    author=author, body=_reply(rng, stance), parent=reply, hours_ago=hours - 4
                )
        if index in answers:
            builder.add(
                author=planner,
                body=answers[index],
                parent=root,
                hours_ago=hours - 6,
                official=True,
            )
    return builder.made


def _votes(rng, comments, residents) -> None:
    votes = []
    for comment in comments:
        voters = rng.sample(residents, rng.randint(0, 14))
        lean = 0.85 if comment.is_official else rng.uniform(0.35, 0.9)
        for voter in voters:
            if voter.pk == comment.author_id:
                continue
            votes.append(
                CommentVote(comment=comment, user=voter, value=1 if rng.random() < lean else -1)
            )
    CommentVote.objects.bulk_create(votes, ignore_conflicts=True)
    counted = Comment.objects.filter(pk__in=[c.pk for c in comments]).annotate(
        up=Count("votes", filter=Q(votes__value=1)), down=Count("votes", filter=Q(votes__value=-1))
    )
    updates = []
    for comment in counted:
        comment.upvotes, comment.downvotes = comment.up, comment.down
        comment.score = wilson_lower_bound(comment.up, comment.down)
        updates.append(comment)
    Comment.objects.bulk_update(updates, ["upvotes", "downvotes", "score"])


def _poll_answers(rng, topic, residents, *, weights) -> None:
    options = list(topic.poll_options.order_by("position"))
    if not options:
        return
    answers = [
        PollAnswer(
            topic=topic,
            option=rng.choices(options, weights=weights[: len(options)])[0],
            user=person,
        )
        for person in residents
        if rng.random() < 0.95
    ]
    PollAnswer.objects.bulk_create(answers, ignore_conflicts=True)


# Arguments about sections of the tunnel routes (devsite/demo/plans.py): route name, fraction
# along it, stance, text. Most sit near the northern portal, where the routes meet the centre.
PLAN_COMMENTS = [
    ("Alternativ A", 0.08, "against", "Sørportalen her kommer for nær barnehagen i Kulseng."),
    ("Alternativ A", 0.47, "for", "Under Storgata slipper vi tungtrafikken forbi torget."),
    ("Alternativ A", 0.88, "against", "Nordportalen sender all trafikken rett inn i Sjøgata."),
    ("Alternativ A", 0.91, "against", "Anleggsperioden ved nordportalen vil stenge havna i år."),
    ("Alternativ A", 0.93, "neutral", "Hvordan blir gang- og sykkelveien ved nordportalen?"),
    ("Alternativ B", 0.30, "for", "Langs sjøen blir det mindre sprenging under husene."),
    ("Alternativ B", 0.34, "against", "Strandsonen her er det siste friområdet i sentrum."),
    ("Alternativ B", 0.90, "neutral", "Blir det fortau forbi portalen mot Havnegata?"),
]


def _plan_comments(topic: Topic, residents, now) -> list[Comment]:
    """Top-level comments anchored to sections of the tunnel routes (written once, anchored
    again to the routes' new ids when the plan layers are made anew)."""
    from consultations.models import PlanFeature
    from maps import anchors

    routes = {
        feature.name.split(":")[0]: feature
        for feature in PlanFeature.objects.filter(
            layer__consultation=topic.consultation, kind=PlanFeature.Kind.LINE
        )
    }
    if not routes:
        return []
    builder = _Builder(topic, now)
    made = []
    for index, (route, fraction, stance, body) in enumerate(PLAN_COMMENTS):
        feature = routes.get(route)
        if feature is None:
            continue
        comment = Comment.objects.filter(topic=topic, body=body).first() or builder.add(
            author=residents[(index * 7) % len(residents)],
            body=body,
            stance=stance,
            hours_ago=30 - index * 3.5,
        )
        lon, lat = anchors.point_at_fraction(feature.geometry, fraction)
        point = anchors.place(feature.geometry, lon, lat)
        Comment.objects.filter(pk=comment.pk).update(
            plan_feature=feature,
            anchor_longitude=point.longitude,
            anchor_latitude=point.latitude,
            anchor_fraction=point.fraction,
        )
        made.append(comment)
    return builder.made


def _recount(consultation: Consultation) -> None:
    for topic in consultation.topics.annotate(
        n=Count("comments", filter=Q(comments__is_deleted=False, comments__publication="published"))
    ):
        Topic.objects.filter(pk=topic.pk).update(comment_count=topic.n)
