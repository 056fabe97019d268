"""Several residents take part, through the pages and through the API, one after the other and at
once. Every person signs up with the real form and the e-mailed link; at the end every counter
the pages show equals the rows behind it.
"""

import itertools
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from civic.models import User
from debate.models import Comment, CommentPublication
from ideas.models import Idea, Support
from tests import factories
from tests.factories import INSIDE

from .conftest import PASSWORD, confirmation_path, requires_concurrent_database, sign_up

PEOPLE = [
    ("astrid@harbour.example", "Astrid Holm", True),
    ("bjorn@harbour.example", "Bjørn Dahl", False),
    ("cecilie@harbour.example", "", False),
    ("dorte@harbour.example", "Dorte Lind", True),
]


def assert_counters_equal_rows(consultation) -> None:
    """The stored counters that pages and the API show are the rows, recounted here."""
    for idea in Idea.objects.filter(consultation=consultation):
        supports = Support.objects.filter(idea=idea).count()
        comments = Comment.objects.filter(
            idea=idea, publication=CommentPublication.PUBLISHED, is_deleted=False
        ).count()
        assert (idea.support_count, idea.comment_count) == (supports, comments), idea.reference


def _submit_idea_page(resident, consultation, title: str) -> Idea:
    url = reverse("ideas:create", kwargs={"slug": consultation.slug})
    assert resident.client.get(url).status_code == 200
    response = resident.client.post(
        url,
        {
            "title": title,
            "description": f"{title}: written by a resident in the journey.",
            "longitude": INSIDE[0],
            "latitude": INSIDE[1],
            "address_label": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    idea = Idea.objects.get(consultation=consultation, title=title)
    assert idea.author_id == resident.user.pk
    assert response["Location"] == idea.get_absolute_url()
    return idea


@pytest.mark.django_db
def test_residents_sign_up_one_after_another_and_take_part_on_the_pages(consultation):
    residents = [
        sign_up(email, display_name=name, show_name_publicly=shown) for email, name, shown in PEOPLE
    ]
    assert User.objects.filter(email__in=[p[0] for p in PEOPLE]).count() == len(PEOPLE)

    for number, resident in enumerate(residents):
        resident.ideas.append(_submit_idea_page(resident, consultation, f"Idea number {number}"))

    ideas = [r.ideas[0] for r in residents]
    for resident, idea in itertools.product(residents, ideas):
        if idea.author_id == resident.user.pk:
            continue
        response = resident.client.post(reverse("ideas:support", args=[idea.reference]))
        assert response.status_code == 302, response.content.decode()[:500]

    # Everyone comments on the next person's idea; the author answers in the thread.
    for index, resident in enumerate(residents):
        idea = ideas[(index + 1) % len(ideas)]
        comment_url = reverse("debate:idea_comment", args=[idea.pk])
        response = resident.client.post(comment_url, {"body": f"Good idea, says {index}."})
        assert response.status_code == 302, response.content.decode()[:500]
        comment = Comment.objects.get(idea=idea, author=resident.user)
        author = next(r for r in residents if r.user.pk == idea.author_id)
        reply = author.client.post(comment_url, {"body": "Thank you!", "parent": comment.pk})
        assert reply.status_code == 302, reply.content.decode()[:500]

    assert Support.objects.count() == len(residents) * (len(residents) - 1)
    assert Comment.objects.filter(parent__isnull=False).count() == len(residents)
    assert_counters_equal_rows(consultation)

    # What a visitor reads agrees with the rows.
    visitor = Client()
    for idea in Idea.objects.filter(consultation=consultation):
        page = visitor.get(idea.get_absolute_url())
        assert page.status_code == 200
        assert idea.title in page.content.decode()
        api = visitor.get(reverse("api-idea", args=[idea.pk])).json()
        assert api["support_count"] == Support.objects.filter(idea=idea).count()
        assert api["comment_count"] == idea.comment_count


@pytest.mark.django_db
def test_an_address_differing_only_in_case_cannot_sign_up_again(consultation):
    sign_up("Erik@Harbour.example", display_name="Erik")
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "erik@harbour.EXAMPLE",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "accept_terms": "on",
        },
    )
    # Refused with a readable form error, or sent to "check your e-mail" without a second account
    # (allauth's enumeration protection); never a server error, never two accounts.
    assert response.status_code in (200, 302)
    assert User.objects.filter(email__iexact="erik@harbour.example").count() == 1


def _api_idea(client, consultation, title: str) -> dict:
    response = client.post(
        reverse("api-consultation-ideas", kwargs={"slug": consultation.slug}),
        {
            "title": title,
            "description": "Sent through the API.",
            "location": {"type": "Point", "coordinates": list(INSIDE)},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content.decode()[:500]
    return response.json()


@pytest.mark.django_db
def test_residents_take_part_through_the_api_with_session_and_token(consultation):
    from .conftest import token_client

    residents = [sign_up(f"api{n}@harbour.example", display_name=f"Api {n}") for n in range(3)]
    # The first two use the API with their session, the third with a token.
    clients = [residents[0].client, residents[1].client, token_client(residents[2].user)]
    ideas = [_api_idea(c, consultation, f"API idea {n}") for n, c in enumerate(clients)]

    for (number, client), idea in itertools.product(enumerate(clients), ideas):
        if Idea.objects.get(pk=idea["id"]).author_id == residents[number].user.pk:
            continue
        url = reverse("api-idea-support", args=[idea["id"]])
        assert client.post(url).status_code in (200, 201)
    # A change of mind: the token holder withdraws one support and gives it again, twice.
    target = ideas[0]["id"]
    for _ in range(2):
        assert clients[2].delete(reverse("api-idea-support", args=[target])).status_code == 200
        assert clients[2].post(reverse("api-idea-support", args=[target])).status_code in (
            200,
            201,
        )

    comments_url = reverse("api-idea-comments", args=[ideas[0]["id"]])
    first = clients[1].post(comments_url, {"body": "Through the API."}, "application/json")
    assert first.status_code == 201, first.content.decode()
    reply = clients[2].post(
        comments_url, {"body": "A reply.", "parent": first.json()["id"]}, "application/json"
    )
    assert reply.status_code == 201, reply.content.decode()
    assert reply.json()["parent"] == first.json()["id"]

    assert Support.objects.count() == 6
    assert_counters_equal_rows(consultation)
    for idea in ideas:
        shown = Client().get(reverse("api-idea", args=[idea["id"]])).json()
        assert shown["support_count"] == Support.objects.filter(idea_id=idea["id"]).count() == 2
    thread = Client().get(comments_url).json()
    assert [c["id"] for c in thread["results"]] == [first.json()["id"]]
    assert [r["id"] for r in thread["results"][0]["replies"]] == [reply.json()["id"]]


# --- At once: threads against the live server (PostgreSQL) ----------------------------------


class Browserless:
    """One person's HTTP session against the live server, with Django's CSRF token handled."""

    def __init__(self, base_url: str):
        import requests

        self.base = base_url
        self.http = requests.Session()

    def _token(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def get(self, path: str):
        return self.http.get(self.base + path, timeout=30)

    def form(self, path: str, data: dict):
        if not self._token():
            self.get(path)
        data = {**data, "csrfmiddlewaretoken": self._token()}
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=30)

    def api(self, method: str, path: str, json=None):
        return self.http.request(
            method,
            self.base + path,
            json=json,
            headers={"X-CSRFToken": self._token(), "Referer": self.base + "/"},
            timeout=30,
        )


def _sign_up_over_http(base_url: str, email: str) -> Browserless:
    person = Browserless(base_url)
    person.get(reverse("account_signup"))
    response = person.form(
        reverse("account_signup"),
        {
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": email,
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302, f"sign-up of {email}: {response.status_code}"
    link = confirmation_path(email)
    person.get(link)
    assert person.form(link, {}).status_code == 302
    logged_in = person.form(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert logged_in.status_code == 302, f"log-in of {email}: {logged_in.status_code}"
    return person


def _at_once(work, items):
    """Run `work` on every item at the same moment, one thread each; re-raise any failure."""
    barrier = threading.Barrier(len(items))

    def start(item):
        barrier.wait(timeout=30)
        return work(item)

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(start, items))


@requires_concurrent_database
@pytest.mark.django_db(transaction=True)
def test_residents_sign_up_and_take_part_at_once(live_server):
    consultation = factories.ConsultationFactory()
    emails = [f"crowd{n}@harbour.example" for n in range(6)]
    people = _at_once(lambda email: _sign_up_over_http(live_server.url, email), emails)
    assert User.objects.filter(email__in=emails).count() == len(emails)
    assert len({m.to[0] for m in mail.outbox if m.to[0] in emails}) == len(emails)

    ideas_url = reverse("api-consultation-ideas", kwargs={"slug": consultation.slug})

    def submit(person):
        response = person.api(
            "POST",
            ideas_url,
            {
                "title": f"Crowd idea {id(person)}",
                "description": "At the same moment as everyone else.",
                "location": {"type": "Point", "coordinates": list(INSIDE)},
            },
        )
        assert response.status_code == 201, response.text[:500]
        return response.json()["id"]

    idea_ids = _at_once(submit, people)

    def support_all(person):
        for idea_id in idea_ids:
            response = person.api("POST", reverse("api-idea-support", args=[idea_id]))
            # Own ideas may be refused; anything else must succeed, never a 5xx.
            assert response.status_code in (200, 201, 403), response.text[:300]

    def comment_all(person):
        for idea_id in idea_ids:
            url = reverse("api-idea-comments", args=[idea_id])
            response = person.api("POST", url, {"body": "Said at the same time."})
            assert response.status_code == 201, response.text[:300]

    _at_once(support_all, people)
    _at_once(comment_all, people)
    # Half withdraw their support of the first idea while the others give theirs again.
    first = reverse("api-idea-support", args=[idea_ids[0]])
    _at_once(
        lambda pair: pair[1].api("DELETE" if pair[0] % 2 else "POST", first),
        list(enumerate(people)),
    )

    assert Comment.objects.filter(idea_id__in=idea_ids).count() == len(people) ** 2
    assert_counters_equal_rows(consultation)
    for idea in Idea.objects.filter(pk__in=idea_ids):
        page = Client().get(idea.get_absolute_url()).content.decode()
        assert re.search(rf"\b{idea.support_count}\b", page)
