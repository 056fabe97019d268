"""Dates read as each language writes them: "30 November 2026" in English, not "Nov. 30, 2026"."""

import datetime

import pytest
from django.utils import formats, translation

from tests.factories import ConsultationFactory, PhaseFactory

MOMENT = datetime.datetime(2026, 11, 30, 15, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "language, date, moment",
    [
        ("en", "30 November 2026", "30 November 2026, 15:05"),
        ("da", "30. november 2026", "30. november 2026 15:05"),
        ("nb", "30. november 2026", "30. november 2026 15:05"),
    ],
)
def test_dates_in_each_language(language, date, moment):
    with translation.override(language):
        assert formats.date_format(MOMENT, "DATE_FORMAT") == date
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == moment


@pytest.mark.django_db
def test_the_timeline_shows_english_dates_day_first(client):
    consultation = ConsultationFactory()
    PhaseFactory(
        consultation=consultation,
        starts_at=datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 11, 30, 9, tzinfo=datetime.UTC),
    )
    page = client.get(consultation.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 November 2026" in page and "30 November 2026" in page
    assert "Nov. 30" not in page
