"""On PostgreSQL a support is one statement (block, support limit, row, counter, audit entry);
elsewhere it goes step by step. Both must refuse in the same order with the same words, the
rules' own, and store the same things.

The comparison runs where the statement exists (PostgreSQL); the step-by-step path, which every
database runs, is checked against the rules' words everywhere.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone, translation

from civic.blocks import require_not_blocked
from civic.models import AuditEntry
from ideas import services
from ideas.models import Idea, Support
from tests.factories import ConsultationFactory, IdeaFactory, UserFactory

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement support is PostgreSQL's"
)


def _block(person, consultation, *, days=None, lifted=False):
    from moderation.models import Block

    return Block.objects.create(
        user=person,
        consultation=consultation,
        until=timezone.now() + timedelta(days=days) if days else None,
        reason="Posted the same advert forty times",
        lifted_at=timezone.now() if lifted else None,
    )


def _situation(name):
    """(person, idea, supports already given) for a named situation."""
    consultation = ConsultationFactory(support_limit=2 if "limit" in name else None)
    if name == "limit of one used":
        consultation.support_limit = 1
        consultation.save()
    idea = IdeaFactory(consultation=consultation)
    person = UserFactory()
    if name == "blocked here until a date":
        _block(person, consultation, days=3)
    elif name == "blocked on the whole site":
        _block(person, None)
    elif name == "block lifted":
        _block(person, consultation, lifted=True)
    elif name == "blocked elsewhere":
        _block(person, ConsultationFactory())
    elif name == "block ended":
        block = _block(person, consultation, days=1)
        type(block).objects.filter(pk=block.pk).update(until=timezone.now() - timedelta(hours=1))
    elif name == "already supports":
        services.idea_support(user=person, idea=idea)
    elif name in ("limit used", "limit of one used"):
        for other in IdeaFactory.create_batch(
            consultation.support_limit, consultation=consultation
        ):
            services.idea_support(user=person, idea=other)
    elif name == "limit used and already supports":
        services.idea_support(user=person, idea=idea)
        services.idea_support(user=person, idea=IdeaFactory(consultation=consultation))
    elif name == "limit not used up":
        services.idea_support(user=person, idea=IdeaFactory(consultation=consultation))
    return person, Idea.objects.select_related("consultation").get(pk=idea.pk)


SITUATIONS = [
    "may support",
    "blocked here until a date",
    "blocked on the whole site",
    "block lifted",
    "blocked elsewhere",
    "block ended",
    "already supports",
    "limit used",
    "limit of one used",
    "limit used and already supports",
    "limit not used up",
]
REFUSED = {
    "blocked here until a date",
    "blocked on the whole site",
    "already supports",
    "limit used",
    "limit of one used",
    "limit used and already supports",
}


def _outcome(support, person, idea):
    """What a support does: its answer or its refusal, and what it stored."""
    rows_before = Support.objects.filter(user=person).count()
    audit_before = AuditEntry.objects.filter(action="idea.support", actor=person).count()
    try:
        answer = services.SupportState.__name__, support(person, idea)
    except PermissionDenied as refused:
        answer = "refused", str(refused)
    stored = (
        Support.objects.filter(user=person).count() - rows_before,
        AuditEntry.objects.filter(action="idea.support", actor=person).count() - audit_before,
        Idea.objects.get(pk=idea.pk).support_count,
    )
    return answer, stored


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("name", SITUATIONS)
def test_step_by_step_refuses_with_the_rules_words(name, language):
    person, idea = _situation(name)
    with translation.override(language):
        answer, stored = _outcome(services._support_step_by_step, person, idea)
        if name not in REFUSED:
            assert answer[0] == "SupportState"
            assert stored[:2] == (1, 1)
            return
        assert answer[0] == "refused"
        assert stored[:2] == (0, 0)
        if name.startswith("blocked"):
            with pytest.raises(PermissionDenied) as rule:
                require_not_blocked(person, idea.consultation)
            assert answer[1] == str(rule.value)
        elif name.startswith("limit"):
            assert answer[1] == services._limit_refusal(idea.consultation)
        else:
            assert answer[1] == services._already_supports()


@needs_postgresql
@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("name", SITUATIONS)
def test_one_statement_answers_as_the_step_by_step_path(name, language):
    """The same situation set up twice, once for each path: the same answer (reason or new
    state) and the same rows, counter and audit entries stored."""
    with translation.override(language):
        person, idea = _situation(name)
        by_statement = _outcome(services._support_in_one_statement, person, idea)
        person, idea = _situation(name)
        by_steps = _outcome(services._support_step_by_step, person, idea)
    assert by_statement == by_steps
    assert (by_statement[0][0] == "refused") == (name in REFUSED)


@needs_postgresql
def test_one_statement_writes_the_audit_entry_the_service_always_wrote():
    person, idea = _situation("may support")
    services._support_in_one_statement(person, idea)
    entry = AuditEntry.objects.get(action="idea.support", actor=person)
    person2, idea2 = _situation("may support")
    services._support_step_by_step(person2, idea2)
    expected = AuditEntry.objects.get(action="idea.support", actor=person2)
    fields = ("content_type_id", "object_id", "object_repr", "consultation_id", "reason", "changes")
    assert {f: getattr(entry, f) for f in fields} == {
        **{f: getattr(expected, f) for f in fields},
        "object_id": str(idea.pk),
        "object_repr": str(idea),
        "consultation_id": idea.consultation_id,
    }
    assert entry.actor_label == f"resident {person.pseudonym_code}"
    assert abs(entry.created_at - timezone.now()) < timedelta(minutes=1)


@needs_postgresql
def test_one_statement_supports_left_counts_down():
    person, idea = _situation("limit not used up")
    state = services._support_in_one_statement(person, idea)
    assert (state.support_count, state.viewer_supports, state.supports_left) == (1, True, 0)


@needs_postgresql
def test_a_block_lifted_after_the_statement_saw_it_leaves_the_decision_to_the_steps(monkeypatch):
    """The statement saw a block that the reason's lookup no longer finds (lifted in between):
    the service then decides step by step instead of refusing without a reason."""
    person, idea = _situation("blocked here until a date")
    from moderation.models import Block

    real = services.require_not_blocked

    def lifted_meanwhile(user, consultation):
        Block.objects.filter(user=user).update(lifted_at=timezone.now())
        return real(user, consultation)

    monkeypatch.setattr(services, "require_not_blocked", lifted_meanwhile)
    state = services.idea_support(user=person, idea=idea)
    assert state.support_count == 1
    assert Support.objects.filter(user=person, idea=idea).count() == 1


@pytest.mark.parametrize("site_wide", [False, True])
def test_a_new_block_refuses_the_very_next_support(settings, site_wide):
    """The worker kept the person's token and the consultation's rules, as in a storm; a block
    made meanwhile (on any worker) refuses the next support all the same, with its reason."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from civic.models import Role
    from moderation.services import user_block
    from tests.factories import api_key_for

    settings.CONSULTATION_RULES_SECONDS = 5
    settings.API_TOKEN_LOCAL_SECONDS = 60
    consultation = ConsultationFactory()
    ideas = IdeaFactory.create_batch(4, consultation=consultation)
    person = UserFactory()
    api = Client(HTTP_AUTHORIZATION=f"Token {api_key_for(person)}")
    for idea in ideas[:2]:
        assert api.post(f"/api/v1/ideas/{idea.pk}/support/").status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert api.post(f"/api/v1/ideas/{ideas[2].pk}/support/").status_code == 201
    # The idea, then the statement (PostgreSQL) or block, row, counter and audit entry.
    sent = [
        q["sql"]
        for q in queries
        if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))
    ]
    assert len(sent) == (2 if connection.vendor == "postgresql" else 5)
    user_block(
        actor=UserFactory(role=Role.ADMINISTRATOR),
        user=person,
        consultation=None if site_wide else consultation,
        days=3,
        reason="Posted the same advert forty times",
    )
    response = api.post(f"/api/v1/ideas/{ideas[3].pk}/support/")
    assert response.status_code == 403
    assert "blocked" in response.json()["detail"]
    assert "forty times" in response.json()["detail"]
    assert Support.objects.filter(user=person).count() == 3
