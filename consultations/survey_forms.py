"""Forms of a map survey: the planner's question form and the resident's answer form, which
works without JavaScript (places from the address search added as the point, or as the next
corner of the line or area) and takes the drawing from the map when the script is there."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civic.reasons import PublicReason

from .models import MapQuestion

MAX_SEARCH_LENGTH = 200


class MapQuestionForm(forms.ModelForm):
    class Meta:
        model = MapQuestion
        fields = ["prompt", "help_text", "kind", "required", "max_answers"]
        widgets = {"help_text": forms.Textarea(attrs={"rows": 3})}

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class Vertex:
    """A place in the keyboard form: (longitude, latitude) and the name it was found under."""

    def __init__(self, longitude: float, latitude: float, label: str = ""):
        self.longitude = longitude
        self.latitude = latitude
        self.label = label

    @property
    def value(self) -> str:
        return f"{self.longitude:.7f},{self.latitude:.7f}|{self.label}"

    @classmethod
    def parse(cls, raw: str) -> "Vertex | None":
        """A vertex from a form value; None for anything that is not two finite numbers (the
        service checks ranges and the area)."""
        import math

        position, _sep, label = (raw or "").partition("|")
        parts = position.split(",")
        if len(parts) != 2:
            return None
        try:
            longitude, latitude = float(parts[0]), float(parts[1])
        except ValueError:
            return None
        if not (math.isfinite(longitude) and math.isfinite(latitude)):
            return None
        return cls(longitude, latitude, " ".join(label.split())[:MAX_SEARCH_LENGTH])


class DrawnAnswerForm(forms.Form):
    """The drawing (GeoJSON from the map) or the list of places (the keyboard way), a comment."""

    geometry = forms.CharField(required=False, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 280}),
        help_text=_("At most 280 characters. Shown with your drawing to the planners."),
    )
    q = forms.CharField(
        label=_("Find a place or address"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class HideAnswerForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why is it hidden?"), choices=PublicReason.choices)
