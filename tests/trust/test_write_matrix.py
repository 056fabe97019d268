# The matrix is a table with one endpoint a line; long lines keep it readable as one.
# ruff: noqa: E501
"""The role x action matrix over every write endpoint, found by walking the URL resolver.

Each write endpoint (every URL pattern whose view accepts POST, PUT, PATCH or DELETE) has a row:
who may do it. Every row is tried by every role (anonymous, resident, a resident blocked
site-wide, one blocked in the consultation, a planner, a planner limited to another
consultation, a councillor, an administrator), on an object of "this" consultation and of
"another" one, and for the API with the session and with a token. A new write endpoint without a
row fails `test_every_write_endpoint_is_in_the_matrix`.

"this" consultation: the consultation block applies, the limited planner is not assigned.
"another" consultation: no consultation block, the limited planner is assigned to it. Both are
tried for the two roles whose rights depend on the consultation; ids of one consultation sent
in a request about another are tried in `test_ids_from_another_consultation_are_refused`.

An outcome is "done" when the write took effect (checked in the database where a view answers
the same way either way, e.g. a redirect back to the queue) or the request passed the permission
gate (any answer but 401, 403, 404 or a redirect to the log-in page); "refused" otherwise.
The predicates themselves are tested in tests/*/test_permissions.py; this file checks that every
route asks them.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests import factories
from tests.debate.factories import CommentFactory
from tests.factories import INSIDE

from .conftest import ROLES, token_client

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")

# Routes that write but are not authorised by role, or are not ours: why they are left out.
NOT_IN_MATRIX = {
    "admin/": "Django's admin: its own staff permissions",
    "allauth": "allauth's account pages: each person's own account (sign-up in test_journeys)",
    "^media/": "development file server, DEBUG only",
    "ideas:confirm": "authorised by the signed token in the e-mailed link (tests/ideas)",
    "civic:unsubscribe": "authorised by the signed token in the e-mail (tests/civic)",
    "set_language": "changes only the visitor's own language",
    "consent": "records the signed-in person's own acceptance of this municipality's terms (tests/civic/test_consent_per_municipality.py)",
    "share_mastodon": "changes nothing: answers a page with a link to the person's own server (tests/frontend)",
    "social:facebook_webhook": "authorised by the platform's signature (tests/social)",
    "social:oauth_callback": "bound to the state of the administrator's own OAuth start",
    "social:embed": "permanent redirect to the embed page",
}
# Views that accept any method but only read: a POST changes nothing.
READ_ONLY = {
    "healthz",
    "home",
    "consultations:detail",
    "ideas:list",
    "ideas:detail",
    "moderation:queue",
    "moderation:consultation_queue",
    "moderation:my_data",
    "moderation:my_data_json",
}


# --- Who may ------------------------------------------------------------------------------------

SIGNED_IN = set(ROLES) - {"anonymous"}
NOT_BLOCKED = {"resident", "planner", "limited_planner", "councillor", "administrator"}


def anyone(role, scope):
    return True


def signed_in(role, scope):
    return role in SIGNED_IN


def participants(role, scope):
    """Every signed-in person, unless blocked site-wide or in the object's consultation."""
    return role in NOT_BLOCKED or (role == "blocked_consultation" and scope == "another")


def managers(role, scope):
    return role in {"planner", "administrator"} or (
        role == "limited_planner" and scope == "another"
    )


def consultation_creators(role, scope):
    return role in {"planner", "administrator"}


def administrators(role, scope):
    return role == "administrator"


def staff_roles(role, scope):
    return role in {"planner", "limited_planner", "administrator"}


def map_analysts(role, scope):
    """The map analysis reads only, but takes its selection by POST: planners and councillors."""
    return managers(role, scope) or role == "councillor"


def token_holders(role, scope):
    """Who makes and revokes their own API tokens in the back office."""
    return role in {"planner", "limited_planner", "councillor", "administrator"}


# --- One cell -----------------------------------------------------------------------------------


@dataclass
class Cell:
    """The world one attempt runs in: a fresh consultation and the people."""

    role: str
    scope: str
    actor: object
    consultation: object
    people: dict

    def someone(self):
        return factories.UserFactory()

    def idea(self, author=None, **fields):
        return factories.IdeaFactory(
            consultation=self.consultation, author=author or self.someone(), **fields
        )

    def comment(self, author=None, **fields):
        idea = self.idea(comment_count=1)  # the comment below, counted as the service would
        return CommentFactory(
            topic=None,
            idea=idea,
            consultation=self.consultation,
            author=author or self.someone(),
            **fields,
        )

    def own(self):
        """Someone's own object: the actor's, or someone else's for the anonymous."""
        return self.actor or self.someone()

    def topic(self, poll=False):
        topic = factories.TopicFactory(
            consultation=self.consultation, poll_question="Tunnel?" if poll else ""
        )
        if poll:
            factories.PollOptionFactory(topic=topic, label="Yes")
        return topic


@dataclass
class Row:
    """One write endpoint: how to call it in a cell, who may, and (optionally) its effect."""

    who: Callable
    call: Callable  # cell -> (url, data); data is a dict, or JSON for the API
    effect: Callable | None = None  # (cell, state) -> bool, state from prepare
    api: bool = False


def started() -> str:
    from civic.antispam import FORM_STARTED_SALT

    return signing.dumps(time.time() - 60, salt=FORM_STARTED_SALT)


def _point():
    return {"type": "Point", "coordinates": list(INSIDE)}


def _report_resolved(idea) -> bool:
    from moderation.models import Report

    return not Report.objects.filter(idea=idea, status="open").exists()


def _act(cell):
    from moderation import services

    idea = cell.idea()
    services.report_create(reporter=cell.someone(), target=idea, reason="spam")
    cell.state = idea
    return reverse("moderation:act"), {"action": "keep", "items": [f"idea:{idea.pk}"]}


def _api_act(cell):
    url, data = _act(cell)
    return reverse("moderation-actions"), data


def _block(cell):
    from moderation.models import Block

    block = Block.objects.create(
        user=cell.someone(),
        consultation=cell.consultation,
        until=timezone.now() + timedelta(days=3),
        reason="Flooding",
        created_by=cell.people["administrator"],
    )
    cell.state = block
    return reverse("moderation:lift_block", args=[block.pk]), {"note": "Calmer now"}


def _appeal(cell):
    from moderation import services

    author = cell.someone()
    idea = cell.idea(author=author)
    services.item_hide(actor=cell.people["administrator"], target=idea, public_reason="spam")
    appeal = services.appeal_create(author=author, target=idea, text="Please look again")
    cell.state = appeal
    return reverse("moderation:appeal_decide", args=[appeal.pk]), {
        "decision": "accept",
        "note": "Ok",
    }


def _decided(appeal) -> bool:
    appeal.refresh_from_db()
    return appeal.status != "open"


def _plan_layer(cell):
    from consultations.models import PlanLayer

    return PlanLayer.objects.create(consultation=cell.consultation, name="Tunnel")


def _map_service(cell):
    from consultations.models import MapService

    return MapService.objects.create(
        consultation=cell.consultation,
        name="Plan map",
        url="https://wms.example.org/wms",
        layers="plan",
        attribution="Kommune",
    )


def _draft(cell):
    cell.consultation.status = "draft"
    cell.consultation.save(update_fields=["status"])
    return cell.consultation


def _supported(cell):
    """An idea the actor supports (the anonymous: someone else does)."""
    from ideas.models import Support

    idea = cell.idea(support_count=1)
    Support.objects.create(idea=idea, user=cell.own(), consultation=cell.consultation)
    return idea


def _own_hidden(cell):
    from moderation import services

    idea = cell.idea(author=cell.own())
    services.item_hide(actor=cell.people["administrator"], target=idea, public_reason="spam")
    return idea


def _edit_item(cell):
    idea = cell.idea(description="Call 12 34 56 78")
    cell.state = idea
    return reverse("moderation:item", args=["idea", idea.pk]), {
        "form": "edit",
        "title": idea.title,
        "text": "Call [removed]",
        "note": "Personal data",
    }


def _edited(cell) -> bool:
    cell.state.refresh_from_db()
    return cell.state.description == "Call [removed]"


def _channel(cell):
    from social.models import Channel

    channel = Channel(platform="mastodon", name="Harbour", base_url="https://social.example")
    channel.credentials = {"access_token": "x"}
    channel.save()
    return channel


def _post(cell, author=None):
    from social.models import PostState, SocialPost

    return SocialPost.objects.create(
        consultation=cell.consultation,
        channel=_channel(cell),
        text="Tell us your idea",
        state=PostState.AWAITING_APPROVAL,
        created_by=author or factories.PlannerFactory(),
    )


def _imported_comment(cell):
    from social.models import ImportedComment

    post = _post(cell)
    return ImportedComment.objects.create(
        post=post, platform="mastodon", remote_id="c1", author_name="Someone", text="Nice"
    )


def _own_token(cell):
    from civic import services

    owner = cell.own()
    if owner.role == "resident":  # a resident holds no token of the back office's: someone's
        owner = factories.PlannerFactory()
    token, _key = services.api_token_create(actor=owner, name="Integration")
    cell.state = token
    return reverse("backoffice:token_revoke", args=[token.pk]), {}


def _revoked(cell) -> bool:
    cell.state.refresh_from_db()
    return cell.state.revoked_at is not None


def _answer_template(cell):
    from ideas.models import AnswerTemplate

    template = AnswerTemplate.objects.create(
        consultation=cell.consultation, title="Thanks", body="Thank you"
    )
    cell.state = template
    return template


def _template_title(cell) -> str:
    return f"Thanks, {cell.role} in {cell.scope}"


def _template_saved(cell) -> bool:
    from ideas.models import AnswerTemplate

    return AnswerTemplate.objects.filter(title=_template_title(cell)).exists()


def _template_gone(cell) -> bool:
    from ideas.models import AnswerTemplate

    return not AnswerTemplate.objects.filter(pk=cell.state.pk).exists()


def _role_changed(cell) -> bool:
    cell.state.refresh_from_db()
    return cell.state.role == "planner"


def _someone_to_promote(cell):
    cell.state = cell.someone()
    return reverse("backoffice:user_role", args=[cell.state.pk]), {"role": "planner"}


def _map_survey(cell):
    """The cell's consultation as a map survey with one line question."""
    from consultations.models import MapQuestion

    cell.consultation.kind = "map_survey"
    cell.consultation.save(update_fields=["kind"])
    return MapQuestion.objects.create(consultation=cell.consultation, kind="line", prompt="Route")


SURVEY_LINE = {"type": "LineString", "coordinates": [[12.5940, 55.6790], [12.5960, 55.6800]]}


def _drawn_answer(cell, author=None):
    from consultations.models import DrawnAnswer

    question = _map_survey(cell)
    answer = DrawnAnswer.objects.create(
        question=question,
        consultation=cell.consultation,
        author=author or cell.someone(),
        geometry=json.dumps(SURVEY_LINE),
        longitude=12.595,
        latitude=55.6795,
    )
    cell.state = answer
    return answer


def _answer_gone(cell) -> bool:
    from consultations.models import DrawnAnswer

    return not DrawnAnswer.objects.filter(pk=cell.state.pk).exists()


def _answered(cell) -> bool:
    from consultations.models import DrawnAnswer

    return DrawnAnswer.objects.filter(consultation=cell.consultation).exists()


def _survey_answer(cell):
    question = _map_survey(cell)
    url = reverse("consultations:survey-answer", args=[cell.consultation.slug, question.pk])
    return url, {"action": "send", f"q{question.pk}-geometry": json.dumps(SURVEY_LINE)}


def _survey_slug(cell) -> str:
    _map_survey(cell)
    return cell.consultation.slug


def _question_url(cell, name):
    question = _map_survey(cell)
    cell.state = question
    return reverse(name, args=[cell.consultation.slug, question.pk])


IDEA_FORM = {
    "title": "A bench by the water",
    "description": "Somewhere to sit.",
    "longitude": INSIDE[0],
    "latitude": INSIDE[1],
    "address_label": "",
}

MATRIX: dict[tuple[str, str], Row] = {
    # Consultations
    ("consultations:create", "post"): Row(consultation_creators, lambda c: (reverse("consultations:create"), {})),
    ("consultations:edit", "post"): Row(managers, lambda c: (reverse("consultations:edit", args=[c.consultation.slug]), {})),
    ("consultations:publish", "post"): Row(managers, lambda c: (reverse("consultations:publish", args=[_draft(c).slug]), {})),
    ("consultations:close", "post"): Row(managers, lambda c: (reverse("consultations:close", args=[c.consultation.slug]), {})),
    ("consultations:results", "post"): Row(managers, lambda c: (reverse("consultations:results", args=[c.consultation.slug]), {"results": "Done"})),
    ("consultations:plan-layers", "post"): Row(managers, lambda c: (reverse("consultations:plan-layers", args=[c.consultation.slug]), {})),
    ("consultations:plan-layer-edit", "post"): Row(managers, lambda c: (reverse("consultations:plan-layer-edit", args=[c.consultation.slug, _plan_layer(c).pk]), {"name": "Renamed"})),
    ("consultations:plan-layer-move", "post"): Row(managers, lambda c: (reverse("consultations:plan-layer-move", args=[c.consultation.slug, _plan_layer(c).pk]), {"direction": "up"})),
    ("consultations:plan-layer-delete", "post"): Row(managers, lambda c: (reverse("consultations:plan-layer-delete", args=[c.consultation.slug, _plan_layer(c).pk]), {}), effect=lambda c: not c.consultation.plan_layers.exists()),
    ("consultations:map-service-create", "post"): Row(managers, lambda c: (reverse("consultations:map-service-create", args=[c.consultation.slug]), {})),
    ("consultations:map-service-wmts", "post"): Row(managers, lambda c: (reverse("consultations:map-service-wmts", args=[c.consultation.slug]), {})),
    ("consultations:map-service-edit", "post"): Row(managers, lambda c: (reverse("consultations:map-service-edit", args=[c.consultation.slug, _map_service(c).pk]), {"name": "Renamed"})),
    ("consultations:map-service-delete", "post"): Row(managers, lambda c: (reverse("consultations:map-service-delete", args=[c.consultation.slug, _map_service(c).pk]), {}), effect=lambda c: not c.consultation.map_services.exists()),
    ("api-consultation-list", "post"): Row(consultation_creators, lambda c: (reverse("api-consultation-list"), {}), api=True),
    ("api-consultation-detail", "patch"): Row(managers, lambda c: (reverse("api-consultation-detail", args=[c.consultation.slug]), {"summary": "New"}), api=True),
    ("api-consultation-publish", "post"): Row(managers, lambda c: (reverse("api-consultation-publish", args=[_draft(c).slug]), {}), api=True),
    ("api-consultation-close", "post"): Row(managers, lambda c: (reverse("api-consultation-close", args=[c.consultation.slug]), {}), api=True),
    ("api-consultation-results", "post"): Row(managers, lambda c: (reverse("api-consultation-results", args=[c.consultation.slug]), {"results": "Done"}), api=True),
    # Map surveys
    ("consultations:map-questions", "post"): Row(managers, lambda c: (reverse("consultations:map-questions", args=[_survey_slug(c)]), {"question-prompt": "Route", "question-kind": "line", "question-max_answers": 2})),
    ("consultations:map-question-edit", "post"): Row(managers, lambda c: (_question_url(c, "consultations:map-question-edit"), {"prompt": "Renamed", "kind": "line", "max_answers": 2})),
    ("consultations:map-question-move", "post"): Row(managers, lambda c: (_question_url(c, "consultations:map-question-move"), {"direction": "up"})),
    ("consultations:map-question-delete", "post"): Row(managers, lambda c: (_question_url(c, "consultations:map-question-delete"), {}), effect=lambda c: not c.consultation.map_questions.exists()),
    ("consultations:drawn-answer-hide", "post"): Row(managers, lambda c: (reverse("consultations:drawn-answer-hide", args=[c.consultation.slug, _drawn_answer(c).pk]), {"reason": "spam"}), effect=lambda c: c.consultation.drawn_answers.filter(is_hidden=True).exists()),
    ("consultations:survey-answer", "post"): Row(participants, _survey_answer, effect=_answered),
    ("consultations:survey-answer-delete", "post"): Row(signed_in, lambda c: (reverse("consultations:survey-answer-delete", args=[c.consultation.slug, _drawn_answer(c, c.own()).pk]), {}), effect=_answer_gone),
    ("api-drawn-answer-create", "post"): Row(participants, lambda c: (reverse("api-drawn-answer-create", args=[c.consultation.slug, _map_survey(c).pk]), {"geometry": SURVEY_LINE}), api=True, effect=_answered),
    ("api-own-answer-delete", "delete"): Row(signed_in, lambda c: (reverse("api-own-answer-delete", args=[c.consultation.slug, _drawn_answer(c, c.own()).pk]), {}), api=True, effect=_answer_gone),
    # Ideas (visitors may submit with their e-mail address, so the form is open to them)
    ("ideas:create", "post"): Row(lambda r, s: r == "anonymous" or participants(r, s), lambda c: (reverse("ideas:create", args=[c.consultation.slug]), IDEA_FORM)),
    ("ideas:edit", "post"): Row(participants, lambda c: (reverse("ideas:edit", args=[c.idea(author=c.own()).reference]), IDEA_FORM)),
    ("ideas:withdraw", "post"): Row(participants, lambda c: (reverse("ideas:withdraw", args=[c.idea(author=c.own()).reference]), {})),
    ("ideas:support", "post"): Row(participants, lambda c: (reverse("ideas:support", args=[c.idea().reference]), {})),
    ("ideas:answer", "post"): Row(managers, lambda c: (reverse("ideas:answer", args=[c.idea().reference]), {"status": "accepted", "answer": "Yes"})),
    ("ideas:follow", "post"): Row(signed_in, lambda c: (reverse("ideas:follow", args=[c.idea().reference]), {})),
    ("ideas:follow_consultation", "post"): Row(signed_in, lambda c: (reverse("ideas:follow_consultation", args=[c.consultation.slug]), {})),
    ("ideas:approve", "post"): Row(managers, lambda c: (reverse("ideas:approve", args=[c.idea(publication="pending_moderation").reference]), {})),
    ("ideas:answer_templates", "post"): Row(managers, lambda c: (reverse("ideas:answer_templates", args=[c.consultation.slug]), {"title": "Thanks", "status": "accepted", "body": "Thank you"})),
    ("api-consultation-ideas", "post"): Row(participants, lambda c: (reverse("api-consultation-ideas", args=[c.consultation.slug]), {"title": "A bench", "description": "To sit.", "location": _point()}), api=True),
    ("api-idea", "patch"): Row(participants, lambda c: (reverse("api-idea", args=[c.idea(author=c.own()).pk]), {"title": "Edited"}), api=True),
    ("api-idea", "delete"): Row(participants, lambda c: (reverse("api-idea", args=[c.idea(author=c.own()).pk]), None), api=True),
    ("api-idea-support", "post"): Row(participants, lambda c: (reverse("api-idea-support", args=[c.idea().pk]), None), api=True),
    ("api-idea-support", "delete"): Row(participants, lambda c: (reverse("api-idea-support", args=[_supported(c).pk]), None), api=True),
    ("api-idea-status", "post"): Row(managers, lambda c: (reverse("api-idea-status", args=[c.idea().pk]), {"status": "accepted", "answer": "Yes"}), api=True),
    ("api-idea-follow", "post"): Row(signed_in, lambda c: (reverse("api-idea-follow", args=[c.idea().pk]), None), api=True),
    ("api-idea-follow", "delete"): Row(signed_in, lambda c: (reverse("api-idea-follow", args=[c.idea().pk]), None), api=True),
    # Debate
    ("debate:topic_comment", "post"): Row(participants, lambda c: (reverse("debate:topic_comment", args=[c.topic().pk]), {"body": "For.", "stance": "for"})),
    ("debate:poll_answer", "post"): Row(participants, lambda c: _poll(c, reverse_name="debate:poll_answer")),
    ("debate:topic_edit", "post"): Row(managers, lambda c: (reverse("debate:topic_edit", args=[c.topic().pk]), {"title": "T", "introduction": "I"})),
    ("debate:topic_create", "post"): Row(managers, lambda c: (reverse("debate:topic_create", args=[c.consultation.slug]), {"title": "T", "introduction": "I"})),
    ("debate:idea_comment", "post"): Row(participants, lambda c: (reverse("debate:idea_comment", args=[c.idea().pk]), {"body": "Good."})),
    ("debate:comment_edit", "post"): Row(participants, lambda c: (reverse("debate:comment_edit", args=[c.comment(author=c.own()).pk]), {"body": "Edited."})),
    ("debate:comment_delete", "post"): Row(participants, lambda c: (reverse("debate:comment_delete", args=[c.comment(author=c.own()).pk]), {})),
    ("debate:comment_vote", "post"): Row(participants, lambda c: (reverse("debate:comment_vote", args=[c.comment().pk]), {"value": "1"}), effect=lambda c: _voted(c)),
    ("debate:comment_official", "post"): Row(managers, lambda c: (reverse("debate:comment_official", args=[c.comment(author=c.own()).pk]), {"official": "1"})),
    ("api-topic-comments", "post"): Row(participants, lambda c: (reverse("api-topic-comments", args=[c.topic().pk]), {"body": "For.", "stance": "for"}), api=True),
    ("api-idea-comments", "post"): Row(participants, lambda c: (reverse("api-idea-comments", args=[c.idea().pk]), {"body": "Good."}), api=True),
    ("api-comment", "patch"): Row(participants, lambda c: (reverse("api-comment", args=[c.comment(author=c.own()).pk]), {"body": "Edited."}), api=True),
    ("api-comment", "delete"): Row(participants, lambda c: (reverse("api-comment", args=[c.comment(author=c.own()).pk]), None), api=True),
    ("api-comment-vote", "post"): Row(participants, lambda c: (reverse("api-comment-vote", args=[c.comment().pk]), {"value": 1}), api=True),
    ("api-comment-official", "post"): Row(managers, lambda c: (reverse("api-comment-official", args=[c.comment(author=c.own()).pk]), {"official": True}), api=True),
    ("api-topic-poll", "post"): Row(participants, lambda c: _poll(c, reverse_name="api-topic-poll"), api=True),
    # Moderation
    ("moderation:act", "post"): Row(managers, _act, effect=lambda c: _report_resolved(c.state)),
    ("moderation:item", "post"): Row(managers, _edit_item, effect=_edited),
    ("moderation:lift_block", "post"): Row(managers, _block, effect=lambda c: _lifted(c.state)),
    ("moderation:report", "post"): Row(participants, lambda c: (reverse("moderation:report", args=["idea", c.idea().pk]), {"reason": "spam", "text": "", "started": started()}), effect=lambda c: _reported(c)),
    ("moderation:appeal", "post"): Row(signed_in, lambda c: (reverse("moderation:appeal", args=["idea", _own_hidden(c).pk]), {"text": "Please look again"})),
    ("moderation:appeal_decide", "post"): Row(managers, _appeal, effect=lambda c: _decided(c.state)),
    ("moderation:delete_account", "post"): Row(signed_in, lambda c: (reverse("moderation:delete_account"), {})),
    ("moderation-report", "post"): Row(participants, lambda c: (reverse("moderation-report"), {"target_type": "idea", "target_id": c.idea().pk, "reason": "spam"}), api=True),
    ("moderation-actions", "post"): Row(managers, _api_act, effect=lambda c: _report_resolved(c.state), api=True),
    ("moderation-appeals", "post"): Row(signed_in, lambda c: (reverse("moderation-appeals"), {"target_type": "idea", "target_id": _own_hidden(c).pk, "text": "Please"}), api=True),
    # Accounts
    ("civic:profile", "post"): Row(signed_in, lambda c: (reverse("civic:profile"), {"display_name": "Me", "notification_frequency": "immediately"})),
    ("profile_legacy", "post"): Row(signed_in, lambda c: (reverse("profile_legacy"), {"display_name": "Me", "notification_frequency": "immediately"})),
    # Social media
    ("social:channels", "post"): Row(administrators, lambda c: (reverse("social:channels"), {})),
    ("social:channel_remove", "post"): Row(administrators, lambda c: (reverse("social:channel_remove", args=[_channel(c).pk]), {})),
    ("social:channel_reauthorise", "post"): Row(administrators, lambda c: (reverse("social:channel_reauthorise", args=[_channel(c).pk]), {})),
    ("social:oauth_start", "post"): Row(administrators, lambda c: (reverse("social:oauth_start"), {"platform": "mastodon"})),
    ("social:oauth_choose_page", "post"): Row(administrators, lambda c: (reverse("social:oauth_choose_page"), {})),
    ("social:crisis_stop", "post"): Row(staff_roles, lambda c: (reverse("social:crisis_stop"), {"reason": "Storm"})),
    ("social:compose", "post"): Row(staff_roles, lambda c: (reverse("social:compose"), {})),
    ("social:composer", "post"): Row(managers, lambda c: (reverse("social:composer", args=[c.consultation.slug]), {})),
    ("social:post_action", "post"): Row(managers, lambda c: (reverse("social:post_action", args=[_post(c).pk, "approve"]), {})),
    ("social:post_reschedule", "post"): Row(managers, lambda c: (reverse("social:post_reschedule", args=[_post(c).pk]), {"date": (timezone.localdate() + timedelta(days=2)).isoformat(), "time": "10:00"})),
    ("social:comment_visibility", "post"): Row(managers, lambda c: (reverse("social:comment_visibility", args=[_imported_comment(c).pk]), {"hidden": "1"})),
    ("social:inbox_action", "post"): Row(managers, lambda c: (reverse("social:inbox_action", args=[_imported_comment(c).pk, "answered"]), {})),
    ("social:inbox_site_action", "post"): Row(managers, lambda c: (reverse("social:inbox_site_action", args=[c.comment().pk, "answered"]), {})),
    ("social:check", "post"): Row(staff_roles, lambda c: (reverse("social:check"), {"text": "Hello", "channel": _channel(c).pk})),
    ("api-consultation-selection", "post"): Row(map_analysts, lambda c: (reverse("api-consultation-selection", args=[c.consultation.slug]), {"bbox": "12.59,55.67,12.60,55.69"}), api=True),
    ("api-social-channels", "post"): Row(administrators, lambda c: (reverse("api-social-channels"), {}), api=True),
    ("api-social-posts", "post"): Row(managers, lambda c: (reverse("api-social-posts", args=[c.consultation.slug]), {"channel": _channel(c).pk, "text": "Hello"}), api=True),
    ("api-social-post-approve", "post"): Row(managers, lambda c: (reverse("api-social-post-approve", args=[_post(c).pk]), None), api=True),
    ("api-social-post-send-back", "post"): Row(managers, lambda c: (reverse("api-social-post-send-back", args=[_post(c).pk]), {"note": "Say when it opens"}), api=True),
    ("api-social-post-reschedule", "post"): Row(managers, lambda c: (reverse("api-social-post-reschedule", args=[_post(c).pk]), {"scheduled_at": (timezone.now() + timedelta(days=2)).isoformat()}), api=True),
    ("api-social-inbox-action", "post"): Row(managers, lambda c: (reverse("api-social-inbox-action", args=["site", c.comment().pk, "answered"]), {}), api=True),
    ("api-social-crisis-stop", "post"): Row(staff_roles, lambda c: (reverse("api-social-crisis-stop"), {"reason": "Storm"}), api=True),
    ("api-social-crisis-stop", "delete"): Row(staff_roles, lambda c: (reverse("api-social-crisis-stop"), None), api=True),
    # Back office
    ("backoffice:user_role", "post"): Row(administrators, _someone_to_promote, effect=_role_changed),
    ("backoffice:tokens", "post"): Row(token_holders, lambda c: (reverse("backoffice:tokens"), {"name": "Integration"})),
    ("backoffice:token_revoke", "post"): Row(token_holders, _own_token, effect=_revoked),
    ("backoffice:settings", "post"): Row(administrators, lambda c: (reverse("backoffice:settings"), {"name": "Harbourtown"})),
    ("ideas_staff:answer_template_create", "post"): Row(managers, lambda c: (reverse("ideas_staff:answer_template_create"), {"consultation": c.consultation.pk, "title": _template_title(c), "body": "Thank you"}), effect=_template_saved),
    ("ideas_staff:answer_template_edit", "post"): Row(managers, lambda c: (reverse("ideas_staff:answer_template_edit", args=[_answer_template(c).pk]), {"title": _template_title(c), "body": "Thank you"}), effect=_template_saved),
    ("ideas_staff:answer_template_delete", "post"): Row(managers, lambda c: (reverse("ideas_staff:answer_template_delete", args=[_answer_template(c).pk]), {}), effect=_template_gone),
}  # fmt: skip


def _poll(cell, *, reverse_name):
    topic = cell.topic(poll=True)
    option = topic.poll_options.first()
    if reverse_name.startswith("api-"):
        return reverse(reverse_name, args=[topic.pk]), {"options": [option.pk]}
    return reverse(reverse_name, args=[topic.pk]), {"options": [option.pk]}


def _voted(cell) -> bool:
    from debate.models import CommentVote

    return CommentVote.objects.filter(user=cell.actor).exists() if cell.actor else False


def _reported(cell) -> bool:
    from moderation.models import Report

    return Report.objects.filter(reporter=cell.actor).exists() if cell.actor else False


def _lifted(block) -> bool:
    block.refresh_from_db()
    return block.lifted_at is not None


# --- Discovery --------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None, source=""):
    """(route, name, callback) of every pattern; `source` is the URL conf module it came from."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            conf = pattern.urlconf_name
            module = conf if isinstance(conf, str) else getattr(conf, "__name__", source)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, module)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern.callback, source


def _method_name(value) -> bool:
    return isinstance(value, str) and value.isupper()


def _declared_methods(callback) -> set[str] | None:
    """The write methods a view declares: a class view's handlers, or the list given to
    require_http_methods / require_POST. None when the view does not say (accepts any)."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is not None:
        return {m for m in WRITE_METHODS if hasattr(view_class, m)}
    function = callback
    while function is not None:
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value and all(_method_name(v) for v in value):
                return {v.lower() for v in value} & set(WRITE_METHODS)
        function = getattr(function, "__wrapped__", None)
    return None


def _left_out(route: str, name: str, source: str) -> bool:
    if name in NOT_IN_MATRIX or any(route.startswith(p) for p in ("admin/", "^media/")):
        return True
    # allauth's own URL confs are included under accounts/, beside ours (accounts/profile/).
    return source.startswith("allauth")


def write_endpoints() -> dict[tuple[str, str], str]:
    """(route name, method) -> route, for every write the URL conf offers."""
    found = {}
    for route, name, callback, source in _walk(get_resolver().url_patterns):
        if _left_out(route, name, source):
            continue
        methods = _declared_methods(callback)
        if methods is None:
            if name in READ_ONLY:
                continue
            methods = {"post"}
        for method in methods:
            found[(name or route, method)] = route
    return found


def test_every_write_endpoint_is_in_the_matrix():
    endpoints = write_endpoints()
    missing = sorted(f"{m.upper()} {route} ({name})" for (name, m), route in endpoints.items()
                     if (name, m) not in MATRIX)  # fmt: skip
    assert not missing, "write endpoints without a row in the matrix:\n" + "\n".join(missing)
    stale = sorted(f"{m.upper()} {name}" for name, m in MATRIX if (name, m) not in endpoints)
    assert not stale, "rows for endpoints that no longer exist:\n" + "\n".join(stale)


def test_read_only_views_do_not_read_posted_data():
    """A view counted as read-only must not look at POST data; when it starts to, it is a write
    endpoint and needs a row."""
    import inspect

    views = {name: callback for _, name, callback, _ in _walk(get_resolver().url_patterns)}
    for name in sorted(READ_ONLY):
        source = inspect.getsource(inspect.unwrap(views[name]))
        assert "POST" not in source and "request.data" not in source, name


def test_discovery_finds_writes_of_each_kind():
    """The walk sees class views, decorated functions and views that accept any method."""
    endpoints = write_endpoints()
    assert ("api-idea", "delete") in endpoints  # a DRF view
    assert ("ideas:support", "post") in endpoints  # require_POST
    assert ("ideas:create", "post") in endpoints  # accepts any method
    assert not any(name == "ideas:detail" for name, _ in endpoints)


# --- The matrix -------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    from .conftest import block

    limited = factories.PlannerFactory(limited_to_assigned=True)
    return {
        "anonymous": None,
        "resident": factories.UserFactory(),
        "blocked_site": block(factories.UserFactory()),
        "blocked_consultation": factories.UserFactory(),
        "planner": factories.PlannerFactory(),
        "limited_planner": limited,
        "councillor": factories.CouncillorFactory(),
        "administrator": factories.AdministratorFactory(),
    }


def _cell(role: str, scope: str, people: dict) -> Cell:
    from consultations.models import Consultation
    from moderation.models import Block

    # Each consultation its own reference prefix, as planners give them (CPH, HAR, ...).
    consultation = factories.ConsultationFactory(
        reference_prefix=f"T{Consultation.objects.count()}"
    )
    if scope == "this":
        Block.objects.create(
            user=people["blocked_consultation"],
            consultation=consultation,
            until=timezone.now() + timedelta(days=7),
            reason="Flooding",
            created_by=people["administrator"],
        )
    else:
        consultation.planners.add(people["limited_planner"])
    return Cell(role, scope, people[role], consultation, people)


def _clients(actor, api: bool):
    if actor is None:
        yield "anonymous", Client()
        return
    session = Client()
    session.force_login(actor)
    yield "session", session
    if api:
        yield "token", token_client(actor)


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.get("Location", "")
    return response.status_code in (301, 302) and "/accounts/login/" in location


def _send(client, method: str, url: str, data, api: bool):
    if api:
        body = json.dumps(data) if data is not None else ""
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, data or {})


# The consultation of the object matters to the two roles whose rights depend on it; the others
# are tried on one consultation, which keeps the matrix fast.
SCOPES = dict.fromkeys(ROLES, ("this",)) | {
    "blocked_consultation": ("this", "another"),
    "limited_planner": ("this", "another"),
}


@pytest.mark.parametrize(("name", "method"), sorted(MATRIX))
def test_matrix(name, method, people, settings):
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "1000/h")
    row = MATRIX[(name, method)]
    wrong = []
    for role in ROLES:
        for scope in SCOPES[role]:
            expected = row.who(role, scope)
            for channel, client in _clients(people[role], row.api):
                cell = _cell(role, scope, people)
                url, data = row.call(cell)
                response = _send(client, method, url, data, row.api)
                assert response.status_code < 500, f"{role} {scope} {channel}: server error"
                done = row.effect(cell) if row.effect else not _refused(response)
                if done != expected:
                    wrong.append(
                        f"{role:21} {scope:8} {channel:9} answered {response.status_code}: "
                        f"{'done' if done else 'refused'}, expected "
                        f"{'done' if expected else 'refused'}"
                    )
    assert not wrong, f"{method.upper()} {name}:\n" + "\n".join(wrong)


# --- Ids of one consultation in a request about another ------------------------------------------


def test_ids_from_another_consultation_are_refused(people):
    """A reply's parent, a duplicate, a category or a moderated item from elsewhere."""
    from ideas.models import Idea
    from moderation import services as moderation
    from moderation.models import Report

    here = _cell("planner", "another", people)
    elsewhere = _cell("planner", "this", people)
    resident = token_client(people["resident"])
    foreign_comment = elsewhere.comment()
    idea = here.idea()

    reply = resident.post(
        reverse("api-idea-comments", args=[idea.pk]),
        {"body": "Reply", "parent": foreign_comment.pk},
        content_type="application/json",
    )
    assert reply.status_code == 400, reply.content

    page = Client()
    page.force_login(people["resident"])
    form_reply = page.post(
        reverse("debate:idea_comment", args=[idea.pk]),
        {"body": "Reply", "parent": foreign_comment.pk},
    )
    assert form_reply.status_code == 400

    planner = token_client(people["planner"])
    duplicate = planner.post(
        reverse("api-idea-status", args=[idea.pk]),
        {"status": "merged", "answer": "Same", "duplicate_of": elsewhere.idea().pk},
        content_type="application/json",
    )
    assert duplicate.status_code == 400, duplicate.content

    foreign_category = factories.CategoryFactory(consultation=elsewhere.consultation)
    submitted = resident.post(
        reverse("api-consultation-ideas", args=[here.consultation.slug]),
        {"title": "A", "description": "B", "location": _point(), "category": foreign_category.pk},
        content_type="application/json",
    )
    assert submitted.status_code == 400, submitted.content
    assert not Idea.objects.filter(title="A").exists()

    # The limited planner is assigned to `here`; an item of `elsewhere` in the same request
    # is refused while the item of `here` is acted on.
    mine, foreign = here.idea(), elsewhere.idea()
    for target in (mine, foreign):
        moderation.report_create(reporter=factories.UserFactory(), target=target, reason="spam")
    limited = token_client(people["limited_planner"])
    limited.post(
        reverse("moderation-actions"),
        {"action": "keep", "items": [f"idea:{mine.pk}", f"idea:{foreign.pk}"]},
        content_type="application/json",
    )
    assert not Report.objects.filter(idea=mine, status="open").exists()
    assert Report.objects.filter(idea=foreign, status="open").exists()


# --- Staff without two-factor authentication ------------------------------------------------------

STAFF_API_ROWS = sorted(
    key
    for key, row in MATRIX.items()
    if row.api and not row.who("resident", "this") and row.who("planner", "this")
)


@pytest.mark.parametrize(("name", "method"), STAFF_API_ROWS)
def test_staff_without_two_factor_cannot_write_with_a_token(name, method, people, settings):
    """With REQUIRE_STAFF_2FA a planner must set up TOTP before any staff action: a token is
    no way around it, and the session is sent to the set-up page."""
    settings.REQUIRE_STAFF_2FA = True
    row = MATRIX[(name, method)]
    cell = _cell("planner", "this", people)
    url, data = row.call(cell)
    response = _send(token_client(people["planner"]), method, url, data, api=True)
    done = row.effect(cell) if row.effect else not _refused(response)
    assert not done, f"{method.upper()} {name} answered {response.status_code} to a token"


def test_staff_with_two_factor_write_with_a_token(people, settings):
    from allauth.mfa.models import Authenticator

    settings.REQUIRE_STAFF_2FA = True
    Authenticator.objects.create(user=people["planner"], type=Authenticator.Type.TOTP, data={})
    row = MATRIX[("api-idea-status", "post")]
    cell = _cell("planner", "this", people)
    url, data = row.call(cell)
    response = _send(token_client(people["planner"]), "post", url, data, api=True)
    assert response.status_code == 200, response.content
