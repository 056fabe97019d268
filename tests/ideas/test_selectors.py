from datetime import date, timedelta

import pytest

from ideas import selectors
from ideas.models import Idea, Publication
from tests.factories import CategoryFactory, IdeaFactory, SupportFactory, UserFactory

pytestmark = pytest.mark.django_db


def _titles(queryset):
    return [idea.title for idea in queryset]


def test_only_public_ideas_are_listed(consultation):
    IdeaFactory(consultation=consultation, title="Synlig")
    IdeaFactory(consultation=consultation, title="Skjult", is_hidden=True)
    IdeaFactory(
        consultation=consultation, title="Venter", publication=Publication.PENDING_MODERATION
    )
    IdeaFactory(consultation=consultation, title="Trukket", publication=Publication.WITHDRAWN)
    IdeaFactory(title="Andet sted")
    assert _titles(selectors.idea_list(consultation=consultation)) == ["Synlig"]


def test_sorts(consultation):
    old = IdeaFactory(consultation=consultation, title="old", support_count=5, comment_count=0)
    mid = IdeaFactory(consultation=consultation, title="mid", support_count=1, comment_count=9)
    new = IdeaFactory(consultation=consultation, title="new", support_count=3, comment_count=2)
    assert _titles(selectors.idea_list(consultation=consultation, sort="newest")) == [
        new.title,
        mid.title,
        old.title,
    ]
    assert _titles(selectors.idea_list(consultation=consultation, sort="supported")) == [
        "old",
        "new",
        "mid",
    ]
    assert _titles(selectors.idea_list(consultation=consultation, sort="discussed")) == [
        "mid",
        "new",
        "old",
    ]


def test_daily_shuffle_is_stable_within_a_day_and_changes_between_days(consultation):
    ideas = IdeaFactory.create_batch(12, consultation=consultation)
    day = date(2026, 6, 1)
    first = [i.pk for i in selectors.idea_list(consultation=consultation, day=day)]
    again = [i.pk for i in selectors.idea_list(consultation=consultation, day=day)]
    assert first == again
    expected = sorted((i.pk for i in ideas), key=lambda pk: (selectors.shuffle_key(pk, day), pk))
    assert first == expected
    orders = {
        tuple(i.pk for i in selectors.idea_list(consultation=consultation, day=day + timedelta(d)))
        for d in range(5)
    }
    assert len(orders) > 1
    assert sorted(first) == sorted(i.pk for i in ideas)


def test_filters_and_search(consultation):
    bath = CategoryFactory(consultation=consultation, name="Bad")
    IdeaFactory(consultation=consultation, title="Havnebad", category=bath, status="accepted")
    IdeaFactory(consultation=consultation, title="Klatrevæg", description="Høj væg ved kajen")
    IdeaFactory(consultation=consultation, title="Sauna", category=bath)
    assert _titles(
        selectors.idea_list(consultation=consultation, category=bath.pk, sort="newest")
    ) == [
        "Sauna",
        "Havnebad",
    ]
    assert _titles(selectors.idea_list(consultation=consultation, status="accepted")) == [
        "Havnebad"
    ]
    assert _titles(selectors.idea_list(consultation=consultation, search="kajen")) == ["Klatrevæg"]
    assert _titles(selectors.idea_list(consultation=consultation, search="havnebad")) == [
        "Havnebad"
    ]
    # An unknown status is ignored rather than an error.
    assert len(selectors.idea_list(consultation=consultation, status="nonsense")) == 3


def test_viewer_supports_is_annotated(consultation):
    viewer = UserFactory()
    supported, other = IdeaFactory.create_batch(2, consultation=consultation)
    SupportFactory(idea=supported, user=viewer)
    flags = {
        i.pk: i.viewer_supports
        for i in selectors.idea_list(consultation=consultation, viewer=viewer)
    }
    assert flags == {supported.pk: True, other.pk: False}


def test_query_count_does_not_grow_with_ideas(consultation, django_assert_num_queries):
    viewer = UserFactory()
    category = CategoryFactory(consultation=consultation)

    def run():
        return [
            (
                i.title,
                i.category and i.category.name,
                i.author and i.author.public_name,
                i.viewer_supports,
            )
            for i in selectors.idea_list(consultation=consultation, viewer=viewer)
        ]

    # The daily order (one narrow query, then cached) and the page's rows.
    IdeaFactory.create_batch(2, consultation=consultation, category=category)
    with django_assert_num_queries(2):
        run()
    IdeaFactory.create_batch(20, consultation=consultation, category=category)
    with django_assert_num_queries(2):
        assert len(run()) == 22
    with django_assert_num_queries(1):
        assert len(run()) == 22


def test_daily_order_is_cached_until_an_idea_changes(consultation):
    first = IdeaFactory(consultation=consultation)
    assert [i.pk for i in selectors.idea_list(consultation=consultation)] == [first.pk]
    second = IdeaFactory(consultation=consultation)
    listed = selectors.idea_list(consultation=consultation)
    assert sorted(i.pk for i in listed) == sorted([first.pk, second.pk])
    assert listed.count() == 2


def test_hidden_by_bulk_update_never_shows_from_a_cached_order(consultation):
    kept, hidden = IdeaFactory.create_batch(2, consultation=consultation)
    assert len(list(selectors.idea_list(consultation=consultation))) == 2
    # A queryset update sends no signal, so the cached order still holds the hidden idea.
    Idea.objects.filter(pk=hidden.pk).update(is_hidden=True)
    assert [i.pk for i in selectors.idea_list(consultation=consultation)] == [kept.pk]
