"""Hostile platforms: what a broken or malicious API answers never executes, is never stored
unchecked and never crashes the worker.

The fakes answer over real HTTP with `javascript:` addresses, HTML and scripts in names and
comments, null ids, numbers as text, lists for objects and bodies larger than the adapters
read (`devsite.fakes.hostile`). Every platform gets every attack.
"""

from __future__ import annotations

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from rest_framework.test import APIClient

from civic.external_urls import safe_url
from devsite.fakes import hostile
from social import outbox, readback, services
from social.adapters import MalformedAnswer, ResponseTooLarge
from social.models import Channel, ImportedComment, OutboxState, PostState
from tests import factories
from tests.social.conftest import TIMEOUT, adapter_for, make_post
from tests.social.factories import approved, channel_for, entry_of, published_post

pytestmark = pytest.mark.django_db(transaction=True)

# Small enough that the "huge" answers are refused quickly, large enough for every real answer.
LIMIT = 64 * 1024
HUGE = 1024 * 1024
PUBLISHING = ("facebook", "x", "mastodon", "bluesky")  # Instagram needs an image: below
EVERY_PLATFORM = ("facebook", "instagram", "x", "mastodon", "bluesky")
WRONG_SHAPES = (
    hostile.SCRIPTS,
    hostile.NULL_IDS,
    hostile.NUMBERS_AS_TEXT,
    hostile.LISTS_FOR_OBJECTS,
    hostile.HUGE,
    hostile.HUGE_UNSIZED,
)


@pytest.fixture(autouse=True)
def _bounded(settings):
    settings.SOCIAL_HTTP_TIMEOUT_SECONDS = TIMEOUT
    settings.SOCIAL_MAX_RESPONSE_BYTES = LIMIT


def _fake(request, platform):
    return request.getfixturevalue(f"{platform}_fake")


def _no_script_links(html: str) -> None:
    lowered = html.lower()
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert f'href="{scheme}' not in lowered and f'src="{scheme}' not in lowered
    # The platform's markup may appear as text (escaped), never as markup.
    assert "<script>alert" not in lowered
    assert "<img src=x onerror" not in lowered


# --- The helper ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative/path",
        "//evil.example/x",
        "ftp://files.example/a",
        "file:///etc/passwd",
        "https://",
        "http:///path",
        "https://exa mple.com/",
        "",
        None,
        42,
        ["https://example.com/"],
        {"url": "https://example.com/"},
    ],
)
def test_only_absolute_http_addresses_are_safe(value):
    assert safe_url(value) == ""
    template = Template("{% load external_urls %}[{{ v|external_url }}]")
    assert template.render(Context({"v": value})) == "[]"


@pytest.mark.parametrize(
    "value",
    ["https://mastodon.social/@kk/1", "http://127.0.0.1:8701/p?x=1#c", "HTTPS://Example.com/a"],
)
def test_absolute_http_addresses_are_kept(value):
    assert safe_url(value) == value


# --- Stored addresses are checked when rendered, whatever is in the database ---------------------
def test_pages_never_link_a_stored_script_address(client, mastodon_fake):
    consultation = factories.ConsultationFactory()
    channel = channel_for(mastodon_fake)
    Channel.objects.filter(pk=channel.pk).update(remote_url="javascript:alert(2)")
    for url in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "/relative"):
        post = published_post(channel, consultation=consultation, url=url, remote_id="9")
        response = client.get(consultation.get_absolute_url())
        assert response.status_code == 200
        _no_script_links(response.content.decode())
        post.delete()
    published_post(channel, consultation=consultation, url="https://social.example/@kk/9")
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert 'href="https://social.example/@kk/9"' in html
    admin = factories.AdministratorFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for page in (reverse("social:channels"), reverse("social:composer", args=[consultation.slug])):
        response = client.get(page)
        assert response.status_code == 200, page
        _no_script_links(response.content.decode())


# --- Channel addresses typed by an administrator -------------------------------------------------
@pytest.mark.parametrize(
    "base_url", ["javascript:alert(1)", "ftp://mastodon.example", "data:text/plain,x"]
)
def test_a_channel_base_url_must_be_http(mastodon_fake, base_url):
    administrator = factories.AdministratorFactory(is_staff=True, is_superuser=True)
    with pytest.raises(ValidationError) as error:
        services.channel_connect(
            actor=administrator,
            platform="mastodon",
            base_url=base_url,
            credentials=mastodon_fake.credentials(),
        )
    assert "http:// or https://" in " ".join(error.value.message_dict["base_url"])
    assert not mastodon_fake.requests, "nothing is sent to a refused address"


def test_the_api_refuses_a_script_base_url(mastodon_fake):
    api = APIClient()
    api.force_authenticate(factories.AdministratorFactory(is_staff=True, is_superuser=True))
    response = api.post(
        "/api/v1/social/channels/",
        {
            "platform": "mastodon",
            "base_url": "javascript:alert(1)",
            "credentials": mastodon_fake.credentials(),
        },
        format="json",
    )
    assert response.status_code == 400 and "base_url" in response.json()
    assert not Channel.objects.exists() and not mastodon_fake.requests


def test_the_admin_form_refuses_a_script_base_url(client):
    administrator = factories.AdministratorFactory(is_staff=True, is_superuser=True)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:social_channel_add"),
        {"platform": "mastodon", "name": "M", "base_url": "ftp://mastodon.example", "state": "ok"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "http:// or https://" in errors["base_url"][0]
    assert not Channel.objects.exists()


# --- Connecting to a hostile account -------------------------------------------------------------
def test_a_hostile_account_profile_is_stored_without_its_script_address(client, mastodon_fake):
    mastodon_fake.make_hostile(hostile.SCRIPTS, path="verify_credentials")
    administrator = factories.AdministratorFactory(is_staff=True, is_superuser=True)
    channel = services.channel_connect(
        actor=administrator,
        platform="mastodon",
        base_url=mastodon_fake.base_url,
        credentials=mastodon_fake.credentials(),
    )
    assert channel.remote_url == ""
    assert "<script>" in channel.name  # kept as text, shown escaped
    client.force_login(administrator)
    html = client.get(reverse("social:channels")).content.decode()
    _no_script_links(html)
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html


# --- Publishing through the outbox ---------------------------------------------------------------
@pytest.mark.parametrize("mode", WRONG_SHAPES)
@pytest.mark.parametrize("platform", PUBLISHING)
def test_the_outbox_survives_any_answer(request, platform, mode):
    fake = _fake(request, platform)
    post = approved(channel_for(fake), consultation=factories.ConsultationFactory())
    fake.make_hostile(mode, size=HUGE)
    report = outbox.run_due()  # must not raise
    post.refresh_from_db()
    entry = entry_of(post)
    assert post.remote_url == "" or safe_url(post.remote_url) == post.remote_url
    if post.state == PostState.PUBLISHED:
        assert report.published == [post.pk] and entry.state == OutboxState.DONE
        assert post.remote_id and isinstance(post.remote_id, str)
    else:
        # Kept for a later attempt (or failed) with an error a person can read.
        assert entry.state in (OutboxState.PENDING, OutboxState.FAILED)
        assert platform in entry.last_error and post.error == entry.last_error
        assert "Traceback" not in entry.last_error
        if mode in (hostile.HUGE, hostile.HUGE_UNSIZED):
            assert f"larger than {LIMIT} bytes" in entry.last_error
    if mode == hostile.SCRIPTS:
        assert "javascript" not in post.remote_url


def test_a_publish_answer_with_a_script_address_is_published_without_it(mastodon_fake):
    post = approved(channel_for(mastodon_fake))
    mastodon_fake.make_hostile(hostile.SCRIPTS, method="POST", path="/statuses")
    assert outbox.run_due().published == [post.pk]
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and post.remote_url == ""


def test_a_null_id_is_a_clear_error_and_reconciled_later(mastodon_fake):
    post = approved(channel_for(mastodon_fake))
    mastodon_fake.make_hostile(hostile.NULL_IDS, method="POST", path="/statuses")
    report = outbox.run_due()
    assert report.retrying == [post.pk]
    entry = entry_of(post)
    assert "not in the shape of the platform's API" in entry.last_error
    # The post may exist: the next attempt looks for it instead of posting twice.
    assert entry.maybe_sent


# --- Reading back engagement and comments --------------------------------------------------------
def _published_on(fake, consultation):
    with adapter_for(fake) as adapter:
        result = adapter.publish(make_post(), "hostile-key")
    channel = channel_for(fake)
    post = published_post(
        channel, consultation=consultation, remote_id=result.remote_id, url=result.url
    )
    fake.engage(result.remote_id, reactions=3)
    fake.reply(result.remote_id, "Godt forslag", "Ida")
    return post


@pytest.mark.parametrize("mode", WRONG_SHAPES)
@pytest.mark.parametrize("platform", EVERY_PLATFORM)
def test_reading_back_survives_any_answer(request, platform, mode):
    fake = _fake(request, platform)
    post = _published_on(fake, factories.ConsultationFactory())
    fake.make_hostile(mode, method="GET", size=HUGE)
    readback.refresh_metrics()  # must not raise
    readback.import_comments()
    post.refresh_from_db()
    for value in (post.metrics or {}).values():
        assert value is None or (isinstance(value, int) and not isinstance(value, bool))
    for comment in ImportedComment.objects.all():
        assert comment.url == "" or safe_url(comment.url) == comment.url
        assert isinstance(comment.remote_id, str) and comment.remote_id
        assert "javascript" not in comment.url


@pytest.mark.parametrize("platform", EVERY_PLATFORM)
def test_hostile_comments_are_shown_as_text(client, request, platform):
    fake = _fake(request, platform)
    consultation = factories.ConsultationFactory()
    _published_on(fake, consultation)
    fake.make_hostile(hostile.SCRIPTS, method="GET")
    readback.import_comments()
    comments = list(ImportedComment.objects.all())
    assert comments, "the hostile comment was imported"
    # Addresses the adapter builds itself (X) stay; the platform's script addresses are gone.
    assert all(comment.url == safe_url(comment.url) for comment in comments)
    assert not any("javascript" in comment.url for comment in comments)
    assert any(
        "<script>" in comment.text or "<script>" in comment.author_name for comment in comments
    )
    html = client.get(consultation.get_absolute_url()).content.decode()
    _no_script_links(html)
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("platform", EVERY_PLATFORM)
def test_figures_given_as_text_are_not_available_rather_than_text(request, platform):
    fake = _fake(request, platform)
    post = _published_on(fake, None)
    fake.make_hostile(hostile.NUMBERS_AS_TEXT, method="GET")
    readback.refresh_metrics()
    post.refresh_from_db()
    assert not any(isinstance(value, str) for value in (post.metrics or {}).values())


# --- Bounded reads -------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [hostile.HUGE, hostile.HUGE_UNSIZED])
def test_a_huge_answer_is_refused_with_a_clear_error(mastodon_fake, mode):
    with adapter_for(mastodon_fake, max_response_bytes=LIMIT) as adapter:
        result = adapter.publish(make_post(), "k")
        mastodon_fake.make_hostile(mode, size=HUGE)
        with pytest.raises(ResponseTooLarge, match=f"larger than {LIMIT} bytes"):
            adapter.fetch_metrics(result.remote_id)


def test_the_size_limit_is_a_setting(mastodon_fake, settings):
    settings.SOCIAL_MAX_RESPONSE_BYTES = 10 * HUGE
    channel = channel_for(mastodon_fake)
    with services.adapter_for(channel) as adapter:
        result = adapter.publish(make_post(), "k")
        mastodon_fake.make_hostile(hostile.HUGE, size=HUGE)
        assert adapter.fetch_metrics(result.remote_id).reactions == 0


def test_wrong_shapes_are_one_typed_error(mastodon_fake):
    with adapter_for(mastodon_fake) as adapter:
        result = adapter.publish(make_post(), "k")
        mastodon_fake.reply(result.remote_id, "Enig", "Ida")
        mastodon_fake.make_hostile(hostile.LISTS_FOR_OBJECTS, method="GET")
        with pytest.raises(MalformedAnswer, match="mastodon: the answer to fetch_comments"):
            adapter.fetch_comments(result.remote_id)


# --- The stand-ins in another process ------------------------------------------------------------
def test_hostile_mode_is_steered_over_http(mastodon_fake):
    control = f"{mastodon_fake.base_url}/_fake/hostile"
    assert httpx.post(control, json={"modes": ["scripts"], "path": "/accounts"}).status_code == 200
    answer = httpx.get(
        f"{mastodon_fake.base_url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {mastodon_fake.credentials()['access_token']}"},
    ).json()
    assert answer["url"] == hostile.SCRIPT_URL
    assert httpx.post(control, json={"modes": []}).status_code == 200
    assert httpx.post(control, json={"modes": ["nonsense"]}).status_code == 400
