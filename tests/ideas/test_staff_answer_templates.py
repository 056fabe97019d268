"""Answer templates in the back office: every template of the consultations a planner runs, in
one list; the official answer form offers what is made here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civic.models import AuditEntry
from ideas.models import AnswerTemplate
from tests import factories

from .factories import AnswerTemplateFactory

pytestmark = pytest.mark.django_db

LIST = reverse("ideas_staff:answer_templates")
NEW = reverse("ideas_staff:answer_template_create")


def test_a_planner_makes_a_template_the_answer_form_offers(client, planner, consultation):
    client.force_login(planner)
    response = client.post(
        NEW,
        {
            "consultation": consultation.pk,
            "title": "Thanks, we look into it",
            "status": "under_review",
            "body": "Thank you. We look into it.",
        },
    )
    assert response.status_code == 302
    template = AnswerTemplate.objects.get()
    assert template.consultation == consultation and template.status == "under_review"
    assert AuditEntry.objects.filter(action="idea.answer_template.save").exists()
    idea = factories.IdeaFactory(consultation=consultation)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Thanks, we look into it" in page


def test_edit_keeps_the_consultation_and_delete_removes(client, planner, consultation):
    template = AnswerTemplateFactory(consultation=consultation, title="Old")
    other = factories.ConsultationFactory()
    client.force_login(planner)
    url = reverse("ideas_staff:answer_template_edit", args=[template.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"consultation": other.pk, "title": "New", "body": "Text"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.title, template.consultation) == ("New", consultation)
    response = client.post(reverse("ideas_staff:answer_template_delete", args=[template.pk]))
    assert response.status_code == 302 and not AnswerTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="idea.answer_template.delete").exists()


def test_a_limited_planner_sees_and_uses_only_their_consultations(client, consultation):
    limited = factories.PlannerFactory(limited_to_assigned=True)
    mine = factories.ConsultationFactory(title="Mine")
    mine.planners.add(limited)
    theirs = AnswerTemplateFactory(consultation=consultation, title="Not for you")
    AnswerTemplateFactory(consultation=mine, title="For you")
    client.force_login(limited)
    page = client.get(LIST).content.decode()
    assert "For you" in page and "Not for you" not in page
    edit = reverse("ideas_staff:answer_template_edit", args=[theirs.pk])
    assert client.get(edit).status_code == 403
    assert (
        client.post(reverse("ideas_staff:answer_template_delete", args=[theirs.pk])).status_code
        == 403
    )
    response = client.post(NEW, {"consultation": consultation.pk, "title": "X", "body": "Y"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_missing_fields_are_form_errors(client, planner, consultation):
    client.force_login(planner)
    response = client.post(NEW, {"consultation": consultation.pk, "title": "", "body": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


@pytest.mark.parametrize("role", ["resident", "councillor"])
def test_residents_and_councillors_have_no_templates_page(client, role):
    client.force_login(factories.UserFactory(role=role))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403


def test_filter_by_consultation_and_text(client, administrator, consultation):
    other = factories.ConsultationFactory()
    AnswerTemplateFactory(consultation=consultation, title="Harbour thanks")
    AnswerTemplateFactory(consultation=other, title="Tunnel thanks")
    client.force_login(administrator)
    page = client.get(LIST, {"consultation": other.pk}).content.decode()
    assert "Tunnel thanks" in page and "Harbour thanks" not in page
    page = client.get(LIST, {"q": "harbour"}).content.decode()
    assert "Harbour thanks" in page and "Tunnel thanks" not in page


def test_the_list_costs_the_same_queries_for_2_and_20_templates(client, administrator):
    client.force_login(administrator)
    client.get(LIST)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    AnswerTemplateFactory.create_batch(2)
    few = count()
    AnswerTemplateFactory.create_batch(18)
    assert count() == few
