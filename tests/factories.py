"""Small factories shared by every app's tests. App-specific ones live beside their tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from civic.changes import Change, changed
from civic.models import Role, User
from consultations.models import Category, Consultation, Phase, PollOption, Topic
from ideas.models import Idea, Support

# A square around Christiansholm / Papirøen in Copenhagen harbour (GeoJSON, longitude first).
CHRISTIANSHOLM_AREA = {
    "type": "Polygon",
    "coordinates": [
        [
            [12.5925, 55.6780],
            [12.5995, 55.6780],
            [12.5995, 55.6815],
            [12.5925, 55.6815],
            [12.5925, 55.6780],
        ]
    ],
}
INSIDE = (12.5960, 55.6797)  # (longitude, latitude) inside the area
OUTSIDE = (12.5683, 55.6761)  # the town hall square, outside it


class Announced(factory.django.DjangoModelFactory):
    """A row written straight to the database announces its change as a service would
    (civic.changes), so the caches, on in the suite as in production, forget what it changes."""

    class Meta:
        abstract = True

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            changed(cls._consultation_id_of(instance), cls._change)

    @staticmethod
    def _consultation_id_of(instance):
        return instance.consultation_id


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.LazyAttribute(lambda o: o.email)
    display_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def consented(obj, create, extracted, **kwargs):
        """Accepted the terms of the municipality it was made in, as the sign-up form records
        (civic.consent); `consented=False` for a person who has not."""
        from civic import tenancy
        from civic.consent import consent_record

        if create and extracted is not False and tenancy.current_id() is not None:
            consent_record(obj)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Give the account a verified primary e-mail, as allauth expects for log-in."""
        if not create:
            return
        obj.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=obj, email=obj.email, defaults={"verified": True, "primary": True}
        )


class PlannerFactory(UserFactory):
    role = Role.PLANNER


class CouncillorFactory(UserFactory):
    role = Role.COUNCILLOR


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR


class ConsultationFactory(Announced):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    _change = Change.CONSULTATION

    @staticmethod
    def _consultation_id_of(instance):
        return instance.pk

    title = factory.Sequence(lambda n: f"Consultation {n}")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    summary = "What should happen to the harbour site?"
    body = "Tell us **your** idea."
    status = Consultation.Status.PUBLISHED
    area = CHRISTIANSHOLM_AREA
    reference_prefix = "CPH"
    hashtag = "#voreskbh"

    @factory.post_generation
    def open_phase(obj, create, extracted, **kwargs):
        """By default one phase runs now and allows everything; pass open_phase=False for none."""
        if not create or extracted is False:
            return
        now = timezone.now()
        Phase.objects.create(
            consultation=obj,
            kind=Phase.Kind.IDEAS,
            starts_at=now - timedelta(days=7),
            ends_at=now + timedelta(days=21),
            allows_ideas=True,
            allows_support=True,
            allows_comments=True,
            allows_poll=True,
        )


class PhaseFactory(Announced):
    class Meta:
        model = Phase

    _change = Change.PHASE

    consultation = factory.SubFactory(ConsultationFactory, open_phase=False)
    kind = Phase.Kind.IDEAS
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


class CategoryFactory(Announced):
    class Meta:
        model = Category

    _change = Change.CATEGORY

    consultation = factory.SubFactory(ConsultationFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    colour = "#1f77b4"


class TopicFactory(Announced):
    class Meta:
        model = Topic

    _change = Change.TOPIC

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Topic {n}")
    introduction = "Should the town centre get a tunnel?"


class PollOptionFactory(Announced):
    class Meta:
        model = PollOption

    _change = Change.TOPIC

    @staticmethod
    def _consultation_id_of(instance):
        return instance.topic.consultation_id

    topic = factory.SubFactory(TopicFactory)
    label = factory.Sequence(lambda n: f"Option {n}")


class IdeaFactory(Announced):
    """An idea written straight to the database; tests of submission use ideas.services."""

    class Meta:
        model = Idea

    _change = Change.IDEA

    consultation = factory.SubFactory(ConsultationFactory)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda o: f"T-{o.consultation.pk}-{o.number:05d}")
    title = factory.Sequence(lambda n: f"Idea {n}")
    description = "A public bath with sand under your feet."
    author = factory.SubFactory(UserFactory)
    longitude = INSIDE[0]
    latitude = INSIDE[1]


class SupportFactory(Announced):
    class Meta:
        model = Support

    _change = Change.SUPPORT

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)
    consultation = factory.LazyAttribute(lambda o: o.idea.consultation)


def api_key_for(user, *, name: str = "Test token") -> str:
    """The key of a new API token of `user`'s, as a client would hold it. The token counts as
    in use (its last use recorded just now), as a running integration's token does, so a
    request does not write its first use."""
    from civic import api_tokens
    from civic.models import ApiToken

    key = api_tokens.new_key()
    ApiToken.objects.create(
        owner=user,
        name=name,
        digest=api_tokens.digest_of(key),
        prefix=key[: api_tokens.PREFIX_LENGTH],
        last_used_at=timezone.now(),
    )
    return key
