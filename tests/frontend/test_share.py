"""Share buttons: the platforms' own share dialogs, no third-party script, no open redirect."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

SHARE = reverse("share_mastodon")


def _links(page: str) -> dict[str, str]:
    found = re.findall(r'class="button button-secondary share-(\w+)" href="([^"]+)"', page)
    return {platform: html.unescape(href) for platform, href in found}


def test_an_idea_page_offers_each_platform_with_its_own_address(client):
    idea = factories.IdeaFactory(title="Harbour bath & sauna")
    page = client.get(idea.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    address = f"http://testserver{idea.get_absolute_url()}"
    links = _links(page)
    assert parse_qs(urlsplit(links["facebook"]).query) == {"u": [address]}
    assert parse_qs(urlsplit(links["x"]).query) == {
        "text": ["Idea: Harbour bath & sauna"],
        "url": [address],
    }
    assert parse_qs(urlsplit(links["bluesky"]).query)["text"] == [
        f"Idea: Harbour bath & sauna {address}"
    ]
    assert f'value="{address}"' in page and "Copy link" in page
    # Nothing loaded from the platforms: links only.
    assert not re.search(r'<script[^>]+src="https?://', page)


def test_consultation_and_topic_pages_have_them_too(client):
    topic = factories.TopicFactory()
    for url in (topic.consultation.get_absolute_url(), topic.get_absolute_url()):
        assert "share-facebook" in client.get(url).content.decode()


def test_a_draft_consultation_offers_no_sharing(client, planner):
    consultation = factories.ConsultationFactory(status="draft")
    consultation.planners.add(planner)
    client.force_login(planner)
    response = client.get(consultation.get_absolute_url())
    assert response.status_code == 200 and "share-facebook" not in response.content.decode()


def test_the_shared_address_leaves_out_the_query(client):
    idea = factories.IdeaFactory()
    page = client.get(idea.get_absolute_url() + "?comment=5&utm=x").content.decode()
    assert f'value="http://testserver{idea.get_absolute_url()}"' in page


@pytest.mark.parametrize(
    "typed",
    ["mastodon.social", "https://mastodon.social/", "@anna@mastodon.social", "Mastodon.Social"],
)
def test_mastodon_goes_to_the_persons_own_server(client, typed):
    """Without scripts: a page with the link to follow (the pages' CSP keeps form answers from
    redirecting to other sites)."""
    response = client.post(SHARE, {"instance": typed, "path": "/harbour/", "text": "Harbour"})
    assert response.status_code == 200
    expected = "https://mastodon.social/share?text=Harbour%20http%3A//testserver/harbour/"
    assert f'href="{expected}"' in response.content.decode()
    assert "Continue to mastodon.social" in response.content.decode()


@pytest.mark.parametrize(
    "instance",
    ["evil.example/phish?x=", "localhost", "127.0.0.1", "mastodon.social:8080", "a b.social", ""],
)
def test_a_server_name_that_is_not_one_is_refused_readably(client, instance):
    response = client.post(SHARE, {"instance": instance, "path": "/harbour/"})
    assert response.status_code == 400
    assert "Mastodon server" in response.content.decode()


@pytest.mark.parametrize("path", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_only_our_own_pages_can_be_shared(client, path):
    response = client.post(SHARE, {"instance": "mastodon.social", "path": path})
    assert response.status_code == 400
    assert "Only pages of this site can be shared." in response.content.decode()


def test_a_link_cannot_send_anyone_elsewhere(client):
    """GET is refused: no crafted link of ours leads to another site."""
    response = client.get(SHARE, {"instance": "evil.example", "path": "/"})
    assert response.status_code == 405


def test_the_pages_stay_cacheable_for_everyone(client):
    """No CSRF token in the share form: a token would make the page differ per visitor."""
    idea = factories.IdeaFactory()
    page = client.get(idea.get_absolute_url())
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies


@pytest.mark.parametrize("text", ['Idea: A <sauna> & "bath"', ""])
def test_hidden_fields_are_what_the_widgets_render(text):
    from frontend.share import MastodonShareForm
    from frontend.templatetags.share import hidden_fields

    form = MastodonShareForm(initial={"path": "/ideas/T-1-00001/?a=1&b=<2>", "text": text})
    assert hidden_fields(form, ("path", "text")) == str(form["path"]) + str(form["text"])
