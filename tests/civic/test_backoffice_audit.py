"""Back office: the audit log, filtered, paginated and downloadable as CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civic.audit import audit_record
from civic.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

AUDIT = reverse("backoffice:audit")
CSV = reverse("backoffice:audit_csv")


@pytest.fixture
def log(planner):
    idea = factories.IdeaFactory(title="Harbour bath")
    resident = factories.UserFactory()
    audit_record(actor=planner, action="idea.status", target=idea, reason="Good idea")
    audit_record(actor=resident, action="idea.support", target=idea)
    audit_record(actor=planner, action="consultation.publish", target=idea.consultation)
    old = audit_record(actor=planner, action="idea.answer", target=idea, reason="=HYPERLINK(1)")
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {"idea": idea, "resident": resident, "planner": planner}


def _page(client, **query):
    response = client.get(AUDIT, query)
    return response, response.content.decode()


def test_labels_not_codes_and_private_actors_hidden(client, administrator, log):
    client.force_login(administrator)
    _response, page = _page(client)
    table = page.split("<tbody>")[1]
    assert "Status of an idea changed" in table and "idea.status" not in table
    assert "Idea supported" in page and "a participant" in page
    assert log["resident"].pseudonym_code not in page


def test_filter_by_action(client, administrator, log):
    client.force_login(administrator)
    _response, page = _page(client, action="consultation.publish")
    assert "Consultation published" in page and "Status of an idea changed</td>" not in page
    assert "1 entry." in page


def test_filter_by_actor_never_finds_a_private_act(client, administrator, log):
    client.force_login(administrator)
    _response, page = _page(client, actor=log["planner"].email)
    assert "3 entries." in page
    _response, page = _page(client, actor=log["resident"].pseudonym_code)
    assert "0 entries." in page and "Idea supported</td>" not in page


def test_filter_by_kind_and_dates(client, administrator, log):
    from django.contrib.contenttypes.models import ContentType

    client.force_login(administrator)
    kind = ContentType.objects.get(app_label="consultations", model="consultation")
    _response, page = _page(client, kind=kind.pk)
    assert "1 entry." in page
    today = timezone.localdate()
    _response, page = _page(client, date_from=str(today - timedelta(days=1)))
    assert "3 entries." in page
    _response, page = _page(client, date_to=str(today - timedelta(days=30)))
    assert "1 entry." in page and "Official answer given" in page


def test_dates_are_checked_with_a_readable_error(client, administrator, log):
    client.force_login(administrator)
    response, page = _page(client, date_from="2026-13-45")
    assert response.status_code == 400 and "Give a date as year-month-day" in page
    response, page = _page(client, date_from="2026-03-10", date_to="2026-03-01")
    assert response.status_code == 400 and "The end date is before the start date." in page
    response, page = _page(client, action="no.such")
    assert response.status_code == 400
    assert client.get(CSV, {"date_from": "yesterday"}).status_code == 400


def test_csv_is_the_filtered_view_with_formulas_defused(client, administrator, log):
    client.force_login(administrator)
    response = client.get(CSV, {"action": "idea.answer"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["When", "Who", "Action"]
    assert len(rows) == 2 and rows[1][2] == "Official answer given"
    assert rows[1][5] == "'=HYPERLINK(1)"
    everything = client.get(CSV).content.decode()
    assert log["resident"].pseudonym_code not in everything and "a participant" in everything


def test_councillors_read_the_log_planners_and_residents_do_not(client, councillor, log):
    client.force_login(councillor)
    assert client.get(AUDIT).status_code == 200
    assert client.get(CSV).status_code == 200
    for person in (factories.PlannerFactory(), factories.UserFactory()):
        client.force_login(person)
        assert client.get(AUDIT).status_code == 403
        assert client.get(CSV).status_code == 403


def test_the_log_is_paginated_in_a_fixed_number_of_queries(client, administrator, planner):
    idea = factories.IdeaFactory()
    client.force_login(administrator)
    client.get(AUDIT)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(AUDIT).status_code == 200
        return len(queries)

    for _ in range(2):
        audit_record(actor=planner, action="idea.status", target=idea)
    few = count()
    for _ in range(18):
        audit_record(actor=planner, action="idea.answer", target=factories.UserFactory())
    assert count() == few
    for _ in range(40):
        audit_record(actor=planner, action="idea.status", target=idea)
    page = client.get(AUDIT).content.decode()
    assert "Page 1 of 2" in page
