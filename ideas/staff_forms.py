from django import forms
from django.utils.translation import gettext_lazy as _

from civic.query_params import search_text
from consultations.models import Consultation

from .models import AnswerTemplate


class TemplateFilterForm(forms.Form):
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=Consultation.objects.none(),
        required=False,
        empty_label=_("All your consultations"),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=200)

    def __init__(self, *args, consultations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = consultations

    def clean_q(self):
        return search_text(self.cleaned_data["q"], name="q")


class StaffAnswerTemplateForm(forms.ModelForm):
    """An answer template with the consultation it belongs to (one the person runs)."""

    consultation = forms.ModelChoiceField(
        label=_("Consultation"), queryset=Consultation.objects.none(), empty_label=None
    )

    class Meta:
        model = AnswerTemplate
        fields = ["consultation", "title", "status", "body"]
        help_texts = {
            "status": _("The status the answer form sets when this template is picked (optional)."),
            "body": _("The planner can still edit the text before the answer is sent."),
        }

    def __init__(self, *args, consultations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = consultations
