from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form: how the person wants to appear."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown only if you choose to show your name publicly."),
    )
    show_name_publicly = forms.BooleanField(
        label=_("Show my name publicly"),
        required=False,
        help_text=_(
            "Otherwise you appear under a neutral pseudonym. "
            "We never show your e-mail address or phone number."
        ),
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.show_name_publicly = self.cleaned_data["show_name_publicly"]
        user.save(update_fields=["display_name", "show_name_publicly"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "show_name_publicly", "phone"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("show_name_publicly") and not (cleaned.get("display_name") or "").strip():
            self.add_error(
                "display_name", _("Enter the name to show, or keep showing the pseudonym.")
            )
        return cleaned
