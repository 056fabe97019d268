"""An officer works the comment inbox: answers an Instagram comment on the platform, hides a
Facebook comment there, answers a resident in the site's own debate, publishes an answer as the
official answer and finds it on the consultation page; axe-clean in English and Danish, on a
desktop and a 390 px wide screen."""

import pytest

from debate import services as debate_services
from devsite.fakes import FakeFacebook, FakeInstagram
from social import services
from social.adapters import MediaImage, OutgoingPost
from social.models import ImportedComment
from social.readback import import_comments
from tests import factories
from tests.browser.conftest import a11y_check, login, visit
from tests.social.factories import channel_for, published_post

TEXTS = {
    "en-GB": {"hide": "Hide on Facebook", "published": "Answers from the municipality"},
    "da-DK": {"hide": "Skjul på Facebook", "published": "Svar fra kommunen"},
}


@pytest.fixture
def fakes():
    started = [FakeInstagram().start(), FakeFacebook().start()]
    yield started
    for fake in started:
        fake.stop()


def _comment_on(fake, consultation, text, author):
    channel = channel_for(fake, name=f"Copenhagen on {fake.platform.title()}")
    image = MediaImage(data=b"\xff\xd8", alt_text="The harbour", url="https://kk.example/h.jpg")
    with services.adapter_for(channel) as adapter:
        result = adapter.publish(
            OutgoingPost(text=f"Harbour baths ({fake.platform})", images=(image,)), "k"
        )
    post = published_post(channel, consultation=consultation, remote_id=result.remote_id)
    fake.reply(result.remote_id, text, author=author)
    import_comments([post.pk])
    return ImportedComment.objects.get(post=post, text=text)


@pytest.mark.parametrize("locale", ["en-GB", "da-DK"])
def test_officer_answers_hides_and_publishes_an_official_answer(
    new_page, live_server, fakes, locale
):
    instagram, facebook = fakes
    consultation = factories.ConsultationFactory(
        slug=f"harbour-{locale.lower()}", title="Harbour baths"
    )
    topic = factories.TopicFactory(consultation=consultation, title="The harbour bath")
    planner = factories.PlannerFactory(display_name="Line", show_name_publicly=True)
    consultation.planners.add(planner)
    question = _comment_on(instagram, consultation, "Is there a sauna?", "mette_kbh")
    spam = _comment_on(facebook, consultation, "Buy cheap sunglasses", "Spammer")
    resident = factories.UserFactory(display_name="Ida", show_name_publicly=True)
    site = debate_services.comment_create(
        author=resident, target=topic, body="Can dogs swim there?"
    )

    page = new_page(locale)
    login(page, live_server, planner)
    visit(page, "/social/inbox/", f"inbox-{locale}")

    # Answer on Instagram.
    item = page.locator(f"#comment-{question.pk}")
    item.locator("details").first.locator("summary").click()
    page.locator(f"#reply-comment-{question.pk}").fill("Yes, from July.")
    with page.expect_navigation():
        item.locator("details").first.locator("button[type=submit]").click()
    question.refresh_from_db()
    _media, reply = instagram.comment(question.answer_remote_id)
    assert reply["parent"] == question.remote_id and reply["text"] == "Yes, from July."

    # Hide the spam on Facebook.
    with page.expect_navigation():
        page.locator(f"#comment-{spam.pk}").get_by_role(
            "button", name=TEXTS[locale]["hide"]
        ).click()
    assert facebook.comment(spam.remote_id)["is_hidden"] is True
    a11y_check(page, f"inbox-hidden-{locale}")

    # Answer the resident in the debate.
    site_item = page.locator(f"#site-{site.pk}")
    site_item.locator("details").first.locator("summary").click()
    page.locator(f"#reply-site-{site.pk}").fill("Only in the dog bath at the north end.")
    with page.expect_navigation():
        site_item.locator("details").first.locator("button[type=submit]").click()
    assert site.replies.get().body == "Only in the dog bath at the north end."

    # Publish the Instagram answer as the official answer, edited.
    item = page.locator(f"#comment-{question.pk}")
    official = item.locator("details", has=page.locator("form[action$='/official/']"))
    official.locator("summary").click()
    area = page.locator(f"#official-comment-{question.pk}")
    assert area.input_value() == "> Is there a sauna?\n\nYes, from July."
    area.fill("> Is there a sauna?\n\nYes: the sauna opens in July, free of charge.")
    a11y_check(page, f"inbox-official-form-{locale}")
    with page.expect_navigation():
        official.locator("button[type=submit]").click()
    question.refresh_from_db()
    assert question.official_answer.is_official
    page.set_viewport_size({"width": 390, "height": 844})
    a11y_check(page, f"inbox-narrow-{locale}")

    # Everyone sees it on the consultation page, without the writer's handle.
    reader = new_page(locale)
    visit(reader, f"/{consultation.slug}/", f"consultation-{locale}")
    section = reader.locator(".social-official-answers")
    assert "the sauna opens in July" in section.inner_text()
    assert "mette_kbh" not in section.inner_text()
    assert TEXTS[locale]["published"] in reader.inner_text("main")
    assert "Buy cheap sunglasses" not in reader.inner_text("main")
    reader.set_viewport_size({"width": 390, "height": 844})
    a11y_check(reader, f"consultation-narrow-{locale}")
