from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civic.models import AuditEntry
from consultations import services
from consultations.models import Consultation
from tests import factories
from tests.consultations.factories import consultation_data, phase_rows

pytestmark = pytest.mark.django_db


def test_create_makes_a_draft_with_timeline_categories_and_audit(planner):
    consultation = services.consultation_create(
        actor=planner,
        data=consultation_data(),
        phases=phase_rows(),
        categories=[{"name": "Water", "colour": "#0b6e99"}, {"name": "Sport", "colour": "#2e7d32"}],
    )
    assert consultation.status == Consultation.Status.DRAFT
    assert consultation.slug == "a-bath-in-the-harbour"
    assert [p.name for p in consultation.phases.all()] == ["Ideas", "Evaluation"]
    assert [c.name for c in consultation.categories.all()] == ["Water", "Sport"]
    assert list(consultation.planners.all()) == [planner]
    assert AuditEntry.objects.filter(
        action="consultation.create", consultation_id=consultation.pk
    ).exists()


def test_create_makes_slugs_unique_and_refuses_a_taken_one(planner):
    first = services.consultation_create(actor=planner, data=consultation_data())
    second = services.consultation_create(actor=planner, data=consultation_data())
    assert (first.slug, second.slug) == ("a-bath-in-the-harbour", "a-bath-in-the-harbour-2")
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=planner, data=consultation_data(slug=first.slug))
    assert "already uses the address" in error.value.message_dict["slug"][0]


def test_reserved_slug_is_refused(planner):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=planner, data=consultation_data(slug="admin"))
    assert "slug" in error.value.message_dict


@pytest.mark.parametrize(
    "field, value",
    [
        ("hashtag", "voreskbh"),
        ("hashtag", "#two words"),
        ("hashtag", "#"),
        ("reference_prefix", "cph"),
        ("reference_prefix", "C"),
        ("reference_prefix", "TOOLONGPREFIX"),
        ("area", {"type": "Point", "coordinates": [12.59, 55.68]}),
    ],
)
def test_create_refuses_bad_fields(planner, field, value):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=planner, data=consultation_data(**{field: value}))
    assert field in error.value.message_dict
    assert not Consultation.objects.exists()


def test_overlapping_phases_are_refused_and_nothing_is_saved(planner):
    now = timezone.now()
    rows = phase_rows(now)
    rows[1]["starts_at"] = now + timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=planner, data=consultation_data(), phases=rows)
    assert "Phase 2" in error.value.message_dict["phases"][0]
    assert "overlaps" in error.value.message_dict["phases"][0]
    assert not Consultation.objects.exists()


def test_phase_ending_before_it_starts_is_refused(planner):
    rows = phase_rows()
    rows[0]["ends_at"] = rows[0]["starts_at"] - timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=planner, data=consultation_data(), phases=rows)
    assert "end after it starts" in error.value.message_dict["phases"][0]


def test_timeline_errors_report_the_later_row():
    now = timezone.now()
    rows = [
        {"starts_at": now + timedelta(days=10), "ends_at": now + timedelta(days=20)},
        {"starts_at": now, "ends_at": now + timedelta(days=30)},
        {"starts_at": now + timedelta(days=31), "ends_at": now + timedelta(days=40)},
    ]
    assert list(services.timeline_errors(rows)) == [0]
    adjoining = [
        {"starts_at": now, "ends_at": now + timedelta(days=1)},
        {"starts_at": now + timedelta(days=1), "ends_at": now + timedelta(days=2)},
    ]
    assert services.timeline_errors(adjoining) == {}


def test_residents_and_councillors_may_not_create(resident, councillor):
    for person in (resident, councillor):
        with pytest.raises(PermissionDenied):
            services.consultation_create(actor=person, data=consultation_data())


def test_update_replaces_timeline_keeping_phase_identity(planner):
    consultation = services.consultation_create(
        actor=planner, data=consultation_data(), phases=phase_rows()
    )
    kept = consultation.phases.first()
    rows = [
        {
            "id": kept.pk,
            "kind": "ideas",
            "name": "Ideas and support",
            "starts_at": kept.starts_at,
            "ends_at": kept.ends_at,
        }
    ]
    services.consultation_update(
        actor=planner,
        consultation=consultation,
        data={"title": "Harbour bath"},
        phases=rows,
        categories=[],
    )
    consultation.refresh_from_db()
    assert consultation.title == "Harbour bath"
    assert consultation.slug == "a-bath-in-the-harbour"  # the address does not move
    assert [(p.pk, p.name) for p in consultation.phases.all()] == [(kept.pk, "Ideas and support")]
    entry = AuditEntry.objects.get(action="consultation.update")
    assert entry.changes["fields"] == ["title", "phases", "categories"]


def test_update_refuses_unknown_fields_and_foreign_phases(planner):
    consultation = factories.ConsultationFactory()
    other = factories.ConsultationFactory()
    with pytest.raises(ValidationError) as error:
        services.consultation_update(
            actor=planner, consultation=consultation, data={"status": "closed"}
        )
    assert "status" in error.value.message_dict
    foreign = other.phases.first()
    with pytest.raises(ValidationError):
        services.consultation_update(
            actor=planner,
            consultation=consultation,
            data={},
            phases=[
                {
                    "id": foreign.pk,
                    "kind": "ideas",
                    "starts_at": foreign.starts_at,
                    "ends_at": foreign.ends_at,
                }
            ],
        )
    assert other.phases.count() == 1


def test_limited_planner_may_only_update_assigned(db):
    limited = factories.PlannerFactory(limited_to_assigned=True)
    consultation = factories.ConsultationFactory()
    with pytest.raises(PermissionDenied):
        services.consultation_update(actor=limited, consultation=consultation, data={"title": "x"})
    consultation.planners.add(limited)
    services.consultation_update(actor=limited, consultation=consultation, data={"title": "x"})


def test_duplicate_category_names_are_refused(planner):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(
            actor=planner,
            data=consultation_data(),
            categories=[
                {"name": "Water", "colour": "#000000"},
                {"name": "water", "colour": "#ffffff"},
            ],
        )
    assert "categories" in error.value.message_dict


def test_bad_category_colour_is_refused(planner):
    with pytest.raises(ValidationError) as error:
        services.consultation_create(
            actor=planner,
            data=consultation_data(),
            categories=[{"name": "Water", "colour": "blue"}],
        )
    assert "Category 1" in error.value.message_dict["categories"][0]


def test_publish_close_and_results(planner):
    consultation = services.consultation_create(
        actor=planner, data=consultation_data(), phases=phase_rows()
    )
    services.consultation_publish(actor=planner, consultation=consultation)
    consultation.refresh_from_db()
    assert consultation.status == "published"
    with pytest.raises(ValidationError):
        services.consultation_publish(actor=planner, consultation=consultation)
    services.consultation_close(actor=planner, consultation=consultation, reason="Budget cut")
    consultation.refresh_from_db()
    assert consultation.status == "closed"
    services.consultation_publish_results(
        actor=planner, consultation=consultation, results="We build it."
    )
    consultation.refresh_from_db()
    first = consultation.results_published_at
    assert consultation.results == "We build it." and first is not None
    services.consultation_publish_results(
        actor=planner, consultation=consultation, results="We build it soon."
    )
    consultation.refresh_from_db()
    assert consultation.results_published_at == first
    actions = list(
        AuditEntry.objects.filter(consultation_id=consultation.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "consultation.create",
        "consultation.publish",
        "consultation.close",
        "consultation.results_publish",
        "consultation.results_update",
    ]
    assert AuditEntry.objects.get(action="consultation.close").reason == "Budget cut"


def test_publish_needs_a_timeline(planner):
    consultation = services.consultation_create(actor=planner, data=consultation_data())
    with pytest.raises(ValidationError) as error:
        services.consultation_publish(actor=planner, consultation=consultation)
    assert "phases" in error.value.message_dict


def test_results_need_text_and_a_published_consultation(planner):
    draft = services.consultation_create(
        actor=planner, data=consultation_data(), phases=phase_rows()
    )
    with pytest.raises(ValidationError):
        services.consultation_publish_results(actor=planner, consultation=draft, results="x")
    published = factories.ConsultationFactory()
    with pytest.raises(ValidationError) as error:
        services.consultation_publish_results(actor=planner, consultation=published, results="  ")
    assert "results" in error.value.message_dict


def test_status_changes_are_refused_to_residents(resident):
    consultation = factories.ConsultationFactory()
    with pytest.raises(PermissionDenied):
        services.consultation_close(actor=resident, consultation=consultation)
    with pytest.raises(PermissionDenied):
        services.consultation_publish_results(
            actor=resident, consultation=consultation, results="x"
        )


def test_assign_planners(administrator, planner, resident):
    consultation = factories.ConsultationFactory()
    services.consultation_assign_planners(
        actor=administrator, consultation=consultation, planners=[planner]
    )
    assert list(consultation.planners.all()) == [planner]
    with pytest.raises(ValidationError):
        services.consultation_assign_planners(
            actor=administrator, consultation=consultation, planners=[resident]
        )
    limited = factories.PlannerFactory(limited_to_assigned=True)
    consultation.planners.add(limited)
    with pytest.raises(PermissionDenied):
        services.consultation_assign_planners(actor=limited, consultation=consultation, planners=[])
    assert AuditEntry.objects.filter(action="consultation.planners").count() == 1


def test_cover_image_needs_alt_text(planner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.consultations.images import png_bytes

    image = SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.consultation_create(actor=planner, data=consultation_data(cover_image=image))
    assert "cover_alt" in error.value.message_dict
    image.seek(0)
    consultation = services.consultation_create(
        actor=planner, data=consultation_data(cover_image=image, cover_alt="The harbour at dusk")
    )
    assert consultation.cover_image.name.startswith("consultations/")


def test_cover_image_must_be_an_image(planner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cover.png", b"GIF89a not really", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.consultation_create(
            actor=planner, data=consultation_data(cover_image=fake, cover_alt="x")
        )
    assert "cover_image" in error.value.message_dict


def test_two_categories_may_swap_names(planner):
    consultation = services.consultation_create(
        actor=planner,
        data=consultation_data(),
        categories=[{"name": "Water", "colour": "#000000"}, {"name": "Sport", "colour": "#ffffff"}],
    )
    water, sport = consultation.categories.all()
    services.consultation_update(
        actor=planner,
        consultation=consultation,
        data={},
        categories=[
            {"id": water.pk, "name": "Sport", "colour": "#000000"},
            {"id": sport.pk, "name": "Water", "colour": "#ffffff"},
        ],
    )
    assert [(c.pk, c.name) for c in consultation.categories.all()] == [
        (water.pk, "Sport"),
        (sport.pk, "Water"),
    ]
