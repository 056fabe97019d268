"""API fuzzing in every `make test`: schemathesis generates requests from /api/schema/ and sends
them to the WSGI application in-process (no server), once as an anonymous visitor and once as a
planner signed in with a token (pointed at existing objects). Required, for every operation:

- no server error (5xx);
- the answer's status code is documented for the operation;
- its content type is documented for that status;
- its body conforms to the documented schema.

Bounded so that it fits in `make test` on a small machine: FUZZ_EXAMPLES generated cases per
operation (default 3), each sent twice, with a fixed seed (derandomize) so that a failure repeats.
`make bench` runs the long version (bench/fuzz.py, hundreds of cases per operation).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civic.wsgi import application
from tests import factories

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# bench/fuzz.py sets this to count what was sent and answered: one line per request.
TALLY = os.environ.get("FUZZ_TALLY")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def world(db, _keep_test_connection):
    """Something for the requests to find (a consultation with an idea, a topic with a poll and
    a comment): the path parameters that point at it, and a planner's token."""
    from debate.models import Comment
    from tests.factories import api_key_for

    consultation = factories.ConsultationFactory(slug="fuzz")
    idea = factories.IdeaFactory(consultation=consultation)
    topic = factories.TopicFactory(consultation=consultation)
    factories.PollOptionFactory(topic=topic)
    factories.PollOptionFactory(topic=topic)
    comment = Comment.objects.create(
        idea=idea, consultation=consultation, author=idea.author, body="Yes"
    )
    return {
        "token": api_key_for(factories.PlannerFactory()),
        "paths": {
            "/api/v1/comments/": {"id": comment.pk},
            "/api/v1/ideas/": {"id": idea.pk},
            "/api/v1/topics/": {"id": topic.pk},
            "/api/v1/consultations/": {"slug": consultation.slug},
        },
    }


def _at_real_objects(case, world) -> dict:
    """The case's path parameters pointed at the world's objects, so that the planner's request
    reaches the operation itself rather than its 404 (the visitor's keeps the generated ones)."""
    for prefix, parameters in world["paths"].items():
        if case.path.startswith(prefix):
            return {**(case.path_parameters or {}), **parameters}
    return case.path_parameters


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_answers_match_the_schema(case, world):
    generated = case.path_parameters
    for who, headers in (
        ("anonymous", {}),
        ("planner", {"Authorization": f"Token {world['token']}"}),
    ):
        case.path_parameters = generated if who == "anonymous" else _at_real_objects(case, world)
        response = case.call(headers=headers)
        if TALLY:
            with open(TALLY, "a") as tally:
                tally.write(f"{case.operation.label}\t{who}\t{response.status_code}\n")
        case.validate_response(response, checks=CHECKS)
