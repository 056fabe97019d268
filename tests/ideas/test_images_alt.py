"""A photo's description is read once: as the figure's caption, not again as the image's alt."""

import re

import pytest

from tests import factories
from tests.moderation.factories import IdeaImageFactory

pytestmark = pytest.mark.django_db


def test_a_photo_is_described_once(client):
    idea = factories.IdeaFactory()
    image = IdeaImageFactory(idea=idea, alt_text="The quay at low tide")
    page = client.get(idea.get_absolute_url()).content.decode()
    figure = re.search(r"<figure[^>]*>.*?</figure>", page, re.S).group(0)
    assert figure.count("The quay at low tide") == 1
    assert f'aria-labelledby="photo-caption-{image.pk}"' in figure and 'alt=""' in figure
