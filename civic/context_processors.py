from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """Branding every template needs: the municipality's name, colour and logo as in effect
    (civic.branding: the back office's settings, else the environment's)."""
    from .branding import effective
    from .tenancy import site_url

    brand = effective()
    served = getattr(request, "municipality", None)
    return {
        # The languages the municipality offers (all of the installation's by default).
        "OFFERED_LANGUAGES": (served.languages if served and served.languages else None)
        or [code for code, _name in settings.LANGUAGES],
        "SITE_NAME": settings.SITE_NAME,
        "MUNICIPALITY_NAME": brand.name,
        "BRAND_COLOUR": brand.colour,
        "BRAND_LOGO_URL": brand.logo_url,
        "CONTACT_EMAIL": brand.contact_email or settings.CONTACT_EMAIL,
        # Links other sites and mail programs keep: at the municipality's own address.
        "SITE_URL": site_url(),
    }


def notices(request):
    """The signed-in person's unread notices for the header; counted only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .consent import given_here
    from .notifications import unread_count

    return {
        "UNREAD_NOTICES": SimpleLazyObject(lambda: unread_count(user)),
        # Whether to ask for this municipality's terms (civic.consent); read with the person.
        "CONSENT_NEEDED": SimpleLazyObject(lambda: not given_here(user)),
    }
