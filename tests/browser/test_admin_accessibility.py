"""What remains in the Django admin is checked like the product's own pages: every model's list,
"add" form and a change form, with axe-core (0 serious or critical), in English and Danish."""

import pytest
from django.contrib import admin

from tests import factories
from tests.browser.conftest import login, visit


def _admin_pages():
    for model in admin.site._registry:
        meta = model._meta
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

    check("/admin/", f"admin-index-{locale}")
    for url, name in _admin_pages():
        check(url, f"admin-{name}-list-{locale}")
        add = page.locator("a.addlink").first.get_attribute("href")
        first = page.locator("#result_list tbody tr th a").first
        change = first.get_attribute("href") if first.count() else None
        if add:
            check(add, f"admin-{name}-add-{locale}")
        if change:
            check(change, f"admin-{name}-change-{locale}")
    assert not problems, "\n\n".join(problems)
