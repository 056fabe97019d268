"""Who supported an idea and who reported it are private: no log shows them, to anyone.

Supports and reports go through the real services; the test then reads every place an audit
entry is rendered for staff (the item page, the audit log in Administration) and looks for the
supporter's and reporter's names and e-mail addresses.
"""

import pytest
from django.urls import reverse

from ideas.services import idea_support
from moderation import services
from tests.factories import AdministratorFactory, UserFactory

SUPPORTER_NAME = "Sigrid Supportsen"
SUPPORTER_EMAIL = "sigrid.supportsen@canary.example"
REPORTER_NAME = "Rasmus Reportersen"
REPORTER_EMAIL = "rasmus.reportersen@canary.example"
EDITED_OUT = "+45 99 88 77 66"
NOTE = "Internal: the author is the mayor's neighbour"
CANARIES = (SUPPORTER_NAME, SUPPORTER_EMAIL, REPORTER_NAME, REPORTER_EMAIL)


@pytest.fixture
def private_acts(idea, planner):
    supporter = UserFactory(
        display_name=SUPPORTER_NAME, email=SUPPORTER_EMAIL, show_name_publicly=True
    )
    reporter = UserFactory(
        display_name=REPORTER_NAME, email=REPORTER_EMAIL, show_name_publicly=True
    )
    idea_support(user=supporter, idea=idea)
    services.report_create(reporter=reporter, target=idea, reason="spam", text="Looks like spam")
    return idea


def _item_page(client, user, idea):
    client.force_login(user)
    response = client.get(reverse("moderation:item", kwargs={"kind": "idea", "pk": idea.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["councillor", "planner", "administrator"])
def test_item_log_names_no_supporter_or_reporter(client, private_acts, who, request):
    page = _item_page(client, request.getfixturevalue(who), private_acts)
    # The log still says that it happened.
    assert "reported it" in page
    for canary in CANARIES:
        assert canary not in page, f"{canary} shown to a {who}"


def test_item_log_still_names_the_moderator(client, private_acts, planner):
    planner.display_name = "Pia Planner"
    planner.show_name_publicly = True
    planner.save()
    services.item_edit(
        actor=planner, target=private_acts, text="Call me on [removed]", title=None, note=NOTE
    )
    page = _item_page(client, planner, private_acts)
    assert "Pia Planner" in page


def test_councillor_does_not_read_the_edited_out_original(client, idea, planner, councillor):
    idea.description = f"Call me on {EDITED_OUT}"
    idea.save()
    services.item_edit(
        actor=planner, target=idea, text="Call me on [removed]", title=None, note=NOTE
    )
    assert EDITED_OUT not in _item_page(client, councillor, idea)
    # The planner who must judge the edit still reads it (kept for the legal hold).
    assert EDITED_OUT in _item_page(client, planner, idea)


def _admin_page(client, url, **query):
    admin = AdministratorFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def test_audit_log_in_administration_names_no_supporter_or_reporter(client, private_acts):
    page = _admin_page(client, reverse("admin:civic_auditentry_changelist"))
    # Labels, not the stored codes, in the column.
    assert 'field-what">Idea supported' in page and 'field-what">Reported' in page
    assert 'field-what">idea.support' not in page
    for canary in CANARIES:
        assert canary not in page


def test_audit_log_search_cannot_find_supports_by_person(client, private_acts):
    page = _admin_page(client, reverse("admin:civic_auditentry_changelist"), q="sigrid.supportsen")
    assert 'field-what">Idea supported' not in page
    page = _admin_page(client, reverse("admin:civic_auditentry_changelist"), q="rasmus")
    assert 'field-what">Reported' not in page
    # The same search still finds what the person did in the open.
    page = _admin_page(client, reverse("admin:civic_auditentry_changelist"), q="sauna")
    assert 'field-what">Idea supported' in page


def test_audit_entry_page_names_no_supporter(client, private_acts):
    from civic.models import AuditEntry

    entry = AuditEntry.objects.get(action="idea.support")
    page = _admin_page(client, reverse("admin:civic_auditentry_change", args=[entry.pk]))
    for canary in CANARIES:
        assert canary not in page


def test_report_in_administration_hides_the_reporter_from_a_councillor(client, private_acts):
    """Administration asks for the administrator role: a councillor given the staff flag and the
    permission to view reports still cannot open one there, so no reporter is shown."""
    from django.contrib.auth.models import Permission

    from moderation.models import Report
    from tests.factories import CouncillorFactory

    councillor = CouncillorFactory(is_staff=True)
    councillor.user_permissions.add(Permission.objects.get(codename="view_report"))
    client.force_login(councillor)
    report = Report.objects.get()
    page = client.get(reverse("admin:moderation_report_change", args=[report.pk]))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("admin:login"))
    for canary in (REPORTER_NAME, REPORTER_EMAIL):
        assert canary not in page.content.decode()
