"""Rows for report tests, written straight to the database."""

import factory

from ideas.models import IdeaImage
from tests.factories import IdeaFactory


class IdeaImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaImage

    idea = factory.SubFactory(IdeaFactory)
    image = factory.django.ImageField(filename="harbour.jpg", width=40, height=30, color="blue")
    alt_text = "The harbour at dusk"
