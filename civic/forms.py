from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import consent, legal
from .changes import Change, changed
from .models import User
from .services import supported_language


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form: how the person wants to appear.

    allauth's own sign-up form inherits from this class (ACCOUNT_SIGNUP_FORM_CLASS) and calls
    `signup` once the account exists.
    """

    field_order = [
        "display_name",
        "email",
        "password1",
        "password2",
        "show_name_publicly",
        "accept_terms",
    ]

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

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and have read the privacy notice"),
        error_messages={"required": _("Accept the terms of use to create an account.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_terms"].help_text = format_html(
            '<a href="{}" target="_blank">{}</a> · <a href="{}" target="_blank">{}</a>',
            reverse("legal", kwargs={"kind": "terms"}),
            _("Terms of use"),
            reverse("legal", kwargs={"kind": "privacy"}),
            _("Privacy notice"),
        )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.show_name_publicly = self.cleaned_data["show_name_publicly"]
        # The language the person signed up in: their e-mails are written in it from now on.
        user.language = supported_language(translation.get_language())
        # What exactly was accepted, and when: the versions of the texts shown in that language.
        versions = legal.current_versions(user.language or settings.LANGUAGE_CODE)
        user.terms_version = versions["terms"]
        user.privacy_version = versions["privacy"]
        user.consented_at = timezone.now()
        # The municipality signed up at is the one whose texts were accepted (civic.consent).
        consent.consent_record(user, language=user.language)
        user.save(
            update_fields=[
                "display_name",
                "show_name_publicly",
                "language",
                "terms_version",
                "privacy_version",
                "consented_at",
            ]
        )


class ConsentForm(forms.Form):
    """Accepting the terms of use and privacy notice of the municipality served."""

    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and have read the privacy notice"),
        error_messages={"required": _("Accept the terms of use to take part here.")},
    )


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
