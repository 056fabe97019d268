"""Editing an approved idea in a pre-moderated consultation (or with a word from the word list)
sends the edit to the moderation queue: the public keeps reading the approved version on every
route (page, API, GeoJSON, search), the author sees their pending edit with a note, planners see
it in the queue; approving publishes it, refusing keeps the approved text."""

import pytest
from django.core.exceptions import PermissionDenied

from ideas import services
from ideas.models import IdeaRevision
from moderation import selectors as queue
from moderation import services as moderation
from tests.clients import api_for
from tests.factories import ConsultationFactory, UserFactory

pytestmark = pytest.mark.django_db

OLD_TITLE = "Havnebad ved Papirøen"
NEW_TITLE = "Flydende sauna ved Papirøen"
NEW_TEXT = "A floating sauna with zebraglass walls."


@pytest.fixture
def consultation(db):
    return ConsultationFactory(pre_moderation=True)


@pytest.fixture
def author(db):
    return UserFactory()


@pytest.fixture
def idea(submit, author, planner):
    idea = submit(author)
    return moderation.item_approve(actor=planner, target=idea)


def edit_through_the_api(author, idea):
    response = api_for(author).patch(
        f"/api/v1/ideas/{idea.pk}/", {"title": NEW_TITLE, "description": NEW_TEXT}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def public_sees(idea, viewer=None) -> str:
    """Everything a viewer reads about the idea through the public routes, as one text."""
    api = api_for(viewer)
    slug = idea.consultation.slug
    parts = [
        api.get(f"/api/v1/ideas/{idea.pk}/").content.decode(),
        api.get(f"/api/v1/consultations/{slug}/ideas/").content.decode(),
        api.get(f"/api/v1/consultations/{slug}/ideas.geojson").content.decode(),
        api.get(f"/api/v1/consultations/{slug}/ideas/", {"search": "zebraglass"}).content.decode(),
    ]
    return "\n".join(parts)


def test_the_public_keeps_the_approved_version_while_the_edit_waits(client, idea, author):
    data = edit_through_the_api(author, idea)
    assert data["title"] == OLD_TITLE
    assert data["pending_edit"]["title"] == NEW_TITLE
    for viewer in (None, UserFactory()):
        seen = public_sees(idea, viewer)
        assert OLD_TITLE in seen
        assert NEW_TITLE not in seen and "zebraglass" not in seen
        assert '"pending_edit":null' in seen.replace(" ", "")
    page = client.get(idea.get_absolute_url()).content.decode()
    assert OLD_TITLE in page and NEW_TITLE not in page and "zebraglass" not in page


def test_the_author_sees_their_pending_edit_with_a_note(client, idea, author):
    edit_through_the_api(author, idea)
    client.force_login(author)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert NEW_TITLE in page and "zebraglass" in page
    assert "waits for a moderator" in page
    detail = api_for(author).get(f"/api/v1/ideas/{idea.pk}/").json()
    assert detail["pending_edit"]["description"] == NEW_TEXT


def test_planners_see_the_edit_in_the_queue_and_approving_publishes_it(idea, author, planner):
    edit_through_the_api(author, idea)
    [item] = [i for i in queue.moderation_queue(viewer=planner) if i.target.pk == idea.pk]
    assert item.section == "pending" and item.is_edit
    assert NEW_TITLE in item.title and item.text == NEW_TEXT
    assert OLD_TITLE in item.approved_title
    listed = api_for(planner).get("/api/v1/moderation/queue/").content.decode()
    assert NEW_TITLE in listed
    response = api_for(planner).post(
        "/api/v1/moderation/actions/",
        {"action": "approve", "items": [f"idea:{idea.pk}"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    seen = public_sees(idea)
    assert NEW_TITLE in seen and "zebraglass" in seen and OLD_TITLE not in seen
    assert IdeaRevision.objects.filter(idea=idea, title=OLD_TITLE).exists()
    assert not [i for i in queue.moderation_queue(viewer=planner) if i.target.pk == idea.pk]


def test_refusing_the_edit_keeps_the_approved_text(idea, author, planner):
    edit_through_the_api(author, idea)
    moderation.item_reject(actor=planner, target=idea, public_reason="spam")
    idea.refresh_from_db()
    assert idea.title == OLD_TITLE and not idea.has_pending_edit and idea.is_public
    assert api_for(author).get(f"/api/v1/ideas/{idea.pk}/").json()["pending_edit"] is None


def test_a_councillor_or_resident_cannot_decide_the_edit(idea, author, councillor):
    edit_through_the_api(author, idea)
    for person in (councillor, UserFactory(), author):
        with pytest.raises(PermissionDenied):
            moderation.item_approve(actor=person, target=idea)
    idea.refresh_from_db()
    assert idea.title == OLD_TITLE and idea.has_pending_edit


def test_the_edit_page_starts_from_the_pending_edit_and_a_second_edit_replaces_it(idea, author):
    edit_through_the_api(author, idea)
    services.idea_update(user=author, idea=idea, description="Second thoughts.")
    idea.refresh_from_db()
    assert (idea.pending_title, idea.pending_description) == (NEW_TITLE, "Second thoughts.")
    assert idea.title == OLD_TITLE
    services.idea_update(user=author, idea=idea, title=OLD_TITLE, description=idea.description)
    idea.refresh_from_db()
    assert not idea.has_pending_edit


def test_the_word_list_holds_an_edit_in_an_open_consultation(settings, submit, author, planner):
    settings.MODERATION_WORD_LIST = ["idiot*"]
    idea = submit(author, consultation=ConsultationFactory(pre_moderation=False))
    services.idea_update(user=author, idea=idea, description="Only idioter build saunas.")
    idea.refresh_from_db()
    assert "idioter" not in idea.description and idea.has_pending_edit
    assert any(
        i.target.pk == idea.pk and i.words == ["idioter"]
        for i in queue.moderation_queue(viewer=planner)
    )
    services.idea_update(user=author, idea=idea, description="A calm sauna.")
    idea.refresh_from_db()
    assert idea.description == "A calm sauna." and not idea.has_pending_edit


def test_a_held_edit_of_a_pending_idea_is_simply_its_text(submit, author):
    """An idea not yet approved is not public: its author's edit waits with it."""
    idea = submit(author)
    services.idea_update(user=author, idea=idea, title=NEW_TITLE)
    idea.refresh_from_db()
    assert idea.title == NEW_TITLE and not idea.has_pending_edit


def test_the_queue_page_shows_the_edit_to_planners_only(client, idea, author, planner):
    edit_through_the_api(author, idea)
    client.force_login(planner)
    page = client.get("/moderation/").content.decode()
    assert NEW_TITLE in page and "zebraglass" in page
    client.force_login(UserFactory())
    assert client.get("/moderation/").status_code == 403


def test_photos_added_to_an_approved_idea_wait_with_the_edit(client, idea, author, planner):
    from .factories import image_file

    services.idea_update(
        user=author,
        idea=idea,
        photos=[services.Photo(file=image_file(), alt_text="The sauna from the water")],
    )
    idea.refresh_from_db()
    assert idea.has_pending_edit and idea.title == OLD_TITLE
    assert api_for().get(f"/api/v1/ideas/{idea.pk}/").json()["images"] == []
    assert "The sauna from the water" not in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(author)
    assert "The sauna from the water" in client.get(idea.get_absolute_url()).content.decode()
    moderation.item_approve(actor=planner, target=idea)
    images = api_for().get(f"/api/v1/ideas/{idea.pk}/").json()["images"]
    assert [image["alt_text"] for image in images] == ["The sauna from the water"]


def test_refusing_the_edit_drops_the_photos_that_waited(idea, author, planner):
    from .factories import image_file

    services.idea_update(
        user=author,
        idea=idea,
        photos=[services.Photo(file=image_file(), alt_text="Not for the public")],
    )
    moderation.item_reject(actor=planner, target=idea, public_reason="spam")
    assert not idea.images.exists()
    assert api_for().get(f"/api/v1/ideas/{idea.pk}/").json()["images"] == []


def test_the_queue_page_shows_the_edit_beside_the_approved_version(idea, author, planner, client):
    edit_through_the_api(author, idea)
    client.force_login(planner)
    page = client.get("/moderation/").content.decode()
    assert NEW_TITLE in page and NEW_TEXT in page
    assert "The approved version, which the public reads meanwhile" in page
    assert OLD_TITLE in page
