"""Forms for the debate pages. They only shape input; the services own the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.models import Topic

from .models import COMMENT_MAX_LENGTH, Stance
from .services import POLL_MAX_OPTIONS


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("Markdown is allowed: **bold**, *italic*, lists and links."),
    )
    stance = forms.ChoiceField(
        label=_("Your position"),
        choices=Stance.choices,
        initial=Stance.NEUTRAL,
        widget=forms.RadioSelect,
        required=False,
    )
    plan_feature = forms.TypedChoiceField(
        label=_("Part of the plan this is about"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Optional: a route, an area or a point of the plan on the map."),
    )
    anchor_longitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    anchor_latitude = forms.FloatField(widget=forms.HiddenInput, required=False)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    official = forms.BooleanField(
        label=_("Publish as the municipality's official answer"), required=False
    )

    def __init__(
        self,
        *args,
        with_stance: bool = True,
        may_answer_officially: bool = False,
        plan_features=(),
        **kw,
    ):
        prefix = kw.pop("prefix", None)
        super().__init__(*args, prefix=prefix, **kw)
        if not with_stance:
            del self.fields["stance"]
        if not may_answer_officially:
            del self.fields["official"]
        if plan_features:
            # Grouped by layer: [(layer name, [(id, feature name), ...]), ...]
            self.fields["plan_feature"].choices = [
                ("", _("The topic as a whole")),
                *[
                    (layer, [(feature.pk, str(feature)) for feature in features])
                    for layer, features in plan_features
                ],
            ]
            self.order_fields(["plan_feature", "anchor_longitude", "anchor_latitude", "body"])
        else:
            for name in ("plan_feature", "anchor_longitude", "anchor_latitude"):
                del self.fields[name]

    def chosen_point(self) -> tuple[float, float] | None:
        """The point on the plan the form carries (longitude, latitude), for "near …"."""
        if "anchor_longitude" not in self.fields:
            return None
        values = []
        for name in ("anchor_longitude", "anchor_latitude"):
            raw = self[name].value()
            try:
                values.append(float(raw))
            except (TypeError, ValueError):
                return None
        return values[0], values[1]


class ReplyForm(CommentForm):
    def __init__(self, *args, **kw):
        kw["with_stance"] = False
        super().__init__(*args, **kw)
        self.fields["body"].label = _("Your reply")


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=COMMENT_MAX_LENGTH,
        help_text=_("Markdown is allowed. The comment will be marked as edited."),
    )


class _RadioList(forms.RadioSelect):
    """Radio buttons for a single-choice poll, read as a one-item list like the checkboxes."""

    allow_multiple_selected = True


class PollForm(forms.Form):
    options = forms.TypedMultipleChoiceField(label=_("Your answer"), coerce=int)

    def __init__(self, *args, poll, **kw):
        super().__init__(*args, **kw)
        field = self.fields["options"]
        field.choices = [(option.pk, option.label) for option in poll.options]
        field.label = poll.topic.poll_question
        field.initial = sorted(poll.viewer_choices)
        field.error_messages["required"] = _("Choose an answer.")
        if poll.topic.poll_multiple:
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            field.help_text = _("You may choose several answers.")
        else:
            field.widget = _RadioList(choices=field.choices)


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Markdown is allowed."),
    )
    poll_question = forms.CharField(
        label=_("Poll question"),
        max_length=250,
        required=False,
        help_text=_("Leave empty for a topic without a poll."),
    )
    poll_options = forms.CharField(
        label=_("Poll answers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One answer per line, from 2 to %(n)d.") % {"n": POLL_MAX_OPTIONS},
    )
    poll_multiple = forms.BooleanField(label=_("Several answers allowed"), required=False)
    poll_results_visibility = forms.ChoiceField(
        label=_("Show poll results"),
        choices=Topic.ResultsVisibility.choices,
        initial=Topic.ResultsVisibility.AFTER_ANSWER,
    )

    @classmethod
    def initial_for(cls, topic: Topic) -> dict:
        return {
            "title": topic.title,
            "introduction": topic.introduction,
            "poll_question": topic.poll_question,
            "poll_options": "\n".join(option.label for option in topic.poll_options.all()),
            "poll_multiple": topic.poll_multiple,
            "poll_results_visibility": topic.poll_results_visibility,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "introduction": data["introduction"],
            "poll_question": data["poll_question"],
            "poll_options": data["poll_options"].splitlines(),
            "poll_multiple": data["poll_multiple"],
            "poll_results_visibility": data["poll_results_visibility"],
        }


def add_service_errors(form: forms.Form, error) -> None:
    """Put a service's ValidationError on the form's fields, or on the form as a whole."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            target = field if shown else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
