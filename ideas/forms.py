"""Forms of the idea pages. They check the shape of the input; the services check the rules."""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from consultations.models import Category

from .models import AnswerTemplate, Idea, IdeaStatus
from .selectors import SORTS

# A person needs a few seconds to write an idea; a form sent faster is a robot.
MIN_FILL_SECONDS = 3
FORM_STARTED_SALT = "ideas.form-started"


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140)
    description = forms.CharField(
        label=_("Describe your idea"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed: **bold**, *italic*, lists and links."),
        max_length=10_000,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text=_("Place the pin on the map, or enter the coordinates."),
    )
    longitude = forms.FloatField(
        label=_("Longitude"), widget=forms.NumberInput(attrs={"step": "any"})
    )
    address_label = forms.CharField(
        label=_("Address or place (optional)"), max_length=200, required=False
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.fields["category"].queryset = consultation.categories.all()
        if not consultation.categories.exists():
            del self.fields["category"]

    def location_fields(self):
        return [self[name] for name in ("latitude", "longitude", "address_label")]

    def content_fields(self):
        return [self[name] for name in ("title", "description", "category") if name in self.fields]


class PhotoForm(forms.Form):
    """One photo with its description; the idea form shows IDEA_MAX_IMAGES of these."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP. The photo's location data is removed."),
    )
    alt_text = forms.CharField(
        label=_("Describe the photo"),
        max_length=250,
        required=False,
        help_text=_("For people who cannot see it, e.g. “Empty quay with benches at sunset”."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not (cleaned.get("alt_text") or "").strip():
            self.add_error("alt_text", _("Describe the photo for people who cannot see it."))
        return cleaned


def photo_forms(data=None, files=None, count=None):
    count = settings.IDEA_MAX_IMAGES if count is None else count
    return [PhotoForm(data, files, prefix=f"photo{i}") for i in range(count)]


class AnonymousForm(forms.Form):
    """For visitors who are not signed in: an e-mail to confirm, and two robot traps."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_(
            "We send you a link to confirm the idea; it is published when you click it and "
            "an account is made for you. Your address is never shown."
        ),
    )
    # Hidden from people by CSS (class honeypot); robots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
                _("The form has expired. Please check your idea and send it again.")
            ) from None
        if time.time() - float(started) < MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("That was very fast. Please check your idea and send it again.")
            )
        return cleaned


class OnBehalfForm(forms.Form):
    on_behalf_of = forms.CharField(
        label=_("Submitted on behalf of"),
        max_length=120,
        required=False,
        help_text=_(
            "Planners only: the name of a person who sent the idea on paper or by phone. "
            "Leave empty to submit as yourself."
        ),
    )


class AnswerForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Start from an answer template"),
        queryset=AnswerTemplate.objects.none(),
        required=False,
        help_text=_("Fills in the answer; you can edit it before sending."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=IdeaStatus.choices)
    duplicate_of = forms.ModelChoiceField(
        label=_("Duplicate of"),
        queryset=Idea.objects.none(),
        required=False,
        help_text=_("Only when the status is “Merged as a duplicate”."),
    )
    answer = forms.CharField(
        label=_("Official answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Shown publicly at the top of the idea. Markdown is allowed."),
    )

    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = idea.consultation.answer_templates.all()
        self.fields["duplicate_of"].queryset = (
            Idea.objects.published().filter(consultation=idea.consultation).exclude(pk=idea.pk)
        )
        self.fields["duplicate_of"].label_from_instance = lambda i: f"{i.reference} {i.title}"
        if not self.is_bound:
            self.initial.update({"status": idea.status, "answer": idea.answer})

    def template_bodies(self) -> dict:
        """Template id -> body and status, for the script that fills in the answer."""
        return {
            str(t.pk): {"body": t.body, "status": t.status}
            for t in self.fields["template"].queryset
        }


class AnswerTemplateForm(forms.ModelForm):
    class Meta:
        model = AnswerTemplate
        fields = ["title", "status", "body"]


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *IdeaStatus.choices]
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORTS.items()))

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = consultation.categories.all()

    def filters(self) -> dict:
        if not self.is_valid():
            return {"sort": "shuffled", "category": None, "status": None, "search": ""}
        data = self.cleaned_data
        return {
            "sort": data.get("sort") or "shuffled",
            "category": data["category"].pk if data.get("category") else None,
            "status": data.get("status") or None,
            "search": data.get("q") or "",
        }
