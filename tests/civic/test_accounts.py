import pytest
from django.urls import reverse

from civic.audit import audit_record
from civic.markdown import render_markdown
from civic.models import AuditEntry
from tests import factories


def test_pseudonym_until_person_chooses_to_show_name(db):
    person = factories.UserFactory(display_name="Mette Hansen", show_name_publicly=False)
    assert "Mette" not in person.public_name
    assert person.pseudonym_code in person.public_name
    person.show_name_publicly = True
    assert person.public_name == "Mette Hansen"


def test_public_name_never_shows_email(db):
    person = factories.UserFactory(display_name="", show_name_publicly=True)
    assert person.email not in person.public_name
    assert "@" not in person.public_name


def test_pseudonym_codes_are_unique(db):
    codes = {factories.UserFactory().pseudonym_code for _ in range(30)}
    assert len(codes) == 30


def test_audit_record_keeps_who_what_why(db):
    planner = factories.PlannerFactory()
    consultation = factories.ConsultationFactory()
    entry = audit_record(
        actor=planner,
        action="consultation.publish",
        target=consultation,
        reason="Ready for residents",
        changes={"status": ["draft", "published"]},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == planner
    assert stored.consultation_id == consultation.pk
    assert stored.object_repr == consultation.title
    assert stored.reason == "Ready for residents"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        "<a href='https://example.org' onclick='alert(1)'>x</a>",
    ],
)
def test_markdown_strips_script(payload):
    html = render_markdown(payload)
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "onclick" not in html


def test_markdown_keeps_formatting():
    assert render_markdown("**bold** and [link](https://kk.dk)") == (
        '<p><strong>bold</strong> and <a href="https://kk.dk" rel="nofollow ugc noopener">'
        "link</a></p>"
    )


def test_profile_saves_public_name_choice(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("civic:profile"),
        {
            "display_name": "Ole",
            "show_name_publicly": "on",
            "phone": "",
            "notification_frequency": "immediate",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.public_name == "Ole"


def test_profile_requires_a_name_to_show(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("civic:profile"),
        {"display_name": " ", "show_name_publicly": "on", "phone": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Enter the name to show" in response.content.decode()
