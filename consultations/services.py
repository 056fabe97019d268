"""Writes to consultations: create, edit (with the timeline and categories), publish, close,
publish results and assign planners. The site's forms and the API both call these."""

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from civic import imaging
from civic.audit import audit_record
from civic.changes import Change, changed
from civic.permissions import is_planner

from . import permissions
from .models import (
    Category,
    Consultation,
    MapService,
    Phase,
    PlanFeature,
    PlanFeatureShape,
    PlanLayer,
)
from .ordering import move_one_place
from .validators import COVER_IMAGE_FORMATS, COVER_IMAGE_MAX_BYTES

# Fields a planner edits directly; status, counters and results have their own services.
EDITABLE_FIELDS = (
    "title",
    "slug",
    "summary",
    "body",
    "cover_image",
    "cover_alt",
    "kind",
    "language",
    "hashtag",
    "reference_prefix",
    "support_limit",
    "verified_only",
    "pre_moderation",
    "area",
)
PHASE_FIELDS = (
    "kind",
    "name",
    "description",
    "starts_at",
    "ends_at",
    "allows_ideas",
    "allows_support",
    "allows_comments",
    "allows_poll",
)
CATEGORY_FIELDS = ("name", "colour", "position")
# Consultations live at /<slug>/, beside the site's own top-level paths.
RESERVED_SLUGS = frozenset(
    {
        "about",
        "accounts",
        "admin",
        "api",
        "cards",
        "debate",
        "embed",
        "healthz",
        "i18n",
        "ideas",
        "jsi18n",
        "maps",
        "me",
        "media",
        "moderation",
        "new",
        "reports",
        "search",
        "share",
        "social",
        "staff",
        "static",
    }
)


def timeline_errors(phases: Sequence[Mapping[str, Any]]) -> dict[int, str]:
    """Return {row index: reason} for phases that end before they start or overlap another.

    The overlap is reported on the later of the two phases, which is the row a planner
    usually just added or moved.
    """
    errors: dict[int, str] = {}
    dated = []
    for index, phase in enumerate(phases):
        starts_at, ends_at = phase.get("starts_at"), phase.get("ends_at")
        if starts_at is None or ends_at is None:
            continue
        if ends_at <= starts_at:
            errors[index] = _("The phase must end after it starts.")
            continue
        dated.append((starts_at, ends_at, index))
    dated.sort()
    latest: tuple[Any, int] | None = None  # (end, index) of the phase reaching furthest so far
    for starts_at, ends_at, index in dated:
        if latest and starts_at < latest[0]:
            other = phases[latest[1]]
            errors[index] = _(
                "This phase overlaps “%(other)s”, which ends %(end)s. "
                "Let it start when the other ends, or later."
            ) % {
                "other": _phase_label(other, latest[1]),
                "end": formats.date_format(timezone.localtime(latest[0]), "SHORT_DATETIME_FORMAT"),
            }
        if not latest or ends_at > latest[0]:
            latest = (ends_at, index)
    return errors


def unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A free address name made from the title: "harbour-bath", then "harbour-bath-2"..."""
    base = slugify(title)[:70].strip("-") or "consultation"
    if base in RESERVED_SLUGS:
        base = f"{base}-consultation"
    taken = set(
        Consultation.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


@transaction.atomic
def consultation_create(
    *,
    actor,
    data: Mapping[str, Any],
    phases: Sequence[Mapping[str, Any]] = (),
    categories: Sequence[Mapping[str, Any]] = (),
) -> Consultation:
    """Create a draft consultation with its timeline and categories."""
    if not permissions.can_create_consultation(actor):
        raise PermissionDenied(_("You may not create consultations."))
    fields = _editable(data)
    fields["slug"] = checked_slug(fields.get("slug", ""), fields.get("title", ""), None)
    if not fields.get("cover_image"):
        fields.pop("cover_image", None)
    consultation = Consultation(created_by=actor, status=Consultation.Status.DRAFT, **fields)
    consultation.full_clean()
    consultation.save()
    changed(consultation.pk, Change.CONSULTATION)
    _save_phases(consultation, phases)
    _save_categories(consultation, categories)
    if is_planner(actor):
        consultation.planners.add(actor)
    audit_record(
        actor=actor,
        action="consultation.create",
        target=consultation,
        changes={"phases": len(phases), "categories": len(categories)},
    )
    return consultation


@transaction.atomic
def consultation_update(
    *,
    actor,
    consultation: Consultation,
    data: Mapping[str, Any],
    phases: Sequence[Mapping[str, Any]] | None = None,
    categories: Sequence[Mapping[str, Any]] | None = None,
) -> Consultation:
    """Change a consultation's fields; `phases` and `categories`, when given, replace the
    timeline and the categories (rows with an `id` keep their identity)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not permissions.can_edit_consultation(actor, consultation):
        raise PermissionDenied(_("You may not edit this consultation."))
    fields = _editable(data)
    if "slug" in fields or "title" in fields:
        fields["slug"] = checked_slug(
            fields.get("slug", consultation.slug),
            fields.get("title", consultation.title),
            consultation.pk,
        )
    changed_fields = []
    for name, value in fields.items():
        if name == "cover_image" and value is None:
            continue  # no new file: keep the current image
        if name == "cover_image" and value is False:
            value = ""  # the "clear" box was ticked
        if getattr(consultation, name) != value:
            changed_fields.append(name)
        setattr(consultation, name, value)
    consultation.full_clean()
    consultation.save()
    changed(consultation.pk, Change.CONSULTATION)
    if phases is not None:
        _save_phases(consultation, phases)
        changed_fields.append("phases")
    if categories is not None:
        _save_categories(consultation, categories)
        changed_fields.append("categories")
    audit_record(
        actor=actor,
        action="consultation.update",
        target=consultation,
        changes={"fields": changed_fields},
    )
    return consultation


@transaction.atomic
def consultation_publish(*, actor, consultation: Consultation) -> Consultation:
    """Make a draft public. It needs a timeline, or nobody could take part."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not permissions.can_edit_consultation(actor, consultation):
        raise PermissionDenied(_("You may not publish this consultation."))
    if consultation.status != Consultation.Status.DRAFT:
        raise ValidationError({"status": _("Only a draft can be published.")})
    if not consultation.phases.exists():
        raise ValidationError({"phases": _("Add at least one phase before publishing.")})
    consultation.status = Consultation.Status.PUBLISHED
    consultation.full_clean()
    consultation.save(update_fields=["status", "updated_at"])
    changed(consultation.pk, Change.CONSULTATION)
    audit_record(
        actor=actor,
        action="consultation.publish",
        target=consultation,
        changes={"status": ["draft", "published"]},
    )
    return consultation


@transaction.atomic
def consultation_close(*, actor, consultation: Consultation, reason: str = "") -> Consultation:
    """End participation early or for good, whatever the timeline says."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not permissions.can_edit_consultation(actor, consultation):
        raise PermissionDenied(_("You may not close this consultation."))
    if consultation.status != Consultation.Status.PUBLISHED:
        raise ValidationError({"status": _("Only a published consultation can be closed.")})
    consultation.status = Consultation.Status.CLOSED
    consultation.full_clean()
    consultation.save(update_fields=["status", "updated_at"])
    changed(consultation.pk, Change.CONSULTATION)
    audit_record(
        actor=actor,
        action="consultation.close",
        target=consultation,
        reason=reason,
        changes={"status": ["published", "closed"]},
    )
    return consultation


@transaction.atomic
def consultation_publish_results(
    *, actor, consultation: Consultation, results: str
) -> Consultation:
    """Publish (or correct) the results text. The first publication date is kept."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not permissions.can_edit_consultation(actor, consultation):
        raise PermissionDenied(_("You may not publish results for this consultation."))
    if consultation.status == Consultation.Status.DRAFT:
        raise ValidationError({"status": _("Publish the consultation before its results.")})
    results = (results or "").strip()
    if not results:
        raise ValidationError({"results": _("Write the results before publishing them.")})
    first_time = consultation.results_published_at is None
    consultation.results = results
    if first_time:
        consultation.results_published_at = timezone.now()
    consultation.full_clean()
    consultation.save(update_fields=["results", "results_published_at", "updated_at"])
    changed(consultation.pk, Change.CONSULTATION)
    audit_record(
        actor=actor,
        action="consultation.results_publish" if first_time else "consultation.results_update",
        target=consultation,
    )
    return consultation


@transaction.atomic
def consultation_assign_planners(
    *, actor, consultation: Consultation, planners: Iterable
) -> Consultation:
    """Set who runs the consultation; planners limited to assigned consultations see only these."""
    if not permissions.can_assign_planners(actor, consultation):
        raise PermissionDenied(_("You may not assign planners."))
    planners = list(planners)
    not_planners = [p for p in planners if not is_planner(p)]
    if not_planners:
        raise ValidationError(
            {"planners": _("%(name)s is not a planner.") % {"name": not_planners[0].public_name}}
        )
    before = sorted(consultation.planners.values_list("pk", flat=True))
    consultation.planners.set(planners)
    changed(consultation.pk, Change.CONSULTATION)
    audit_record(
        actor=actor,
        action="consultation.planners",
        target=consultation,
        changes={"planners": [before, sorted(p.pk for p in planners)]},
    )
    return consultation


def _editable(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be set here.") for name in sorted(unknown)}
        )
    fields = dict(data)
    for name in ("title", "summary", "hashtag", "cover_alt", "reference_prefix"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if fields.get("area") in ("", {}):
        fields["area"] = None
    if fields.get("cover_image"):
        fields["cover_image"] = _cover_without_metadata(fields["cover_image"])
    return fields


def _cover_without_metadata(upload):
    """A new cover re-encoded without EXIF, GPS, XMP, comments or colour profile.

    A stored file is kept; a file that is no picture (or too large to open) is left for the
    model's validator to refuse with its own message.
    """
    if isinstance(upload, FieldFile) or not hasattr(upload, "read"):
        return upload
    size = getattr(upload, "size", None)
    if size is None or size > COVER_IMAGE_MAX_BYTES:
        return upload
    upload.seek(0)
    cleaned = imaging.reencoded(upload.read(), formats=tuple(COVER_IMAGE_FORMATS))
    upload.seek(0)
    if cleaned is None:
        return upload
    data, image_format = cleaned
    stem = Path(upload.name or "cover").stem[:80] or "cover"
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    return ContentFile(data, name=f"{stem}.{extension}")


def checked_slug(slug: str, title: str, pk: int | None) -> str:
    """The slug to store: the one given if free, or one made from the title when empty."""
    slug = (slug or "").strip().lower()
    if not slug:
        return unique_slug(title, exclude_pk=pk)
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": _("“%(slug)s” is used by the site itself; choose another.") % {"slug": slug}}
        )
    if Consultation.objects.filter(slug=slug).exclude(pk=pk).exists():
        raise ValidationError(
            {
                "slug": _(
                    "Another consultation already uses the address “%(slug)s”; choose another."
                )
                % {"slug": slug}
            }
        )
    return slug


def _phase_label(phase: Mapping[str, Any], index: int) -> str:
    if phase.get("name"):
        return phase["name"]
    kind = phase.get("kind")
    if kind in Phase.Kind.values:
        return str(Phase.Kind(kind).label)
    return _("phase %(number)d") % {"number": index + 1}


def _save_phases(consultation: Consultation, rows: Sequence[Mapping[str, Any]]) -> None:
    errors = timeline_errors(rows)
    if errors:
        raise ValidationError(
            {
                "phases": [
                    _("Phase %(number)d: %(reason)s") % {"number": index + 1, "reason": reason}
                    for index, reason in sorted(errors.items())
                ]
            }
        )
    existing = {phase.pk: phase for phase in consultation.phases.all()}
    keep = []
    for index, row in enumerate(rows):
        phase = existing.get(row.get("id")) if row.get("id") else None
        if row.get("id") and phase is None:
            raise ValidationError(
                {"phases": _("Phase %(number)d: unknown phase.") % {"number": index + 1}}
            )
        phase = phase or Phase(consultation=consultation)
        for name in PHASE_FIELDS:
            if name in row:
                setattr(phase, name, row[name])
        try:
            phase.full_clean(exclude=["consultation"])
        except ValidationError as error:
            raise ValidationError(
                {"phases": _row_messages(error, index, _("Phase %(number)d: %(reason)s"))}
            ) from None
        keep.append(phase)
    consultation.phases.exclude(pk__in=[p.pk for p in keep if p.pk]).delete()
    for phase in keep:
        phase.save()
    changed(consultation.pk, Change.PHASE)


def _save_categories(consultation: Consultation, rows: Sequence[Mapping[str, Any]]) -> None:
    names = [str(row.get("name", "")).strip().casefold() for row in rows]
    for index, name in enumerate(names):
        if name and name in names[:index]:
            raise ValidationError(
                {
                    "categories": _("Category %(number)d: two categories have the same name.")
                    % {"number": index + 1}
                }
            )
    existing = {category.pk: category for category in consultation.categories.all()}
    stored_names = {pk: category.name for pk, category in existing.items()}
    keep = []
    for index, row in enumerate(rows):
        category = existing.get(row.get("id")) if row.get("id") else None
        if row.get("id") and category is None:
            raise ValidationError(
                {"categories": _("Category %(number)d: unknown category.") % {"number": index + 1}}
            )
        category = category or Category(consultation=consultation)
        for name in CATEGORY_FIELDS:
            if name in row:
                setattr(category, name, row[name].strip() if name == "name" else row[name])
        if "position" not in row:
            category.position = index
        keep.append(category)
    # Removed categories go first, so a new one may take a removed one's name; renamed ones
    # step aside under a placeholder name, so two may swap names without a unique clash.
    consultation.categories.exclude(pk__in=[c.pk for c in keep if c.pk]).delete()
    renamed = [c for c in keep if c.pk and c.name != stored_names[c.pk]]
    for category in renamed:
        Category.objects.filter(pk=category.pk).update(name=f"\u2060{category.pk}")
    for index, category in enumerate(keep):
        try:
            category.full_clean(exclude=["consultation"], validate_constraints=False)
        except ValidationError as error:
            raise ValidationError(
                {"categories": _row_messages(error, index, _("Category %(number)d: %(reason)s"))}
            ) from None
        category.save()
    changed(consultation.pk, Change.CATEGORY)


def _row_messages(error: ValidationError, index: int, template: str) -> list[str]:
    return [
        template % {"number": index + 1, "reason": message}
        for messages in error.message_dict.values()
        for message in messages
    ]


# --- plan layers and official map services ---------------------------------------------------

PLAN_STYLE_FIELDS = (
    "name",
    "legend",
    "colour",
    "line_width",
    "fill_colour",
    "fill_opacity",
    "dash",
)


def _require_map_manager(actor, consultation: Consultation) -> None:
    """Plan layers and map services are changed only by those who may manage the map."""
    if not permissions.can_manage_plan_layers(actor, consultation):
        raise PermissionDenied(_("You may not change this consultation's map."))


@transaction.atomic
def plan_layer_upload(
    *, actor, consultation: Consultation, upload, data: Mapping[str, Any]
) -> PlanLayer:
    """Read a GIS file into a new plan layer at the end of the order. The file is read and
    checked before anything is written, and the rest happens in one transaction: a file that
    fails leaves no layer behind."""
    from maps import gis

    _require_map_manager(actor, consultation)
    layer = PlanLayer(
        consultation=consultation,
        created_by=actor,
        **{key: data[key] for key in PLAN_STYLE_FIELDS if key in data},
    )
    layer.full_clean(exclude=["source_name", "source_crs"])
    plan = gis.read_plan_file(upload)
    last = consultation.plan_layers.aggregate(last=Max("position"))["last"]
    layer.position = 0 if last is None else last + 1
    layer.source_name = Path(getattr(upload, "name", "") or "").name[:255]
    layer.source_crs = plan.source_crs[:200]
    layer.feature_count = len(plan.features)
    layer.vertex_count = plan.vertex_count
    layer.save()
    features = PlanFeature.objects.bulk_create(
        [
            PlanFeature(
                layer=layer,
                number=feature.number,
                name=feature.name,
                kind=feature.kind,
                properties=feature.properties,
                geometry=gis.geometry_text(feature.geometry),
            )
            for feature in plan.features
        ],
        batch_size=500,
    )
    levels = gis.simplified_levels([feature.geometry for feature in plan.features])
    PlanFeatureShape.objects.bulk_create(
        [
            PlanFeatureShape(feature_id=feature.pk, zoom=zoom, geometry=text)
            for zoom, texts in levels.items()
            for feature, text in zip(features, texts, strict=True)
        ],
        batch_size=1000,
    )
    changed(consultation.pk, Change.MAP_LAYERS)
    audit_record(
        actor=actor,
        action="consultation.plan_layer_create",
        target=layer,
        consultation_id=consultation.pk,
        changes={
            "name": layer.name,
            "file": layer.source_name,
            "crs": layer.source_crs,
            "features": layer.feature_count,
        },
    )
    return layer


@transaction.atomic
def plan_layer_update(*, actor, layer: PlanLayer, data: Mapping[str, Any]) -> PlanLayer:
    """Change a layer's name, legend and style."""
    layer = PlanLayer.objects.select_for_update().select_related("consultation").get(pk=layer.pk)
    _require_map_manager(actor, layer.consultation)
    changed_fields = []
    for key in PLAN_STYLE_FIELDS:
        if key in data and getattr(layer, key) != data[key]:
            setattr(layer, key, data[key])
            changed_fields.append(key)
    layer.full_clean()
    layer.version += 1
    layer.save()
    changed(layer.consultation_id, Change.MAP_LAYERS)
    audit_record(
        actor=actor,
        action="consultation.plan_layer_update",
        target=layer,
        consultation_id=layer.consultation_id,
        changes={"fields": changed_fields},
    )
    return layer


@transaction.atomic
def plan_layer_move(*, actor, layer: PlanLayer, direction: str) -> PlanLayer:
    """Move a layer one place up (drawn earlier, under the others) or down in the order."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Move a layer up or down.")})
    consultation = Consultation.objects.select_for_update().get(pk=layer.consultation_id)
    _require_map_manager(actor, consultation)
    layers = move_one_place(
        consultation.plan_layers.order_by("position", "pk"), layer.pk, direction
    )
    PlanLayer.objects.bulk_update(layers, ["position"])
    changed(consultation.pk, Change.MAP_LAYERS)
    audit_record(
        actor=actor,
        action="consultation.plan_layer_move",
        target=layer,
        consultation_id=consultation.pk,
        changes={"order": [item.pk for item in layers]},
    )
    return next(item for item in layers if item.pk == layer.pk)


@transaction.atomic
def plan_layer_delete(*, actor, layer: PlanLayer) -> None:
    _require_map_manager(actor, layer.consultation)
    consultation_id = layer.consultation_id
    audit_record(
        actor=actor,
        action="consultation.plan_layer_delete",
        target=layer,
        consultation_id=consultation_id,
        changes={"name": layer.name, "features": layer.feature_count},
    )
    layer.delete()
    changed(consultation_id, Change.MAP_LAYERS)


MAP_SERVICE_FIELDS = (
    "name",
    "protocol",
    "role",
    "url",
    "layers",
    "image_format",
    "attribution",
    "opacity",
    "capabilities_url",
    "style",
    "tile_matrix_set",
    "tile_matrices",
    "bounds",
)
# What a planner may change on a WMTS service without reading its capabilities again.
WMTS_SETTINGS_FIELDS = ("name", "role", "attribution", "opacity")


@transaction.atomic
def map_service_create(*, actor, consultation: Consultation, data: Mapping[str, Any]) -> MapService:
    """Add an official map service (WMS or WMTS) to the consultation's map."""
    _require_map_manager(actor, consultation)
    service = MapService(
        consultation=consultation,
        **{key: data[key] for key in MAP_SERVICE_FIELDS if key in data},
    )
    last = consultation.map_services.aggregate(last=Max("position"))["last"]
    service.position = 0 if last is None else last + 1
    service.full_clean()
    service.save()
    changed(consultation.pk, Change.MAP_LAYERS)
    audit_record(
        actor=actor,
        action="consultation.map_service_create",
        target=service,
        consultation_id=consultation.pk,
        changes={"name": service.name, "url": service.url, "role": service.role},
    )
    return service


def map_service_add_wmts(
    *, actor, consultation: Consultation, data: Mapping[str, Any], capabilities=None
) -> MapService:
    """Add one layer of a WMTS service, read from the service's capabilities (fetched here unless
    the caller read them for the same address): its tile template, the matrix identifier of
    each zoom and its extent. The attribution defaults to the capabilities' provider. Every
    check runs before anything is saved."""
    from maps import wmts

    _require_map_manager(actor, consultation)
    address = (data.get("capabilities_url") or "").strip()
    try:
        if capabilities is None or capabilities.address != address:
            capabilities = wmts.read_capabilities(address)
        source = wmts.tile_source(
            capabilities,
            layer=data.get("layer", ""),
            style=data.get("style", ""),
            image_format=data.get("image_format", ""),
            matrix_set=data.get("tile_matrix_set", ""),
        )
    except ValidationError as error:
        # maps.wmts speaks of the address it read; here that is the capabilities address.
        raise ValidationError(
            {
                "capabilities_url" if field == "url" else field: reasons
                for field, reasons in error.message_dict.items()
            }
        ) from None
    attribution = (data.get("attribution") or "").strip() or source.provider
    if not attribution:
        raise ValidationError(
            {"attribution": _("The capabilities name no provider: say who made the map.")}
        )
    return map_service_create(
        actor=actor,
        consultation=consultation,
        data={
            "name": data.get("name", ""),
            "role": data.get("role", MapService.Role.OVERLAY),
            "opacity": data.get("opacity", 70),
            "protocol": MapService.Protocol.WMTS,
            "url": source.url,
            "layers": source.layer,
            "style": source.style,
            "image_format": source.image_format,
            "tile_matrix_set": source.matrix_set,
            "tile_matrices": source.matrices,
            "bounds": source.bounds,
            "capabilities_url": address,
            "attribution": attribution[:250],
        },
    )


@transaction.atomic
def map_service_update(*, actor, service: MapService, data: Mapping[str, Any]) -> MapService:
    """Change a map service's address, layers, attribution, opacity or role."""
    service = (
        MapService.objects.select_for_update().select_related("consultation").get(pk=service.pk)
    )
    _require_map_manager(actor, service.consultation)
    changed_fields = []
    # A WMTS layer's address and matrices come from its capabilities, never from a form.
    allowed = (
        WMTS_SETTINGS_FIELDS if service.protocol == MapService.Protocol.WMTS else MAP_SERVICE_FIELDS
    )
    for key in allowed:
        if key in data and getattr(service, key) != data[key]:
            setattr(service, key, data[key])
            changed_fields.append(key)
    service.full_clean()
    service.save()
    changed(service.consultation_id, Change.MAP_LAYERS)
    audit_record(
        actor=actor,
        action="consultation.map_service_update",
        target=service,
        consultation_id=service.consultation_id,
        changes={"fields": changed_fields, "url": service.url},
    )
    return service


@transaction.atomic
def map_service_delete(*, actor, service: MapService) -> None:
    _require_map_manager(actor, service.consultation)
    consultation_id = service.consultation_id
    audit_record(
        actor=actor,
        action="consultation.map_service_delete",
        target=service,
        consultation_id=consultation_id,
        changes={"name": service.name, "url": service.url},
    )
    service.delete()
    changed(consultation_id, Change.MAP_LAYERS)
