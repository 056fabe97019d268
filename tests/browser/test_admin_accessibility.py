"""What remains in the Django admin is checked like the product's own pages: every model's list,
"add" form and a change form, with axe-core (0 serious or critical), in English and Danish."""

import pytest
from django.contrib import admin

from tests import factories
from tests.browser.conftest import login, visit

# Municipalities are the platform operator's, checked as the operator (below).
OPERATORS_ONLY = {("civic", "municipality")}


def _admin_pages(operator=False):
    for model in admin.site._registry:
        meta = model._meta
        if ((meta.app_label, meta.model_name) in OPERATORS_ONLY) != operator:
            continue
        yield f"/admin/{meta.app_label}/{meta.model_name}/", f"{meta.app_label}-{meta.model_name}"


@pytest.mark.parametrize("locale", ["en-GB", "da-DK"])
def test_every_admin_list_and_form_is_accessible(new_page, live_server, locale):
    administrator = factories.AdministratorFactory()
    consultation = factories.ConsultationFactory()
    factories.IdeaFactory(consultation=consultation)
    page = new_page(locale)
    login(page, live_server, administrator)
    problems = []

    def check(url, name):
        try:
            visit(page, url, name)
        except (AssertionError, pytest.fail.Exception) as problem:
            problems.append(str(problem))

    def check_pages(operator):
        for url, name in _admin_pages(operator):
            check(url, f"admin-{name}-list-{locale}")
            add = page.locator("a.addlink").first
            add = add.get_attribute("href") if add.count() else None
            first = page.locator("#result_list tbody tr th a").first
            change = first.get_attribute("href") if first.count() else None
            if add:
                check(add, f"admin-{name}-add-{locale}")
            if change:
                check(change, f"admin-{name}-change-{locale}")

    check("/admin/", f"admin-index-{locale}")
    check_pages(operator=False)
    operator = factories.UserFactory(is_operator=True)
    page.context.clear_cookies()
    login(page, live_server, operator)
    check("/admin/", f"admin-index-operator-{locale}")
    check_pages(operator=True)
    assert not problems, "\n\n".join(problems)
