from django.conf import settings


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
