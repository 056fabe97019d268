import time

import pytest
from django.core import signing
from django.urls import reverse

from civic.antispam import FORM_STARTED_SALT
from civic.models import AuditEntry
from moderation import services
from moderation.models import Report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _started(seconds_ago=10):
    return signing.dumps(time.time() - seconds_ago, salt=FORM_STARTED_SALT)


def _report_url(kind, pk):
    return reverse("moderation:report", kwargs={"kind": kind, "pk": pk})


class TestReportPage:
    def test_form_reports_once(self, client, resident, idea):
        client.force_login(resident)
        page = client.get(_report_url("idea", idea.pk))
        assert page.status_code == 200 and b"honeypot" in page.content
        data = {"reason": "spam", "text": "", "website": "", "started": _started()}
        response = client.post(_report_url("idea", idea.pk), data)
        assert response.status_code == 302
        again = client.post(_report_url("idea", idea.pk), {**data, "started": _started()})
        assert again.status_code == 200
        assert b"already reported" in again.content
        assert Report.objects.count() == 1

    def test_honeypot_and_speed_trap(self, client, resident, idea):
        client.force_login(resident)
        filled = {"reason": "spam", "website": "http://spam", "started": _started()}
        assert b"could not be sent" in client.post(_report_url("idea", idea.pk), filled).content
        fast = {"reason": "spam", "website": "", "started": _started(0)}
        assert b"very fast" in client.post(_report_url("idea", idea.pk), fast).content
        assert Report.objects.count() == 0

    def test_rate_limit_answers_429_with_a_reason(self, client, settings, idea, consultation):
        from tests.factories import IdeaFactory

        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report": "2/h"}
        person = UserFactory()
        client.force_login(person)
        ideas = [idea, *IdeaFactory.create_batch(2, consultation=consultation)]
        codes = []
        for each in ideas:
            data = {"reason": "spam", "website": "", "started": _started()}
            codes.append(client.post(_report_url("idea", each.pk), data).status_code)
        assert codes == [302, 302, 429]
        last = client.post(_report_url("idea", ideas[2].pk), data)
        assert b"Try again in" in last.content and last["Retry-After"]

    def test_anonymous_is_sent_to_log_in(self, client, idea):
        assert client.get(_report_url("idea", idea.pk)).status_code == 302


class TestQueuePage:
    def test_a_comment_is_named_by_its_first_words(self, client, planner, comment, reporters):
        comment.body = "The bench by the quay is broken again and nobody has fixed it yet"
        comment.save(update_fields=["body"])
        services.report_create(reporter=reporters[0], target=comment, reason="offensive")
        client.force_login(planner)
        page = client.get(reverse("moderation:queue")).content.decode()
        assert "Comment “The bench by the quay is broken again…”" in page
        assert f"Comment #{comment.pk}" not in page

    def test_planner_sees_reported_items_first_with_history(
        self, client, planner, idea, comment, reporters
    ):
        from ideas.models import Publication
        from tests.factories import IdeaFactory

        IdeaFactory(
            consultation=idea.consultation,
            title="Waiting idea",
            publication=Publication.PENDING_MODERATION,
        )
        services.report_create(reporter=reporters[0], target=comment, reason="offensive")
        services.report_create(reporter=reporters[1], target=comment, reason="offensive")
        services.report_create(reporter=reporters[0], target=idea, reason="spam")
        client.force_login(planner)
        page = client.get(reverse("moderation:queue")).content.decode()
        assert page.index(f'id="item-comment-{comment.pk}"') < page.index(idea.title)
        assert page.index(idea.title) < page.index("Waiting idea")
        assert "Author's history: 1 idea, 1 comment" in page

    def test_query_count_does_not_grow_with_the_queue(
        self, client, assigned_planner, consultation, django_assert_max_num_queries
    ):
        planner = assigned_planner
        from tests.factories import IdeaFactory

        reporter = UserFactory()
        for _ in range(3):
            services.report_create(
                reporter=reporter, target=IdeaFactory(consultation=consultation), reason="spam"
            )
        client.force_login(planner)
        with django_assert_max_num_queries(25) as small:
            client.get(reverse("moderation:queue"))
        for _ in range(15):
            services.report_create(
                reporter=reporter, target=IdeaFactory(consultation=consultation), reason="spam"
            )
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(reverse("moderation:queue"))

    def test_councillor_reads_without_action_buttons(self, client, councillor, idea, resident):
        services.report_create(reporter=resident, target=idea, reason="spam")
        client.force_login(councillor)
        page = client.get(reverse("moderation:queue")).content.decode()
        assert idea.title in page and "but not act on it" in page
        assert 'value="hide"' not in page

    def test_resident_and_other_planner_are_refused(
        self, client, resident, other_planner, consultation
    ):
        client.force_login(resident)
        assert client.get(reverse("moderation:queue")).status_code == 403
        client.force_login(other_planner)
        url = reverse("moderation:consultation_queue", kwargs={"slug": consultation.slug})
        assert client.get(url).status_code == 403

    def test_bulk_hide_from_the_queue(self, client, planner, idea, comment):
        client.force_login(planner)
        response = client.post(
            reverse("moderation:act"),
            {
                "action": "hide",
                "items": [f"idea:{idea.pk}", f"comment:{comment.pk}"],
                "public_reason": "personal_data",
                "note": "Phone numbers",
            },
        )
        assert response.status_code == 302
        idea.refresh_from_db()
        comment.refresh_from_db()
        assert idea.hidden_reason == comment.hidden_reason == "personal_data"
        assert AuditEntry.objects.filter(action="moderation.hide").count() == 2

    def test_resident_cannot_act(self, client, resident, idea):
        client.force_login(resident)
        response = client.post(
            reverse("moderation:act"),
            {"action": "hide", "items": [f"idea:{idea.pk}"], "public_reason": "spam"},
        )
        assert response.status_code == 403
        idea.refresh_from_db()
        assert not idea.is_hidden


class TestItemPage:
    def test_edit_message_and_block(self, client, planner, idea, author, mailoutbox):
        client.force_login(planner)
        url = reverse("moderation:item", kwargs={"kind": "idea", "pk": idea.pk})
        assert client.get(url).status_code == 200
        client.post(
            url,
            {"form": "edit", "title": idea.title, "text": "No phone here", "note": "Phone"},
        )
        idea.refresh_from_db()
        assert idea.description == "No phone here"
        client.post(url, {"form": "block", "scope": "consultation", "days": 3, "reason": "Spam"})
        from civic.blocks import is_blocked

        assert is_blocked(author, idea.consultation)
        page = client.get(url).content.decode()
        assert "Original text (edited by moderator)" in page
        assert "moderation.block" not in page  # the block is logged on the block, not the idea


class TestAppealPage:
    def test_author_appeals_and_planner_decides(self, client, planner, author, comment):
        services.item_hide(actor=planner, target=comment, public_reason="offensive")
        client.force_login(author)
        url = reverse("moderation:appeal", kwargs={"kind": "comment", "pk": comment.pk})
        assert client.get(url).status_code == 200
        client.post(url, {"text": "It was a quote from the newspaper."})
        client.force_login(planner)
        page = client.get(reverse("moderation:queue")).content.decode()
        assert "It was a quote from the newspaper." in page
        appeal = comment.pk and __import__("moderation.models").models.Appeal.objects.get()
        client.post(
            reverse("moderation:appeal_decide", kwargs={"pk": appeal.pk}),
            {"decision": "accept", "note": "Fair"},
        )
        comment.refresh_from_db()
        assert not comment.is_hidden

    def test_others_cannot_appeal(self, client, resident, comment):
        client.force_login(resident)
        url = reverse("moderation:appeal", kwargs={"kind": "comment", "pk": comment.pk})
        assert client.get(url).status_code == 403


def test_profile_links_to_my_data_and_deletion(client, resident):
    client.force_login(resident)
    page = client.get(reverse("civic:profile")).content.decode()
    assert reverse("moderation:my_data") in page
    assert reverse("moderation:delete_account") in page


def test_staff_header_links_to_the_queue(client, planner, resident):
    client.force_login(planner)
    queue_link = f'href="{reverse("moderation:queue")}"'
    assert queue_link in client.get("/").content.decode()
    client.force_login(resident)
    assert queue_link not in client.get("/").content.decode()
