from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """Branding every template needs: the municipality's name and colour."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "MUNICIPALITY_NAME": settings.MUNICIPALITY_NAME,
        "BRAND_COLOUR": settings.BRAND_COLOUR,
        "BRAND_LOGO_URL": settings.BRAND_LOGO_URL,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "SITE_URL": settings.SITE_URL,
    }


def notices(request):
    """The signed-in person's unread notices for the header; counted only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .notifications import unread_count

    return {"UNREAD_NOTICES": SimpleLazyObject(lambda: unread_count(user))}
