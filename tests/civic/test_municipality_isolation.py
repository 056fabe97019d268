"""Two municipalities on one installation see nothing of each other.

Each municipality gets the same world (a published consultation with an idea, a comment on the
idea, a debate topic with a comment, an export job, a planner, a councillor and an
administrator of its own, and a resident with an e-mail address planted in its pages). Every
page and API endpoint that takes a consultation slug or an object id is then asked for the
first municipality's object at the second municipality's host, by everyone the second one
knows: the answer is a 404 (lists simply leave the object out), and nothing of the first
municipality's appears in the body. At its own host the same request works as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from civic.consent import consent_record
from civic.models import Role
from reports.models import ExportJob
from tests import factories
from tests.debate.factories import CommentFactory
from tests.tenancy_helpers import FIRST_HOST, SECOND_HOST, first_municipality, inside

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """What one municipality holds."""

    municipality: object
    consultation: object
    idea: object
    idea_comment: object
    topic: object
    topic_comment: object
    job: object
    planner: object
    councillor: object
    administrator: object
    resident: object
    supporter: object
    secrets: tuple[str, ...]


def build_world(municipality, tag: str) -> World:
    with inside(municipality):
        planner = factories.PlannerFactory(email=f"planner-{tag}@example.org")
        councillor = factories.CouncillorFactory(email=f"councillor-{tag}@example.org")
        administrator = factories.AdministratorFactory(email=f"admin-{tag}@example.org")
        resident = factories.UserFactory(
            email=f"planted-resident-{tag}@example.org",
            display_name=f"Resident {tag}",
        )
        supporter = factories.UserFactory(email=f"supporter-{tag}@example.org")
        consultation = factories.ConsultationFactory(
            title=f"Harbour baths {tag}", slug=f"harbour-{tag.lower()}"
        )
        idea = factories.IdeaFactory(
            consultation=consultation, title=f"Sand beach {tag}", author=resident
        )
        idea_comment = CommentFactory(
            topic=None, idea=idea, author=resident, body=f"Idea remark {tag}"
        )
        topic = factories.TopicFactory(consultation=consultation, title=f"Tunnel debate {tag}")
        topic_comment = CommentFactory(topic=topic, author=resident, body=f"Topic remark {tag}")
        job = ExportJob.objects.create(
            consultation=consultation,
            name="ideas.csv",
            variant="public",
            requested_by=administrator,
        )
    return World(
        municipality=municipality,
        consultation=consultation,
        idea=idea,
        idea_comment=idea_comment,
        topic=topic,
        topic_comment=topic_comment,
        job=job,
        planner=planner,
        councillor=councillor,
        administrator=administrator,
        resident=resident,
        supporter=supporter,
        secrets=(
            consultation.title,
            idea.title,
            topic.title,
            idea_comment.body,
            topic_comment.body,
            resident.email,
        ),
    )


@pytest.fixture
def worlds(harstad):
    first = build_world(first_municipality(), "Aleph")
    second = build_world(harstad, "Beth")
    # The first municipality's resident has accepted the second's terms too (civic.consent),
    # so that a write of theirs there reaches the view, which must not find the object.
    with inside(harstad):
        consent_record(first.resident)
    return first, second


# Routes of one object: (name, method, url of the first municipality's world). At the other
# host each answers 404.
def _object_routes():
    c = "{w.consultation.slug}"
    return [
        ("consultation page", "get", f"/{c}/"),
        ("consultation results page", "get", f"/{c}/results/"),
        ("idea list page", "get", f"/ideas/c/{c}/"),
        ("idea page", "get", "/ideas/{w.idea.reference}/"),
        ("topic page", "get", "/debate/topics/{w.topic.pk}/"),
        ("idea threads page", "get", "/debate/ideas/{w.idea.pk}/comments/"),
        ("consultation API", "get", f"/api/v1/consultations/{c}/"),
        ("consultation ideas API", "get", f"/api/v1/consultations/{c}/ideas/"),
        ("ideas GeoJSON", "get", f"/api/v1/consultations/{c}/ideas.geojson"),
        ("ideas nearby", "get", f"/api/v1/consultations/{c}/ideas/nearby/?lat=55.68&lon=12.596"),
        ("plan comments GeoJSON", "get", f"/api/v1/consultations/{c}/plan-comments.geojson"),
        ("heat GeoJSON", "get", f"/api/v1/consultations/{c}/heat.geojson?kind=ideas&zoom=14"),
        ("static map", "get", f"/maps/c/{c}/static.svg"),
        ("idea API", "get", "/api/v1/ideas/{w.idea.pk}/"),
        ("idea support API", "post", "/api/v1/ideas/{w.idea.pk}/support/"),
        ("idea comments API", "get", "/api/v1/ideas/{w.idea.pk}/comments/"),
        ("topic comments API", "get", "/api/v1/topics/{w.topic.pk}/comments/"),
        ("comment API", "get", "/api/v1/comments/{w.idea_comment.pk}/"),
        ("topic comment API", "get", "/api/v1/comments/{w.topic_comment.pk}/"),
        ("comment replies API", "get", "/api/v1/comments/{w.topic_comment.pk}/replies/"),
        ("comment vote API", "post", "/api/v1/comments/{w.topic_comment.pk}/vote/"),
        ("idea status API", "post", "/api/v1/ideas/{w.idea.pk}/status/"),
        ("idea follow API", "post", "/api/v1/ideas/{w.idea.pk}/follow/"),
        ("comment official API", "post", "/api/v1/comments/{w.topic_comment.pk}/official/"),
        ("moderation item idea", "get", "/moderation/item/idea/{w.idea.pk}/"),
        ("moderation item comment", "get", "/moderation/item/comment/{w.topic_comment.pk}/"),
        ("report idea page", "get", "/moderation/report/idea/{w.idea.pk}/"),
        ("consultation export API", "get", f"/api/v1/consultations/{c}/exports/ideas.csv"),
        ("report download", "get", f"/reports/c/{c}/download/ideas.csv"),
        ("map analysis page", "get", f"/{c}/map-analysis/"),
        ("consultation edit page", "get", f"/{c}/edit/"),
        ("topic edit page", "get", "/debate/topics/{w.topic.pk}/edit/"),
        ("export job page", "get", "/reports/jobs/{w.job.pk}/"),
        ("export job file", "get", "/reports/jobs/{w.job.pk}/file"),
        ("export job API", "get", "/api/v1/export-jobs/{w.job.pk}/"),
        ("export job file API", "get", "/api/v1/export-jobs/{w.job.pk}/file"),
        ("report summary page", "get", f"/reports/c/{c}/"),
        ("consultation moderation queue", "get", f"/moderation/c/{c}/"),
    ]


# Lists and searches: at the other host they answer, and leave the first municipality out.
def _list_routes():
    return [
        ("home page", "get", "/"),
        ("consultation list API", "get", "/api/v1/consultations/"),
        ("open consultations GeoJSON", "get", "/api/v1/consultations/open.geojson"),
        ("search page", "get", "/search/?q=Harbour"),
        ("search API", "get", "/api/v1/search/?q=Harbour"),
        ("moderation queue", "get", "/moderation/"),
        ("moderation queue API", "get", "/api/v1/moderation/queue/"),
        ("back-office users", "get", "/staff/users/?q=example.org"),
        ("back-office home", "get", "/staff/"),
        ("audit log", "get", "/staff/audit/"),
        ("audit log CSV", "get", "/staff/audit/audit-log.csv"),
    ]


VISITORS = ["anonymous", "resident", "planner", "councillor", "administrator"]


def _client(user, host) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


def _visitor(first: World, second: World, who: str):
    """Someone the second municipality knows (the resident is the first one's)."""
    if who == "anonymous":
        return None
    if who == "resident":
        return first.resident
    return getattr(second, who)


def _call(client, method, url):
    if method == "post":
        return client.post(url, content_type="application/json", data={})
    return client.get(url)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("who", VISITORS)
@pytest.mark.parametrize(("name", "method", "url"), _object_routes())
def test_an_object_of_one_municipality_is_not_found_at_the_other(worlds, who, name, method, url):
    first, second = worlds
    path = url.format(w=first)
    # The first municipality's own people asked first: whatever a worker or the cache keeps
    # of the object (pages, rules, lookups by id) is there when the other host asks.
    for own in (None, first.supporter, first.administrator):
        _call(_client(own, FIRST_HOST), method, path)
    client = _client(_visitor(first, second, who), SECOND_HOST)
    response = _call(client, method, path)
    assert response.status_code in (404, 401, 403) or (
        response.status_code == 302 and who == "anonymous"
    ), (name, who, response.status_code)
    if response.status_code != 404 and who != "anonymous":
        # A signed-in visitor must not learn it exists: the answer is "not found".
        pytest.fail(f"{name} as {who}: {response.status_code}, expected 404")
    body = _body(response)
    for secret in first.secrets:
        assert secret not in body, (name, who, secret)


@pytest.mark.parametrize("who", VISITORS)
@pytest.mark.parametrize(("name", "method", "url"), _list_routes())
def test_lists_at_one_host_leave_the_other_municipality_out(worlds, who, name, method, url):
    first, second = worlds
    client = _client(_visitor(first, second, who), SECOND_HOST)
    response = _call(client, method, url)
    assert response.status_code < 500, (name, who)
    body = _body(response)
    for secret in first.secrets:
        assert secret not in body, (name, who, secret, response.status_code)


# At its own host, the first municipality's object answers as before for its own people.
OWN_STAFF = {
    "consultation page": "resident",
    "idea page": "resident",
    "topic page": "resident",
    "idea support API": "supporter",
    "comment vote API": "resident",
    "comment official API": "planner",
}
# Found, and refused for what it is: a resident's comment is never the municipality's answer.
REFUSED_AT_HOME = {"comment official API": 403}


@pytest.mark.parametrize(("name", "method", "url"), _object_routes())
def test_the_same_request_at_the_own_host_works(worlds, name, method, url):
    first, _second = worlds
    who = OWN_STAFF.get(name, "administrator")
    client = _client(getattr(first, who), FIRST_HOST)
    response = _call(client, method, url.format(w=first))
    assert response.status_code != 404, name
    assert response.status_code < 500, name
    if name in REFUSED_AT_HOME:
        assert response.status_code == REFUSED_AT_HOME[name], name
    elif name == "idea threads page":
        assert response.status_code in (200, 302), name
    elif method == "post":
        # An empty body may be refused as such, never as "not found".
        assert response.status_code in (200, 201, 400), (name, response.status_code)
    elif name not in ("export job file", "export job file API"):
        assert response.status_code in (200, 201), (name, response.status_code)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("home page", "/"),
        ("consultation list API", "/api/v1/consultations/"),
        ("search API", "/api/v1/search/?q=Harbour"),
    ],
)
def test_own_lists_show_their_own_consultation(worlds, name, url):
    first, second = worlds
    for world, host in ((first, FIRST_HOST), (second, SECOND_HOST)):
        body = _body(_client(world.administrator, host).get(url))
        assert world.consultation.title in body, (name, host)


@pytest.mark.parametrize(
    "url",
    ["/staff/", "/staff/users/", "/staff/audit/", "/staff/settings/", "/moderation/"],
)
def test_an_administrator_of_one_municipality_has_no_powers_at_the_other(worlds, url):
    first, second = worlds
    at_home = _client(first.administrator, FIRST_HOST).get(url)
    assert at_home.status_code == 200, url
    abroad = _client(second.administrator, FIRST_HOST).get(url)
    assert abroad.status_code in (403, 404), (url, abroad.status_code)
    for secret in first.secrets:
        assert secret not in _body(abroad)


def test_roles_belong_to_their_municipality(worlds):
    first, second = worlds
    with inside(first.municipality):
        assert first.administrator.role == Role.ADMINISTRATOR
        assert second.administrator.role == Role.RESIDENT
    with inside(second.municipality):
        assert second.planner.role == Role.PLANNER
        assert first.planner.role == Role.RESIDENT


def test_the_home_page_figures_are_each_municipalitys_own(worlds):
    first, second = worlds
    with inside(first.municipality):
        factories.IdeaFactory(consultation=first.consultation)
    from debate import selectors

    with inside(first.municipality):
        mine = selectors.site_figures()
    with inside(second.municipality):
        theirs = selectors.site_figures()
    assert (mine.ideas, theirs.ideas) == (2, 1)
    selectors.forget_site_figures()
    with inside(second.municipality):
        factories.IdeaFactory(consultation=second.consultation)
        assert selectors.site_figures().ideas == 2


def test_the_back_office_finds_its_own_people_and_newcomers_only(worlds):
    first, second = worlds
    newcomer = factories.UserFactory(email="newcomer@example.org")
    client = _client(second.administrator, SECOND_HOST)
    body = _body(client.get("/staff/users/?q=example.org"))
    assert newcomer.email in body and second.resident.email in body
    assert first.resident.email not in body and first.planner.email not in body
    assert client.get(f"/staff/users/{first.resident.pk}/").status_code == 404
    assert client.get(f"/staff/users/{newcomer.pk}/").status_code == 200


def test_each_host_reads_its_own_idea_pages_one_after_the_other(worlds):
    """What a worker keeps of one municipality's idea page (a composed statement, a page) does
    not hide the other's, nor show it in its place."""
    first, second = worlds
    for world, host in ((first, FIRST_HOST), (second, SECOND_HOST), (first, FIRST_HOST)):
        response = Client(HTTP_HOST=host).get(f"/ideas/{world.idea.reference}/")
        assert response.status_code == 200, host
        assert world.idea.title in _body(response)
    wrong = Client(HTTP_HOST=SECOND_HOST).get(f"/ideas/{first.idea.reference}/")
    assert wrong.status_code == 404


def test_a_write_without_consent_here_says_so_and_reveals_nothing(worlds):
    """Before a person accepts this municipality's terms, every write answers the same refusal,
    whether the object exists, is another municipality's or is not there at all."""
    first, second = worlds
    with inside(first_municipality()):
        newcomer = factories.UserFactory()  # accepted the first municipality's terms only
    client = _client(newcomer, SECOND_HOST)
    answers = {
        client.post(f"/api/v1/ideas/{pk}/support/", content_type="application/json").content
        for pk in (first.idea.pk, second.idea.pk, 10**9)
    }
    assert len(answers) == 1
    assert b"Harstad kommune" in answers.pop()


def test_django_administration_lists_only_this_municipalitys_people(worlds):
    """The admin's list of users and a user's page by id follow the back office's rule."""
    first, second = worlds
    client = _client(second.administrator, SECOND_HOST)
    listed = client.get("/admin/civic/user/?q=").content.decode()
    assert first.resident.email not in listed
    assert second.resident.email in listed
    assert client.get(f"/admin/civic/user/{first.resident.pk}/change/").status_code in (302, 404)
