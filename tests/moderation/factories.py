"""Moderation rows written straight to the database; tests of the rules use moderation.services."""

import factory

from ideas.models import IdeaImage
from moderation.models import Report
from tests.debate.factories import CommentFactory
from tests.factories import IdeaFactory, UserFactory
from tests.ideas.factories import image_file

__all__ = ["CommentFactory", "IdeaImageFactory", "ReportFactory"]


class IdeaImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaImage

    idea = factory.SubFactory(IdeaFactory)
    image = factory.LazyFunction(image_file)
    alt_text = "A view of the quay"


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    idea = factory.SubFactory(IdeaFactory)
    consultation = factory.LazyAttribute(lambda o: o.idea.consultation)
    reason = "spam"
