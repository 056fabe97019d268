"""The public-sector pages every municipal site must have: privacy notice, terms of use,
accessibility statement and cookie information.

Each is the municipality's own text (LegalPage, edited in Administration) or, until it writes
one, the default shipped in civic/legal_texts/<kind>.<language>.md, filled in with the site's
settings. The privacy notice lists every third party a page of the site calls, read from the
settings, so it cannot fall behind the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from . import branding, eid, tenancy
from .models import LegalPage

TEXTS = Path(__file__).resolve().parent / "legal_texts"
DEFAULT_VERSION = 1
# The pages a person accepts at sign-up.
CONSENTED = (LegalPage.Kind.TERMS, LegalPage.Kind.PRIVACY)


@dataclass(frozen=True)
class Page:
    kind: str
    title: str
    body: str  # Markdown
    version: int
    is_default: bool
    updated_at: object = None


def page_for(kind: str, language: str) -> Page:
    """The page in `language`: the municipality's text, else the default."""
    kind = LegalPage.Kind(kind)
    own = LegalPage.objects.filter(kind=kind, language=language).first()
    if own is not None:
        return Page(kind, str(kind.label), own.body, own.version, False, own.updated_at)
    return Page(kind, str(kind.label), _default_text(kind, language), DEFAULT_VERSION, True)


def current_versions(language: str) -> dict[str, int]:
    """The versions of the pages accepted at sign-up, as they stand now in `language`."""
    own = dict(
        LegalPage.objects.filter(kind__in=CONSENTED, language=language).values_list(
            "kind", "version"
        )
    )
    return {kind: own.get(kind, DEFAULT_VERSION) for kind in CONSENTED}


def legal_page_save(*, page: LegalPage, body: str) -> LegalPage:
    """Store a new text; a changed text is a new version (consents name the one accepted)."""
    if page.pk and body != page.body:
        page.version += 1
    page.body = body
    page.save()
    return page


def third_parties() -> list[tuple[str, str]]:
    """(host, what for) of every service outside the site that a visitor's browser contacts,
    or that receives personal data from the site, as configured now."""
    parties = []
    tiles = branding.effective().tile_url
    parties.append((urlsplit(tiles).netloc, _("map tiles: your browser loads the map pictures")))
    own_eid = eid.own_app_settings()
    eid_url = own_eid["server_url"] if own_eid else settings.OIDC_SERVER_URL
    if eid_url:
        parties.append(
            (
                urlsplit(eid_url).netloc,
                _("sign-in with the national eID, if you choose it"),
            )
        )
    if settings.GEOCODER_BACKEND in ("nominatim", "photon") and settings.GEOCODER_URL:
        parties.append(
            (
                urlsplit(settings.GEOCODER_URL).netloc,
                _("address search: the site sends the address you type, not who you are"),
            )
        )
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", None):
        host = settings.AWS_S3_CUSTOM_DOMAIN or urlsplit(settings.AWS_S3_ENDPOINT_URL or "").netloc
        parties.append((host or "S3", _("storage of uploaded photos")))
    return parties


def _default_text(kind: str, language: str) -> str:
    path = TEXTS / f"{kind}.{language}.md"
    if not path.exists():
        path = TEXTS / f"{kind}.en.md"
    parties = "\n".join(f"- **{host}**: {purpose}" for host, purpose in third_parties())
    return path.read_text(encoding="utf-8").format(
        site=settings.SITE_NAME,
        municipality=branding.effective().name,
        contact=branding.effective().contact_email or settings.CONTACT_EMAIL,
        third_parties=parties,
        site_url=tenancy.site_url(),
    )
