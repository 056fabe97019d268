"""Writes on the account itself that are not allauth's: the language a person is written to in."""

from django.utils import translation

from .models import User


def supported_language(code: str | None) -> str:
    """One of LANGUAGES for `code` ("en-gb" -> "en"), or "" when there is none."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language the person chose; their e-mails and notices use it from now on.
    A code outside LANGUAGES is ignored: the switch that sends it says so itself."""
    language = supported_language(language)
    if language and user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
