"""Robot traps for public forms: a honeypot field and a minimum time between showing and sending.

Any form mixes in `HumanCheckMixin`; the template renders `form.website` and `form.started`
inside an element with class "honeypot" (hidden from people by CSS and from screen readers).
"""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

FORM_STARTED_SALT = "civic.antispam.started"


def min_fill_seconds() -> float:
    return float(getattr(settings, "FORM_MIN_FILL_SECONDS", 3))


class HumanCheckMixin(forms.Form):
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["started"] = signing.dumps(time.time(), salt=FORM_STARTED_SALT)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("The form could not be sent. Please try again."))
        try:
            started = signing.loads(
                cleaned.get("started") or "", salt=FORM_STARTED_SALT, max_age=24 * 3600
            )
        except signing.BadSignature:
            raise forms.ValidationError(
                _("The form has expired. Please check it and send it again.")
            ) from None
        if time.time() - float(started) < min_fill_seconds():
            raise forms.ValidationError(_("That was very fast. Please check and send it again."))
        return cleaned
