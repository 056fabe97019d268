"""The planner's consultation form with its inline timeline and categories."""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from civic.models import Role, User
from maps.geometry import validate_area

from . import services
from .models import Category, Consultation, MapService, Phase, PlanLayer
from .validators import validate_hex_colour

AREA_FILE_MAX_BYTES = 2 * 1024 * 1024
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class PlannerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        # Only staff see this form, and they pick colleagues by the name they know.
        return user.display_name or user.public_name


class ConsultationForm(forms.ModelForm):
    # The maps widget draws on top of this textarea, so it keeps the id `id_area`.
    area = forms.CharField(
        label=_("Area (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "geojson"}),
        help_text=_(
            "A GeoJSON Polygon or MultiPolygon, longitude first. Ideas can only be pinned "
            "inside it. Leave empty to allow pins anywhere."
        ),
    )
    area_file = forms.FileField(
        label=_("…or upload the area as a .geojson file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
        help_text=_("A file replaces what is in the box above. At most 2 MB."),
    )
    planners = PlannerChoiceField(
        label=_("Planners running this consultation"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Planners limited to their own consultations see only those they run."),
    )

    class Meta:
        model = Consultation
        fields = [
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
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "cover_image": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp"}
            ),
        }
        help_texts = {
            "slug": _(
                "The page's address: lowercase letters, digits and hyphens. "
                "Leave empty to make it from the title."
            ),
            "cover_alt": _("Required with a cover image: what the image shows."),
            "body": _("Markdown is allowed: **bold**, *italic*, lists and links."),
        }

    def __init__(self, *args, can_assign_planners: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.area and not self.is_bound:
            self.initial["area"] = json.dumps(self.instance.area, indent=1)
        if can_assign_planners:
            self.fields["planners"].queryset = (
                User.objects.holding(Role.PLANNER)
                .filter(is_active=True, is_deleted=False)
                .order_by("display_name", "email")
            )
            if self.instance.pk and not self.is_bound:
                self.initial["planners"] = list(self.instance.planners.all())
        else:
            del self.fields["planners"]
        self.order_fields([*self.Meta.fields[:8], "area", "area_file"])

    def clean_slug(self):
        try:
            return services.checked_slug(
                self.cleaned_data.get("slug", ""),
                self.data.get(self.add_prefix("title"), "") or self.instance.title,
                self.instance.pk,
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["slug"]) from None

    def clean_area_file(self):
        upload = self.cleaned_data.get("area_file")
        if not upload:
            return None
        if upload.size > AREA_FILE_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not a GeoJSON text file.")) from None
        return _area_or_error(text)

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("area_file"):
            cleaned["area"] = self.cleaned_data["area_file"]
            self.instance.area = cleaned["area"]
        elif "area" in cleaned and "area_file" not in self.errors:
            text = (cleaned.get("area") or "").strip()
            try:
                cleaned["area"] = _area_or_error(text) if text else None
            except ValidationError as error:
                self.add_error("area", error)
                cleaned.pop("area", None)
            else:
                self.instance.area = cleaned["area"]
        return cleaned

    def service_data(self) -> dict:
        """The cleaned values in the shape consultation_create/update take."""
        data = {
            name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data
        }
        data["area"] = self.cleaned_data.get("area")
        if data.get("cover_image") is not None and "cover_image" not in self.changed_data:
            data.pop("cover_image")  # unchanged: keep the stored file
        return data


def _area_or_error(text: str) -> dict:
    try:
        return validate_area(text)
    except ValidationError as error:
        raise ValidationError(error.message_dict.get("area", error.messages)) from None


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = [
            "kind",
            "name",
            "starts_at",
            "ends_at",
            "allows_ideas",
            "allows_support",
            "allows_comments",
            "allows_poll",
        ]
        widgets = {"starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput()}
        help_texts = {"name": _("Optional; the kind is shown when empty.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .rules import PRESETS

        # Picking a kind ticks what that kind of phase usually allows (consultation_form.js).
        presets = {kind: list(flags) for kind, flags in PRESETS.items()}
        self.fields["kind"].widget.attrs["data-phase-presets"] = json.dumps(presets)

    def _post_clean(self):
        # The check constraint (end after start) is reported by the formset on the right
        # field; the row's own field validation is all that is needed here.
        return


class BaseRowsFormSet(BaseInlineFormSet):
    """Inline rows handed to a service as plain dicts instead of being saved by the formset."""

    def kept_forms(self) -> list[forms.Form]:
        """Filled-in rows not marked for deletion; untouched blank extra rows are skipped."""
        return [
            form
            for form in self.forms
            if (form.has_changed() or form.instance.pk)
            and not (self.can_delete and self._should_delete_form(form))
            and form.cleaned_data
        ]

    def service_rows(self) -> list[dict]:
        rows = []
        for form in self.kept_forms():
            row = {name: form.cleaned_data[name] for name in form.Meta.fields}
            row["id"] = form.instance.pk
            rows.append(row)
        return rows


class TimelineFormSet(BaseRowsFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = self.kept_forms()
        for index, reason in services.timeline_errors([f.cleaned_data for f in rows]).items():
            data = rows[index].cleaned_data
            field = "ends_at" if data["ends_at"] <= data["starts_at"] else "starts_at"
            rows[index].add_error(field, reason)


class CategoriesFormSet(BaseRowsFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.kept_forms():
            name = form.cleaned_data["name"].strip().casefold()
            if name in seen:
                form.add_error("name", _("Another category already has this name."))
            seen.add(name)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "colour"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].validators.append(validate_hex_colour)

    def _post_clean(self):
        # Uniqueness per consultation is checked across the rows by the formset.
        return


PhaseFormSet = inlineformset_factory(
    Consultation, Phase, form=PhaseForm, formset=TimelineFormSet, extra=1, can_delete=True
)
CategoryFormSet = inlineformset_factory(
    Consultation,
    Category,
    form=CategoryForm,
    formset=CategoriesFormSet,
    extra=1,
    can_delete=True,
)


class ResultsForm(forms.Form):
    results = forms.CharField(
        label=_("Results"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown is allowed. Residents see this on the consultation's page."),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (for the audit log)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- plan layers and map services ------------------------------------------------------------


class PlanLayerStyleForm(forms.ModelForm):
    class Meta:
        model = PlanLayer
        fields = ["name", "legend", "colour", "line_width", "fill_colour", "fill_opacity", "dash"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "fill_colour": forms.TextInput(attrs={"type": "color"}),
        }
        help_texts = {
            "colour": _("Lines and outlines. It must stand out against the map (3:1 contrast)."),
        }

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class PlanLayerUploadForm(PlanLayerStyleForm):
    file = forms.FileField(
        label=_("GIS file"),
        help_text=_(
            "GeoJSON, GeoPackage, KML or a zipped Shapefile, in any coordinate system the file "
            "declares (for example EUREF89 UTM 33N or ETRS89 UTM 32N)."
        ),
    )

    field_order = ["file", "name", "legend"]

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.consultation = consultation
        self.fields["file"].widget.attrs["accept"] = ".geojson,.json,.gpkg,.kml,.zip"

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        return data


class MapServiceForm(forms.ModelForm):
    class Meta:
        model = MapService
        fields = [
            "name",
            "protocol",
            "role",
            "url",
            "layers",
            "image_format",
            "attribution",
            "opacity",
        ]
        # The address is checked by the model (maps.services_config: https, {z}/{x}/{y}), not
        # guessed into shape by a form field that would add a scheme.
        field_classes = {"url": forms.CharField}
        widgets = {"url": forms.URLInput(attrs={"inputmode": "url"})}

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.consultation = consultation
        # A WMTS service is added from its capabilities (WmtsCapabilitiesForm, WmtsLayerForm).
        self.fields["protocol"].choices = [
            choice
            for choice in self.fields["protocol"].choices
            if choice[0] != MapService.Protocol.WMTS
        ]

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class MapServiceSettingsForm(forms.ModelForm):
    """What may change on a WMTS service; its layer and matrices come from the capabilities."""

    class Meta:
        model = MapService
        fields = ["name", "role", "attribution", "opacity"]

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class WmtsCapabilitiesForm(forms.Form):
    capabilities_url = forms.CharField(
        label=_("Capabilities address"),
        max_length=1000,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text=_(
            "The WMTS GetCapabilities address, e.g. https://…?SERVICE=WMTS&REQUEST=GetCapabilities "
            "or https://…/1.0.0/WMTSCapabilities.xml."
        ),
    )


class WmtsLayerForm(forms.Form):
    """A layer of a WMTS service with the style, format and tile matrix set to draw it in; the
    choices are those the capabilities offer (maps.wmts.Capabilities)."""

    name = forms.CharField(label=capfirst(_("name")), max_length=120)
    layer = forms.ChoiceField(label=_("Layer"))
    style = forms.ChoiceField(label=capfirst(_("style")), required=False)
    image_format = forms.ChoiceField(label=capfirst(_("image format")))
    tile_matrix_set = forms.ChoiceField(
        label=capfirst(_("tile matrix set")),
        help_text=_("Only sets in Web Mercator (EPSG:3857) can be drawn on this map."),
    )
    role = forms.ChoiceField(label=capfirst(_("shown as")), choices=MapService.Role.choices)
    attribution = forms.CharField(
        label=capfirst(_("attribution")),
        max_length=250,
        required=False,
        help_text=_("Who made the map; left empty, the provider the capabilities name."),
    )
    opacity = forms.IntegerField(
        label=capfirst(_("opacity (%)")), min_value=10, max_value=100, initial=70
    )

    def __init__(self, *args, capabilities, **kwargs):
        from maps.wmts import BROWSER_FORMATS

        super().__init__(*args, **kwargs)
        layers = list(capabilities.layers.values())
        self.fields["layer"].choices = [
            (
                layer.identifier,
                f"{layer.title} ({layer.identifier})" if layer.title else layer.identifier,
            )
            for layer in layers
        ]
        self.fields["style"].choices = _unique(style for layer in layers for style in layer.styles)
        self.fields["image_format"].choices = _unique(
            name for layer in layers for name in layer.formats if name in BROWSER_FORMATS
        )
        self.fields["tile_matrix_set"].choices = _unique(
            item.identifier for layer in layers for item in capabilities.usable_sets(layer)
        )
        self.capabilities_address = capabilities.address
        if layers and not self.is_bound:
            self.fields["name"].initial = layers[0].title[:120] or layers[0].identifier[:120]
            self.fields["style"].initial = layers[0].default_style

    def service_data(self) -> dict:
        return {**self.cleaned_data, "capabilities_url": self.capabilities_address}


def _unique(values) -> list[tuple[str, str]]:
    return [(value, value) for value in dict.fromkeys(values)]
