"""Debate rows written straight to the database; tests of the rules go through debate.services."""

import factory

from debate.models import Comment, CommentPublication
from ideas.models import Idea
from tests.factories import TopicFactory, UserFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment
        skip_postgeneration_save = True

    topic = factory.SubFactory(TopicFactory)
    consultation = factory.LazyAttribute(
        lambda o: (o.topic or o.idea).consultation if (o.topic or o.idea) else None
    )
    idea = None
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Argument number {n}.")
    parent = None
    root = factory.LazyAttribute(lambda o: (o.parent.root or o.parent) if o.parent else None)
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)

    @factory.post_generation
    def marks_its_idea(obj, create, extracted, **kwargs):
        """As debate.services does: an idea with a published comment has threads to show."""
        if create and obj.idea_id and obj.publication == CommentPublication.PUBLISHED:
            Idea.objects.filter(pk=obj.idea_id).update(has_threads=True)
            obj.idea.has_threads = True
