import pytest

from ideas import services
from tests.factories import INSIDE


@pytest.fixture
def submit(consultation):
    """Submit an idea through the service with sensible defaults."""

    def _submit(author, **overrides):
        fields = {
            "consultation": consultation,
            "title": "Havnebad ved Papirøen",
            "description": "Et offentligt bad med **sand** under fødderne.",
            "longitude": INSIDE[0],
            "latitude": INSIDE[1],
        }
        fields.update(overrides)
        return services.idea_submit(author=author, **fields)

    return _submit


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions below read the English source texts; the site's default language is Danish."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
