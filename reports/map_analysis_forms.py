"""The map analysis page's forms: a selection chosen without drawing, and the plan comparison."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maps import analysis

from .map_analysis import DEFAULT_METRES


class HeatForm(forms.Form):
    kind = forms.ChoiceField(label=_("Show"), widget=forms.RadioSelect, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(c.code, c.label()) for c in analysis.countables()]

    def clean_kind(self):
        return self.cleaned_data["kind"] or "ideas"


class SelectionForm(forms.Form):
    """A selection by keyboard: a plan feature, a box, or a named place with a radius."""

    METHODS = [
        ("feature", _("A feature of a plan layer")),
        ("bbox", _("A box of coordinates")),
        ("place", _("A place and a radius")),
    ]

    select = forms.ChoiceField(label=_("Select by"), choices=METHODS, widget=forms.RadioSelect)
    feature = forms.TypedChoiceField(label=_("Plan feature"), required=False, coerce=int)
    metres = forms.IntegerField(
        label=_("Distance from a line or point (metres)"),
        required=False,
        min_value=1,
        max_value=analysis.MAX_BUFFER_METRES,
        initial=DEFAULT_METRES,
        help_text=_("An area counts what lies inside it."),
    )
    bbox = forms.CharField(
        label=_("Box"),
        required=False,
        max_length=200,
        help_text=_("West, south, east, north in degrees, e.g. 12.58,55.67,12.61,55.69"),
    )
    place = forms.CharField(label=_("Place or address"), required=False, max_length=200)
    radius = forms.IntegerField(
        label=_("Radius (metres)"),
        required=False,
        min_value=1,
        max_value=analysis.MAX_BUFFER_METRES,
        initial=500,
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, features=(), **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for feature in features:
            label = f"{feature} ({feature.get_kind_display()})"
            groups.setdefault(feature.layer.name, []).append((feature.pk, label))
        self.fields["feature"].choices = [("", _("Choose a feature")), *groups.items()]

    def clean(self):
        data = super().clean()
        method = data.get("select")
        required = {"feature": ["feature"], "bbox": ["bbox"], "place": ["place"]}.get(method, [])
        for name in required:
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("This field is required for this kind of selection."))
        return data


class CompareForm(forms.Form):
    distance = forms.IntegerField(
        label=_("Distance from lines and points (metres)"),
        required=False,
        min_value=1,
        max_value=analysis.MAX_BUFFER_METRES,
        initial=DEFAULT_METRES,
    )
    sort = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean_distance(self):
        return self.cleaned_data["distance"] or DEFAULT_METRES
