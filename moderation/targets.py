"""What moderation acts on: an idea, one of an idea's photos, or a comment.

The three differ in how they are hidden and shown; these helpers give the rest of moderation one
way to ask, so that services and the queue never branch on the model themselves.
"""

from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from debate.models import Comment, CommentPublication
from ideas.models import Idea, IdeaImage, Publication

KINDS = ("idea", "photo", "comment")
Target = Idea | IdeaImage | Comment


def kind_of(target: Target) -> str:
    if isinstance(target, Idea):
        return "idea"
    if isinstance(target, IdeaImage):
        return "photo"
    return "comment"


def load(kind: str, pk, *, for_update: bool = False) -> Target:
    """The contribution named by kind and id, or a ValidationError saying what is wrong."""
    model = {"idea": Idea, "photo": IdeaImage, "comment": Comment}.get(kind)
    if model is None:
        raise ValidationError({"target_type": _("Choose idea, photo or comment.")})
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValidationError({"target_id": _("Give the number of the item.")}) from None
    rows = model.objects.all()
    if for_update:
        rows = rows.select_for_update(of=("self",))
    related = {
        "idea": ["consultation", "author"],
        "photo": ["idea__consultation", "idea__author"],
        "comment": ["consultation", "author"],
    }[kind]
    found = rows.select_related(*related).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"target_id": _("There is no such item.")})
    return found


def parse_key(key: str) -> tuple[str, str]:
    kind, _sep, pk = (key or "").partition(":")
    return kind, pk


def load_key(key: str, *, for_update: bool = False) -> Target:
    kind, pk = parse_key(key)
    return load(kind, pk, for_update=for_update)


def fields_of(target: Target) -> dict:
    """The foreign keys of a Report or Appeal row pointing at this target."""
    return {
        "consultation_id": consultation_of(target).pk,
        "idea": target if isinstance(target, Idea) else None,
        "image": target if isinstance(target, IdeaImage) else None,
        "comment": target if isinstance(target, Comment) else None,
    }


def filter_of(target: Target) -> dict:
    field = {"idea": "idea", "photo": "image", "comment": "comment"}[kind_of(target)]
    return {field: target}


def consultation_of(target: Target):
    return target.idea.consultation if isinstance(target, IdeaImage) else target.consultation


def author_of(target: Target):
    return target.idea.author if isinstance(target, IdeaImage) else target.author


def author_id_of(target: Target) -> int | None:
    return target.idea.author_id if isinstance(target, IdeaImage) else target.author_id


def is_hidden(target: Target) -> bool:
    if isinstance(target, IdeaImage):
        return target.is_redacted
    return target.is_hidden


def is_pending(target: Target) -> bool:
    if isinstance(target, Idea):
        return target.publication == Publication.PENDING_MODERATION and not target.is_hidden
    if isinstance(target, Comment):
        return target.publication == CommentPublication.PENDING_MODERATION and not target.is_hidden
    return False


def is_public(target: Target) -> bool:
    """Whether the public can see this now (and so whether it can be reported)."""
    if isinstance(target, Idea):
        return target.is_public
    if isinstance(target, IdeaImage):
        return target.idea.is_public and not target.is_redacted
    return target.publication == CommentPublication.PUBLISHED and target.is_visible


def title_of(target: Target) -> str:
    if isinstance(target, Idea):
        return f"{target.reference} {target.title}"
    if isinstance(target, IdeaImage):
        return _("Photo of %(idea)s") % {"idea": target.idea.reference}
    # Its first words: a planner working the queue recognises a comment by what it says.
    return _("Comment “%(start)s”") % {"start": Truncator(target.body).words(8, truncate="…")}


def text_of(target: Target) -> str:
    if isinstance(target, Idea):
        return target.description
    if isinstance(target, IdeaImage):
        return target.alt_text
    return target.body


def url_of(target: Target) -> str:
    if isinstance(target, IdeaImage):
        return target.idea.get_absolute_url()
    if isinstance(target, Comment):
        return target.get_absolute_url()
    return target.get_absolute_url()
