from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .changes import Change, changed
from .models import User
from .services import supported_language


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form: how the person wants to appear.

    allauth's own sign-up form inherits from this class (ACCOUNT_SIGNUP_FORM_CLASS) and calls
    `signup` once the account exists.
    """

    field_order = ["display_name", "email", "password1", "password2", "show_name_publicly"]

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
        # The language the person signed up in: their e-mails are written in it from now on.
        user.language = supported_language(translation.get_language())
        user.save(update_fields=["display_name", "show_name_publicly", "language"])


PUBLIC_NAME_FIELDS = frozenset({"display_name", "show_name_publicly"})


class ProfileForm(forms.ModelForm):
    notification_kinds = forms.MultipleChoiceField(
        label=_("E-mail me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every e-mail also has a link to unsubscribe with one click."),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "show_name_publicly",
            "phone",
            "language",
            "notification_frequency",
        ]
        widgets = {"notification_frequency": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .notifications import KINDS, opted_out_kinds

        self.fields["notification_kinds"].choices = list(KINDS.items())
        if self.instance.pk:
            self.initial["notification_kinds"] = sorted(set(KINDS) - opted_out_kinds(self.instance))

    def save(self, commit=True):
        from .notifications import set_subscriptions

        user = super().save(commit=commit)
        if commit and PUBLIC_NAME_FIELDS & set(self.changed_data):
            changed(None, Change.PUBLIC_NAME)  # the shown name is on every page they took part in
        if commit:
            set_subscriptions(
                recipient=user, kinds=set(self.cleaned_data.get("notification_kinds") or [])
            )
        return user

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("show_name_publicly") and not (cleaned.get("display_name") or "").strip():
            self.add_error(
                "display_name", _("Enter the name to show, or keep showing the pseudonym.")
            )
        return cleaned
