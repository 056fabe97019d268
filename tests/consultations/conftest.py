import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the English source text, whatever the site's default language is."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
