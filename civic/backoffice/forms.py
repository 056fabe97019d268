import re

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civic import imaging
from civic.audit_labels import ACTION_LABELS, action_label
from civic.branding import STORED_FIELDS
from civic.models import ApiToken, Municipality, Role
from civic.query_params import search_text

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.1 AA for normal text: white text on the brand colour (buttons, badges, the header).
MIN_CONTRAST = 4.5


def _no_nul(value: str, field: str) -> str:
    return search_text(value, name=field)


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=200)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )

    def clean_q(self):
        return _no_nul(self.cleaned_data["q"], "q")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.RadioSelect)
    limited_to_assigned = forms.BooleanField(
        label=_("Limited to assigned consultations"),
        required=False,
        help_text=_(
            "Planners only: they may run only the consultations they are added to as planners."
        ),
    )


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        help_texts = {"name": _("What the token is for, e.g. “Data warehouse export”.")}


def _action_choices():
    labelled = sorted(ACTION_LABELS, key=lambda code: str(action_label(code)).lower())
    return [("", _("All actions")), *((code, action_label(code)) for code in labelled)]


def _kind_choices():
    from civic.models import AuditEntry

    ids = AuditEntry.objects.exclude(content_type=None).values_list("content_type", flat=True)
    kinds = ContentType.objects.filter(pk__in=ids.distinct().order_by())
    named = []
    for kind in kinds:
        model = kind.model_class()
        label = model._meta.verbose_name if model else kind.model
        named.append((str(kind.pk), str(label).capitalize()))
    return [("", _("All kinds")), *sorted(named, key=lambda pair: pair[1].lower())]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=150,
        help_text=_("Part of a staff member's e-mail, or a resident's pseudonym code."),
    )
    kind = forms.ChoiceField(label=_("Kind of object"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _action_choices()
        self.fields["kind"].choices = _kind_choices()
        for name in ("date_from", "date_to"):
            self.fields[name].error_messages["invalid"] = _(
                "Give a date as year-month-day, e.g. 2026-03-31."
            )

    def clean_action(self):
        return _no_nul(self.cleaned_data["action"], "action")

    def clean_actor(self):
        return _no_nul(self.cleaned_data["actor"], "actor")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class MunicipalitySettingsForm(forms.ModelForm):
    """Blank fields follow the environment's settings, shown as each field's placeholder."""

    clear_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Municipality
        # The fields the site reads through civic.branding, in the same order.
        fields = list(STORED_FIELDS)
        widgets = {
            "logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "brand_colour": forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
        }
        help_texts = {
            "logo": _("PNG, JPEG or WebP, at most 2 MB. Location and other metadata are removed."),
            "brand_colour": _(
                "A colour as #rrggbb. White text on it must be easy to read (contrast at least "
                "4.5:1)."
            ),
            "map_zoom": _("From 3 (a country) to 19 (a street)."),
            "tile_url": _(
                "An https address with {z}, {x} and {y}, e.g. "
                "https://tile.openstreetmap.org/{z}/{x}/{y}.png."
            ),
            "tile_attribution": _("Who made the map, as the tile service asks to be credited."),
        }

    def __init__(self, *args, environment, **kwargs):
        super().__init__(*args, **kwargs)
        placeholders = {
            "name": environment.name,
            "brand_colour": environment.colour,
            "contact_email": environment.contact_email,
            "email_sender": environment.email_sender,
            "geocoder_countries": environment.geocoder_countries,
            "map_center_lat": environment.center_lat,
            "map_center_lon": environment.center_lon,
            "map_zoom": environment.zoom,
            "tile_url": environment.tile_url,
            "tile_attribution": environment.attribution,
        }
        for name, value in placeholders.items():
            self.fields[name].widget.attrs["placeholder"] = str(value)
        self.fields["logo"].required = False
        # Left out of a form sent by a script: the language stays as it is.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean_languages(self):
        named = [code.strip().lower() for code in self.cleaned_data["languages"].split(",")]
        named = [code for code in named if code]
        known = [code for code, _name in settings.LANGUAGES]
        unknown = [code for code in named if code not in known]
        if unknown:
            raise ValidationError(
                _("Not a language of this site: %(codes)s. Choose from %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(known)}
            )
        return ", ".join(code for code in known if code in named)

    def clean_brand_colour(self):
        colour = self.cleaned_data["brand_colour"].strip()
        if not colour:
            return ""
        if not HEX_COLOUR.match(colour):
            raise ValidationError(
                _("Give the colour as # and six hexadecimal digits, e.g. #1f4e79.")
            )
        ratio = imaging.contrast_ratio(imaging.rgb(colour), imaging.WHITE)
        if ratio < MIN_CONTRAST:
            raise ValidationError(
                _(
                    "White text on %(colour)s has a contrast of only %(ratio).1f:1; at least "
                    "4.5:1 is needed. Choose a darker colour."
                )
                % {"colour": colour, "ratio": ratio}
            )
        return colour.lower()

    def clean_map_center_lat(self):
        return _in_range(
            self.cleaned_data["map_center_lat"], 90, _("Give a latitude from -90 to 90.")
        )

    def clean_map_center_lon(self):
        return _in_range(
            self.cleaned_data["map_center_lon"], 180, _("Give a longitude from -180 to 180.")
        )

    def clean_map_zoom(self):
        zoom = self.cleaned_data["map_zoom"]
        leaflet = settings.LEAFLET_CONFIG
        low, high = leaflet.get("MIN_ZOOM", 3), leaflet.get("MAX_ZOOM", 19)
        if zoom is not None and not low <= zoom <= high:
            raise ValidationError(
                _("Give a zoom from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
        return zoom

    def clean_tile_url(self):
        url = self.cleaned_data["tile_url"].strip()
        if not url:
            return ""
        from civic.security_headers import source_of

        if not url.startswith("https://") or source_of(url) is None:
            raise ValidationError(_("Give an https:// address of the tile service."))
        missing = [part for part in ("{z}", "{x}", "{y}") if part not in url]
        if missing:
            raise ValidationError(
                _("The address must hold %(parts)s, where the map puts each tile's place.")
                % {"parts": ", ".join(missing)}
            )
        if any(char in url for char in "\"'<> \\"):
            raise ValidationError(_("The address holds characters an address cannot have."))
        return url

    def clean(self):
        data = super().clean()
        offered = [code for code in (data.get("languages") or "").split(", ") if code]
        if offered and data.get("language") and data["language"] not in offered:
            self.add_error(
                "language", _("The default language must be one of the languages offered.")
            )
        if data.get("tile_url") and not (data.get("tile_attribution") or "").strip():
            self.add_error("tile_attribution", _("Say who made the map: tile services require it."))
        lat, lon = data.get("map_center_lat"), data.get("map_center_lon")
        if (lat is None) != (lon is None) and not self.has_error("map_center_lat"):
            self.add_error(
                "map_center_lon" if lon is None else "map_center_lat",
                _("Give both the latitude and the longitude of the centre, or neither."),
            )
        return data


def _in_range(value, limit, message):
    if value is not None and not -limit <= value <= limit:
        raise ValidationError(message)
    return value
