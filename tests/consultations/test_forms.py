import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.models import Consultation
from tests import factories
from tests.consultations.factories import form_post
from tests.consultations.images import png_bytes

pytestmark = pytest.mark.django_db

SELF_INTERSECTING = {
    "type": "Polygon",
    "coordinates": [
        [[12.59, 55.67], [12.60, 55.68], [12.60, 55.67], [12.59, 55.68], [12.59, 55.67]]
    ],
}
# Tokyo written latitude first: the "latitude" 139.7 is out of range, which gives it away.
SWAPPED = {
    "type": "Polygon",
    "coordinates": [[[35.68, 139.70], [35.68, 139.72], [35.70, 139.72], [35.68, 139.70]]],
}
POINT = {"type": "Point", "coordinates": [12.59, 55.67]}


@pytest.fixture
def planner_client(client, planner):
    client.force_login(planner)
    return client


def _create(client, data, files=None):
    return client.post(reverse("consultations:create"), {**data, **(files or {})})


def test_create_with_phases_and_categories(planner_client):
    area = json.dumps(factories.CHRISTIANSHOLM_AREA)
    response = _create(planner_client, form_post(area=area))
    assert response.status_code == 302, response.context and response.context["form"].errors
    consultation = Consultation.objects.get()
    assert response.url == consultation.get_absolute_url()
    assert consultation.slug == "a-bath-in-the-harbour"
    assert consultation.status == "draft"
    assert consultation.phases.count() == 2 and consultation.categories.count() == 1
    assert consultation.area["type"] == "Polygon"


def test_blank_extra_rows_are_ignored(planner_client):
    data = form_post()
    data.update({"phases-TOTAL_FORMS": "3", "phases-2-kind": "", "phases-2-name": ""})
    data.update({"categories-TOTAL_FORMS": "2", "categories-1-colour": "#1f77b4"})
    assert _create(planner_client, data).status_code == 302
    assert Consultation.objects.get().phases.count() == 2


def _errors(response):
    assert response.status_code == 400
    return response


def test_overlapping_phases_mark_the_later_row(planner_client):
    response = _errors(
        _create(
            planner_client,
            form_post(
                phases=[
                    ("ideas", "Ideas", "2030-01-01T10:00", "2030-02-01T10:00"),
                    ("support", "Support", "2030-01-20T10:00", "2030-03-01T10:00"),
                ]
            ),
        )
    )
    rows = response.context["phases"].forms
    assert not rows[0].errors
    assert "overlaps “Ideas”" in rows[1].errors["starts_at"][0]
    assert not Consultation.objects.exists()


def test_phase_ending_before_start(planner_client):
    response = _errors(
        _create(
            planner_client,
            form_post(phases=[("ideas", "Ideas", "2030-02-01T10:00", "2030-01-01T10:00")]),
        )
    )
    assert "must end after it starts" in response.context["phases"].forms[0].errors["ends_at"][0]
    assert "must end after it starts" in response.content.decode()


@pytest.mark.parametrize(
    "area, reason",
    [
        (SELF_INTERSECTING, "crosses itself"),
        (SWAPPED, "swapped"),
        (POINT, "not Point"),
        ("{not json", "not valid GeoJSON"),
    ],
)
def test_bad_area_in_textarea(planner_client, area, reason):
    text = area if isinstance(area, str) else json.dumps(area)
    response = _errors(_create(planner_client, form_post(area=text)))
    assert reason in response.context["form"].errors["area"][0]


def test_area_from_uploaded_file(planner_client):
    upload = SimpleUploadedFile(
        "area.geojson",
        json.dumps({"type": "Feature", "geometry": factories.CHRISTIANSHOLM_AREA}).encode(),
        content_type="application/geo+json",
    )
    assert _create(planner_client, form_post(), {"area_file": upload}).status_code == 302
    assert Consultation.objects.get().area["type"] == "Polygon"


def test_bad_area_file(planner_client):
    upload = SimpleUploadedFile("area.geojson", json.dumps(POINT).encode())
    response = _errors(_create(planner_client, form_post(), {"area_file": upload}))
    assert "polygon" in response.context["form"].errors["area_file"][0]


@pytest.mark.parametrize("hashtag", ["voreskbh", "#vores kbh", "#", "##x"])
def test_bad_hashtag(planner_client, hashtag):
    response = _errors(_create(planner_client, form_post(hashtag=hashtag)))
    assert "hashtag" in response.context["form"].errors


def test_unicode_hashtag_is_fine(planner_client):
    assert _create(planner_client, form_post(hashtag="#næstvedby")).status_code == 302


@pytest.mark.parametrize("prefix", ["cph", "C", "ABCDEFGHI", "C1"])
def test_bad_reference_prefix(planner_client, prefix):
    response = _errors(_create(planner_client, form_post(reference_prefix=prefix)))
    assert "reference_prefix" in response.context["form"].errors


def test_slug_clash_has_a_clear_error(planner_client):
    factories.ConsultationFactory(slug="harbour")
    response = _errors(_create(planner_client, form_post(slug="harbour")))
    assert "already uses the address “harbour”" in response.context["form"].errors["slug"][0]


def test_bad_category_colour(planner_client):
    response = _errors(_create(planner_client, form_post(categories=[("Water", "blue")])))
    assert "colour" in response.context["categories"].forms[0].errors


def test_cover_image_needs_alt_and_must_be_an_image(planner_client):
    image = SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png")
    response = _errors(_create(planner_client, form_post(), {"cover_image": image}))
    assert "cover_alt" in response.context["form"].errors
    text = SimpleUploadedFile("cover.png", b"plain text", content_type="image/png")
    response = _errors(_create(planner_client, form_post(cover_alt="x"), {"cover_image": text}))
    assert "cover_image" in response.context["form"].errors
    gif = SimpleUploadedFile("cover.gif", png_bytes(fmt="GIF"), content_type="image/gif")
    response = _errors(_create(planner_client, form_post(cover_alt="x"), {"cover_image": gif}))
    assert "JPEG, PNG or WebP" in response.context["form"].errors["cover_image"][0]
    image.seek(0)
    ok = _create(planner_client, form_post(cover_alt="The harbour"), {"cover_image": image})
    assert ok.status_code == 302


def test_edit_keeps_rows_and_deletes_marked_ones(planner_client):
    consultation = factories.ConsultationFactory(open_phase=False)
    first = factories.PhaseFactory(consultation=consultation)
    page = planner_client.get(reverse("consultations:edit", args=[consultation.slug]))
    assert page.status_code == 200
    assert 'id="id_area"' in page.content.decode()
    data = form_post(
        title="Renamed",
        slug=consultation.slug,
        phases=[("ideas", "Kept", "2030-01-01T10:00", "2030-02-01T10:00")],
        categories=[],
    )
    data.update(
        {
            "phases-INITIAL_FORMS": "1",
            "phases-0-id": str(first.pk),
            "phases-0-consultation": str(consultation.pk),
        }
    )
    response = planner_client.post(reverse("consultations:edit", args=[consultation.slug]), data)
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Renamed"
    assert [(p.pk, p.name) for p in consultation.phases.all()] == [(first.pk, "Kept")]
    data["phases-0-DELETE"] = "on"
    planner_client.post(reverse("consultations:edit", args=[consultation.slug]), data)
    assert not consultation.phases.exists()


def test_edit_page_renders_area_as_json(planner_client):
    consultation = factories.ConsultationFactory()
    page = planner_client.get(reverse("consultations:edit", args=[consultation.slug]))
    assert "&quot;Polygon&quot;" in page.content.decode()
