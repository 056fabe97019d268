"""Small factories shared by every app's tests. App-specific ones live beside their tests."""

from datetime import timedelta

import factory
from django.utils import timezone

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


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

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


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    consultation = factory.SubFactory(ConsultationFactory, open_phase=False)
    kind = Phase.Kind.IDEAS
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    consultation = factory.SubFactory(ConsultationFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    colour = "#1f77b4"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"Topic {n}")
    introduction = "Should the town centre get a tunnel?"


class PollOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PollOption

    topic = factory.SubFactory(TopicFactory)
    label = factory.Sequence(lambda n: f"Option {n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea written straight to the database; tests of submission use ideas.services."""

    class Meta:
        model = Idea

    consultation = factory.SubFactory(ConsultationFactory)
    number = factory.Sequence(lambda n: n + 1)
    reference = factory.LazyAttribute(lambda o: f"T-{o.consultation.pk}-{o.number:05d}")
    title = factory.Sequence(lambda n: f"Idea {n}")
    description = "A public bath with sand under your feet."
    author = factory.SubFactory(UserFactory)
    longitude = INSIDE[0]
    latitude = INSIDE[1]


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support

    idea = factory.SubFactory(IdeaFactory)
    user = factory.SubFactory(UserFactory)
    consultation = factory.LazyAttribute(lambda o: o.idea.consultation)
