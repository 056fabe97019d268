from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from civic.antispam import HumanCheckMixin

from .models import PublicReason, ReportReason

QUEUE_ACTIONS = [
    ("keep", _("Keep (dismiss the reports)")),
    ("hide", _("Hide with a public reason")),
    ("restore", _("Restore")),
    ("approve", _("Approve and publish")),
    ("reject", _("Reject")),
    ("redact", _("Redact photo")),
]


class ReportForm(HumanCheckMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for “Other”. Only the moderators read this."),
    )


class QueueActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=QUEUE_ACTIONS)
    public_reason = forms.ChoiceField(
        label=_("Public reason"),
        choices=[("", _("(for hide and reject)")), *PublicReason.choices],
        required=False,
        help_text=_("The public sees “hidden by the moderator: <reason>”."),
    )
    note = forms.CharField(
        label=_("Note for the log and the author"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140, required=False)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Remove the personal data; the original is kept in the log."),
    )
    note = forms.CharField(label=_("Reason (for the log and the author)"), max_length=500)

    def __init__(self, *args, with_title: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent by e-mail to the author. Their address is not shown to you."),
    )


class BlockForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Block from"),
        choices=[("consultation", _("This consultation")), ("site", _("The whole site"))],
        widget=forms.RadioSelect,
        initial="consultation",
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, initial=7)
    reason = forms.CharField(
        label=_("Reason (the person is told)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.MODERATION_MAX_BLOCK_DAYS
        self.fields["days"].widget.attrs["max"] = settings.MODERATION_MAX_BLOCK_DAYS


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should the decision change?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept: reverse the decision")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the author"), required=False, max_length=500)


class DeleteAccountForm(forms.Form):
    contributions = forms.ChoiceField(
        label=_("What happens to your ideas and comments?"),
        choices=[
            ("anonymise", _("Keep them, shown as “Deleted user”")),
            ("remove", _("Remove them")),
        ],
        widget=forms.RadioSelect,
        initial="anonymise",
    )
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        help_text=_("Leave empty if you have never set a password (e.g. you sign in with eID)."),
    )
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."))
