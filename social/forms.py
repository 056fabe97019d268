from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civic.external_urls import validate_external_url
from social.adapters import CREDENTIAL_FIELDS, config
from social.models import PLATFORM_CHOICES, Channel
from social.selectors import SITE


def _credentials_help() -> str:
    # Translated when shown: interpolating at import would fix the language of the first
    # request's process for everyone.
    fields = "; ".join(
        f"{platform}: {', '.join(names)}" for platform, names in CREDENTIAL_FIELDS.items()
    )
    return gettext("One key=value per line. %(fields)s") % {"fields": fields}


class ChannelForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORM_CHOICES)
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to use the account's own name."),
    )
    base_url = forms.URLField(
        label=_("Base URL"),
        required=False,
        assume_scheme="https",
        validators=[validate_external_url],
        help_text=_("The Mastodon instance or Bluesky server; empty for the platform's own host."),
    )
    credentials = forms.CharField(
        label=_("Credentials"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=lazy(lambda: _credentials_help(), str)(),
    )
    token_expires_at = forms.DateTimeField(
        label=_("Token expires"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_credentials(self) -> dict[str, str]:
        pairs = {}
        for line in self.cleaned_data["credentials"].splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise forms.ValidationError(_("Write each credential as key=value."))
            pairs[key.strip()] = value.strip()
        return pairs

    def clean(self):
        data = super().clean()
        if data.get("platform") == config.MASTODON and not data.get("base_url"):
            self.add_error("base_url", _("A Mastodon channel needs its instance URL."))
        return data


class ReauthoriseForm(forms.Form):
    credentials = ChannelForm.base_fields["credentials"]
    token_expires_at = ChannelForm.base_fields["token_expires_at"]
    clean_credentials = ChannelForm.clean_credentials


class PlatformLoginForm(forms.Form):
    """Start "Connect with <platform>": the platform is the button pressed (`platform`)."""

    base_url = forms.URLField(
        label=_("Mastodon instance or other host"),
        required=False,
        assume_scheme="https",
        validators=[validate_external_url],
        help_text=_(
            "Mastodon: the instance's address, e.g. https://mastodon.social. Other platforms: "
            "leave empty to use the platform's own host."
        ),
    )
    name = ChannelForm.base_fields["name"]

    def __init__(self, *args, platform: str = "", **kwargs):
        # Shown on the same page as ChannelForm, whose fields share these names: own ids keep
        # every label pointing at its own field.
        kwargs.setdefault("auto_id", "id_login_%s")
        super().__init__(*args, **kwargs)
        self.platform = platform

    def clean(self):
        data = super().clean()
        if self.platform == config.MASTODON and not data.get("base_url"):
            self.add_error("base_url", _("A Mastodon channel needs its instance URL."))
        return data


class PageChoiceForm(forms.Form):
    page = forms.ChoiceField(label=_("Page"), widget=forms.RadioSelect)

    def __init__(self, *args, pages: list[dict[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["page"].choices = [(page["id"], page["name"]) for page in pages]


class CrisisStopForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to every planner while publishing is stopped."),
    )


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class RescheduleForm(forms.Form):
    """A new day and time for a post: the calendar's form, and what its drag and drop sends.

    The time is the site's local time; `view` and `date` only say which calendar period to
    return to.
    """

    date = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Choose a day."),
            "invalid": _("Enter a date as YYYY-MM-DD."),
        },
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(
            attrs={"type": "time", "aria-describedby": "time-help"}, format="%H:%M"
        ),
        error_messages={
            "required": _("Choose a time of day."),
            "invalid": _("Enter a time as HH:MM."),
        },
    )
    # Where to return to; never an error (an unknown value just means "this week").
    view = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    focus = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def clean_view(self) -> str:
        from social.calendar import VIEWS

        view = self.cleaned_data.get("view") or ""
        return view if view in VIEWS else ""

    def clean_focus(self):
        from django.utils.dateparse import parse_date

        try:
            return parse_date(self.cleaned_data.get("focus") or "")
        except ValueError:
            return None

    def scheduled_at(self):
        """The chosen day and time as an aware moment in the site's time zone."""
        from datetime import datetime

        from django.utils import timezone

        moment = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(moment)


class HideCommentForm(forms.Form):
    hidden_reason = forms.CharField(label=_("Reason for hiding"), max_length=300, required=False)


class CalendarForm(forms.Form):
    """Which period the content calendar shows; both fields optional (this week by default)."""

    view = forms.ChoiceField(
        label=_("Show"),
        choices=[("week", _("Week")), ("month", _("Month"))],
        required=False,
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class InboxChannelField(forms.ModelChoiceField):
    """A channel, or "site" for the comments in the site's own debate."""

    class iterator(forms.models.ModelChoiceIterator):  # noqa: N801 (Django's attribute name)
        def __iter__(self):
            choices = iter(super().__iter__())
            if self.field.empty_label is not None:
                yield next(choices)
            yield (SITE, _("This site"))
            yield from choices

    def to_python(self, value):
        if value == SITE:
            return SITE
        return super().to_python(value)

    def validate(self, value):
        if value != SITE:
            super().validate(value)


class InboxFilterForm(forms.Form):
    consultation = forms.ModelChoiceField(
        label=_("Consultation"),
        queryset=None,
        required=False,
        to_field_name="slug",
        empty_label=_("All consultations"),
    )
    channel = InboxChannelField(
        label=_("Channel"), queryset=None, required=False, empty_label=_("All channels")
    )
    unanswered = forms.BooleanField(label=_("Only unanswered"), required=False)
    mine = forms.BooleanField(label=_("Only those given to me"), required=False)

    def __init__(self, *args, user, **kwargs):
        from consultations.models import Consultation

        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = Consultation.objects.managed_by(user).order_by(
            "title"
        )
        self.fields["channel"].queryset = Channel.objects.listed().order_by("platform", "name")
