import io

import pytest
from django.core.management import call_command

from social import selectors
from social.models import Channel, ImportedComment, PostState, SocialPost

pytestmark = pytest.mark.django_db


def test_demo_channels_on_the_fakes_and_the_seed_post_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    counts = (Channel.objects.count(), SocialPost.objects.count(), ImportedComment.objects.count())
    facebook = Channel.objects.get(platform="facebook")
    assert facebook.base_url == "http://127.0.0.1:8701"
    assert facebook.credentials["page_id"] == "100200300"
    assert Channel.objects.get(platform="mastodon").base_url == "http://127.0.0.1:8704"
    post = SocialPost.objects.get(consultation__slug="christiansholm", channel=facebook)
    assert post.state == PostState.PUBLISHED
    assert post.metrics["reach"] == 14952 and post.metrics["reactions"] == 148
    assert post.metrics["views"] is None
    section = selectors.summary_section(post.consultation)
    assert ("Reach", 14952) in section["rows"] and ("Views", "not available") in section["rows"]
    assert SocialPost.objects.filter(state=PostState.AWAITING_APPROVAL).count() == 1
    call_command("load_demo", stdout=io.StringIO())
    assert (
        Channel.objects.count(),
        SocialPost.objects.count(),
        ImportedComment.objects.count(),
    ) == counts
